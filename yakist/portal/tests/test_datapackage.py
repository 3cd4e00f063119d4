"""Open data for machines: a Frictionless Data Package that validates against the published
CSV files, and a DCAT-AP catalogue that parses as RDF with the properties harvesters need."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from yakist.portal import opendata
from yakist.portal.tests.conftest import YEAR, publish

pytestmark = pytest.mark.django_db

FRICTIONLESS = Path(sys.executable).with_name("frictionless")
EU = Namespace("http://publications.europa.eu/resource/authority/")


@pytest.fixture
def published(world, ministry):
    return [publish(subject, YEAR, ministry) for subject in world]


def frictionless_validate(source: str, cwd: Path | None = None) -> dict:
    result = subprocess.run(
        [str(FRICTIONLESS), "validate", source, "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=cwd,
    )
    return json.loads(result.stdout)


def test_the_data_package_validates_against_the_published_files(published, live_url):
    report = frictionless_validate(f"{live_url}/open-data/datapackage.json")
    assert report["valid"], json.dumps(report, ensure_ascii=False)[:4000]
    tasks = {task["name"]: task for task in report["tasks"]}
    assert set(tasks) == {
        f"results-{YEAR.code.lower()}",
        "measures",
        "practices",
        "external-surveys",
    }
    assert tasks[f"results-{YEAR.code.lower()}"]["stats"]["rows"] > len(published)


def test_the_validator_catches_a_file_that_breaks_its_schema(published, tmp_path):
    """The schema is strict enough to fail: a status outside its enumeration is an error."""
    client = Client()
    package = client.get("/open-data/datapackage.json").json()
    rows = client.get(f"/open-data/{YEAR.code}.csv").content.decode().splitlines()
    header = rows[0].split(",")
    broken = rows[1].split(",")
    broken[header.index("status")] = "zero"
    (tmp_path / f"{YEAR.code}.csv").write_text(
        "\n".join([rows[0], ",".join(broken), *rows[2:]]) + "\n", encoding="utf-8"
    )
    package["resources"] = package["resources"][:1]  # the period's results only
    (tmp_path / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    report = frictionless_validate("datapackage.json", cwd=tmp_path)
    assert not report["valid"]
    errors = report["tasks"][0]["errors"]
    assert {e["type"] for e in errors} == {"constraint-error"}
    assert errors[0]["fieldName"] == "status" and errors[0]["rowNumber"] == 2


def test_the_table_schema_and_the_human_dictionary_are_one_source(published):
    package = Client().get("/open-data/datapackage.json").json()
    resource = package["resources"][0]
    assert resource["path"] == f"{YEAR.code}.csv"
    assert package["licenses"][0]["path"] == opendata.LICENCE["url"]
    fields = resource["schema"]["fields"]
    assert [f["name"] for f in fields] == opendata.COLUMNS
    dictionary = Client().get("/open-data/dictionary.json").json()["columns"]
    for field, column in zip(fields, dictionary, strict=True):
        assert field["description"] == f"{column['description_uk']} / {column['description_en']}"
    status = next(f for f in fields if f["name"] == "status")
    assert status["constraints"]["enum"] == ["ok", "insufficient", "no_data", "suppressed"]
    assert resource["schema"]["primaryKey"] == ["publication", "indicator", "breakdown"]
    page = Client().get("/open-data/dictionary").content.decode()
    assert "ok, insufficient, no_data, suppressed" in page


def test_nothing_published_is_a_package_of_the_improvement_sets_only():
    package = Client().get("/open-data/datapackage.json").json()
    assert [r["name"] for r in package["resources"]] == [
        "measures",
        "practices",
        "external-surveys",
    ]
    measures = Client().get("/open-data/measures.csv").content.decode().splitlines()
    fields = [f["name"] for f in package["resources"][0]["schema"]["fields"]]
    assert measures[0].split(",") == fields  # the header, even of an empty set
    catalogue = Client().get("/open-data/catalog.jsonld").json()
    assert catalogue["dcat:dataset"] == []


def test_the_dcat_catalogue_is_rdf_with_what_portals_harvest(published, settings):
    response = Client().get("/open-data/catalog.jsonld")
    assert response["Content-Type"].startswith("application/ld+json")
    graph = Graph().parse(data=response.content, format="json-ld")
    [catalogue] = graph.subjects(RDF.type, DCAT.Catalog)
    titles = {str(t) for t in graph.objects(catalogue, DCTERMS.title)}
    assert any("моніторингу якості" in t for t in titles)
    assert graph.value(catalogue, DCTERMS.description) is not None
    publisher = graph.value(catalogue, DCTERMS.publisher)
    assert str(graph.value(publisher, FOAF.name)) == settings.OPEN_DATA_PUBLISHER
    [dataset] = graph.objects(catalogue, DCAT.dataset)
    assert (dataset, RDF.type, DCAT.Dataset) in graph
    assert graph.value(dataset, DCTERMS.accrualPeriodicity) == EU["frequency/ANNUAL"]
    temporal = graph.value(dataset, DCTERMS.temporal)
    assert str(graph.value(temporal, DCAT.startDate)) == "2025-01-01"
    assert str(graph.value(temporal, DCAT.endDate)) == "2025-12-31"
    distributions = list(graph.objects(dataset, DCAT.distribution))
    formats = {graph.value(d, DCTERMS["format"]) for d in distributions}
    assert formats == {EU["file-type/CSV"], EU["file-type/JSON"], EU["file-type/XLSX"]}
    for distribution in distributions:
        download = graph.value(distribution, DCAT.downloadURL)
        path = str(download).removeprefix(settings.PUBLIC_BASE_URL)
        assert Client().get(path).status_code == 200, path
        assert graph.value(distribution, DCTERMS.license) == URIRef(opendata.LICENCE["url"])
