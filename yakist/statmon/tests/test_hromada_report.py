"""The quarterly report of a hromada's council or military administration: filled and
submitted by its official, read by the oblast, every item with its basis."""

import pytest

from yakist.accounts.enums import Role
from yakist.accounts.services import staff_user_create
from yakist.registry.models.reference import Organisation
from yakist.statmon.hromada import hromada_form
from yakist.statmon.models import HromadaReport

pytestmark = pytest.mark.django_db


def test_every_item_of_the_hromada_form_says_its_basis():
    kinds = {item.code: item.basis["kind"] for item in hromada_form().items}
    assert kinds["HR.OFFICIAL"] == "act" and kinds["HR.BUDGET"] == "model"
    assert set(kinds.values()) <= {"act", "draft", "model"}


def test_a_council_official_submits_the_report_and_the_oblast_reads_it(client, login):
    council = Organisation.objects.filter(kind="local_gov", territory__category="H").first()
    user = staff_user_create(
        username="council-1", password=None, role=Role.LOCAL_GOV_OFFICIAL, organisation=council
    )
    client.force_login(user)
    page = client.get("/statmon/hromada/2026Q3/")
    assert page.status_code == 200 and "Постанова КМУ № 864" in page.content.decode()
    bad = client.post("/statmon/hromada/2026Q3/", {"HR.POINTS_OPEN": "багато"})
    assert bad.status_code == 422 and "багато" in bad.content.decode()
    done = client.post(
        "/statmon/hromada/2026Q3/",
        {"HR.OFFICIAL": "так", "HR.POINTS_OPEN": "4", "HR.BUDGET": "812,5", "action": "submit"},
    )
    assert done.status_code == 200
    report = HromadaReport.objects.get(organisation=council, period="2026Q3")
    assert report.status == "submitted"
    assert report.values["HR.OFFICIAL"] is True and report.values["HR.BUDGET"] == "812.5"
    assert client.post("/statmon/hromada/2026Q3/", {"action": "submit"}).status_code == 422
    client.logout()
    login("centre")
    assert client.get("/statmon/hromada/2026Q3/").status_code == 403
    client.logout()
    login("ministry")
    assert council.name in client.get("/statmon/hromada/").content.decode()
