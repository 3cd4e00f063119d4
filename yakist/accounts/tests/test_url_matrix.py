"""Every URL the site answers, against every role: one table of what each role gets.

The test walks Django's URL resolver, so a new URL pattern without a row in EXPECT fails with
a message naming the row to add. A row lists, for the roles in ROLES order, what a GET of the
URL (with in-scope parameters from the sample world) answers; a URL that takes an id or a code
is also tried with an out-of-scope one (a Volyn centre, its case, message, publication…), which
no role outside the national ones may open or post to. Write URLs name the form the auditor
posts: the auditor reads everything and must change nothing.

To add a URL: add a row `"namespace:name": Row("<8 answers>", "<sample>", post={...})` to
EXPECT (the failure message prints one to start from), a sample to `_world` if its parameters
are new, and run this module.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import LocalePrefixPattern

from yakist.accounts.models import AuditEntry
from yakist.core.periods import Period, kyiv_date, kyiv_now

pytestmark = pytest.mark.django_db

ROLES = (
    "ministry",
    "coordinator",
    "centre",
    "provider",
    "integrator",
    "auditor",
    "norole",  # a login with no staff profile
    "anon",
)
NATIONAL = {"ministry", "auditor"}
LVIV, VOLYN = "UA46000000000026241", "UA07000000000024379"

# What a declared URL is, when it is not one staff page tried against every role.
PUBLIC = "public"  # open to everyone by design (portal, open data, feedback forms, health)
API = "api"  # token- or signature-authenticated JSON; its own tests cover each role
SELF = "self"  # a person's own session and login (sign in/out, second factor, language)
ADMIN = "admin"  # Django's admin site: is_staff and model permissions (ministry only)


@dataclass(frozen=True)
class Row:
    """`expect`: one answer per role in ROLES order — 200, 403, 404, 405, 302 (a redirect
    elsewhere than the login page) or login (a redirect to the login page) — or one of PUBLIC,
    API, SELF, ADMIN. `sample`: the SAMPLES entry that fills the URL's parameters. `post`: the
    form the auditor posts to this write URL (files as (name, bytes); "{name}" is filled from
    the sample world's "post" values). `reaches`: roles for which the out-of-scope sample is in
    fact within reach (say why beside the row)."""

    expect: str
    sample: str | None = None
    post: dict | None = field(default=None, hash=False)
    reaches: str = ""  # roles for which the out-of-scope sample is in fact within reach


XLSX = ("report.xlsx", b"PK\x03\x04 not really a workbook")
CSV = ("centres.csv", b"code,kind,name,parent_code,founder_code,territory_code,status\n")

# fmt: off
EXPECT: dict[str, Row] = {
    # --- public, API, one's own session ---
    "healthz": Row(PUBLIC),
    "set_language": Row(SELF),
    "api:*": Row(API),
    "^api/": Row(API),  # unknown API paths: a problem+json 404
    "admin:*": Row(ADMIN),
    "accounts:login": Row(SELF),
    "accounts:logout": Row(SELF),
    "accounts:2fa_setup": Row(SELF),
    "accounts:2fa_verify": Row(SELF),
    "accounts:2fa_remove": Row(SELF),
    "admin/login/": Row(SELF),  # the one login door (accounts.views.admin_login_door)
    "trembita:*": Row(API),  # security-server callers only; ingest/tests/test_trembita*.py
    "improvement_public:*": Row(PUBLIC),
    "improvement_files:*": Row(PUBLIC),
    "core:problems": Row(PUBLIC),
    "core:problem": Row(PUBLIC),
    "portal:*": Row(PUBLIC),
    "portal_files:*": Row(PUBLIC),
    "feedback:new": Row(PUBLIC),
    "feedback:submit": Row(PUBLIC),
    "feedback:status": Row(PUBLIC),
    "feedback:lookup": Row(PUBLIC),
    "feedback:survey": Row(PUBLIC),
    # --- staff pages ---       ministry coordinator centre provider integrator auditor norole anon
    "console:home":            Row("200 200 200 200 200 200 200 login"),
    "accounts:audit":           Row("200 403 403 403 403 200 403 login"),
    "registry:centres":         Row("200 200 200 200 200 200 403 login"),
    "registry:centre":          Row("200 200 200 404 200 200 403 login", "registry_centre"),
    "registry:services":        Row("200 200 200 200 200 200 403 login"),
    "registry:systems":         Row("200 200 200 200 200 200 403 login"),
    "registry:import":          Row("200 403 403 403 403 403 403 login",
                                    post={"kind": "centres", "file": CSV}),
    "registry:export":          Row("200 403 403 403 403 403 403 login", "export"),
    "cases:dashboard":          Row("200 200 200 200 200 200 403 login"),
    "cases:list":               Row("200 200 200 200 200 200 403 login"),
    "cases:at_risk":            Row("200 200 200 200 200 200 403 login"),
    "cases:case":               Row("200 200 200 404 200 200 403 login", "case"),
    "ingest:systems":           Row("200 200 200 200 200 200 403 login"),
    "ingest:system":            Row("200 200 200 404 200 200 403 login", "system"),
    "feedback:queue":           Row("200 200 200 200 200 200 403 login"),
    "feedback:queue_item":      Row("200 200 200 404 404 200 403 login", "message",
                                    post={"action": "answer", "answer": "Так"}),
    "publication:schedule":     Row("200 200 200 200 200 200 403 login"),
    "publication:prepare":      Row("405 405 405 405 405 405 405 login", post={
        "subject_type": "centre", "subject_key": "{own}", "period": "{published}"}),
    "publication:bulk":         Row("405 405 405 405 405 405 405 login",
                                    post={"period": "{published}"}),
    "publication:detail":       Row("200 200 200 404 404 200 403 login", "publication"),
    "publication:transition":   Row("405 405 405 405 405 405 405 login", "transition", post={}),
    "publication:website":      Row("404 404 404 404 404 404 403 login", post={
        "subject_type": "centre", "subject_key": "{own}", "url": "https://example.org/zvity"}),
    "statmon:index":            Row("302 302 302 302 302 302 403 login"),
    "statmon:forms":            Row("200 200 200 200 200 200 403 login"),
    "statmon:form":             Row("200 200 200 200 200 200 403 login", "form"),
    "statmon:campaigns":        Row("200 200 200 200 200 200 403 login", post={
        "action": "close", "period": "{quarter}", "confirm": "1"}),
    "statmon:campaign":         Row("200 200 200 200 200 200 403 login", "period"),
    "statmon:bulk_accept":      Row("405 405 405 405 405 405 403 login", "period",
                                    post={"report": "{submitted}"}),
    "statmon:rollup":           Row("200 200 200 200 200 200 403 login", "period"),
    # The integrator's system (ПК «Вулик») also reports for Volyn centres: that oblast's
    # roll-up shows them to it.
    "statmon:rollup_region":    Row("200 200 200 404 200 200 403 login", "rollup_region",
                                    reaches="integrator"),
    "statmon:rollup_centres":   Row("200 200 200 404 200 200 403 login", "rollup_centres",
                                    reaches="integrator"),
    "statmon:export":           Row("200 200 403 403 403 200 403 login", "rollup_export"),
    "statmon:report":           Row("200 200 200 404 200 200 403 login", "report", post={
        "action": "save", "draft_version": "{draft}", "v:STF.TOTAL": "7"}),
    "statmon:review":           Row("405 405 405 405 405 405 403 login", "report",
                                    post={"decision": "return", "comment": "Ні"}),
    "statmon:correct":          Row("405 405 405 405 405 405 403 login", "report",
                                    post={"reason": "Помилка"}),
    "statmon:history":          Row("200 200 200 404 200 200 403 login", "report"),
    "statmon:template":         Row("200 200 200 404 200 200 403 login", "report"),
    "statmon:upload":           Row("405 405 405 405 405 405 403 login", "report",
                                    post={"file": XLSX}),
    "indicators:overview":      Row("200 200 200 200 200 200 403 login"),
    "indicators:region":        Row("200 200 404 404 404 200 403 login", "region"),
    "indicators:hromada":       Row("200 200 404 404 404 200 403 login", "hromada"),
    "indicators:centre":        Row("200 200 200 404 200 200 403 login", "centre"),
    "indicators:ratings":       Row("200 200 200 200 200 200 403 login"),
    "indicators:rating_explain": Row("200 200 200 404 200 200 403 login", "rating"),
    # Case upload: by the officials of a centre or a provider for their own subject.
    "ingest:upload":            Row("403 403 200 200 403 403 403 login",
                                    post={"file": ("cases.csv", b"event_id,case_id\n")}),
    "ingest:upload_template":   Row("200 200 200 200 200 200 200 login", "upload_template"),
    # A hromada's own report: its council's or military administration's officials only.
    "statmon:hromada_reports":  Row("200 200 200 200 200 200 403 login"),
    "statmon:hromada_report":   Row("403 403 403 403 403 403 403 login", "period"),
    "improvement:register":     Row("200 200 200 200 200 200 403 login"),
    "improvement:problem_new":  Row("200 200 200 200 200 200 403 login", post={
        "subject": "centre:{own}", "title": "Черги", "owner": "ЦНАП"}),
    "improvement:problem":      Row("200 200 200 404 404 200 403 login", "problem",
                                    post={"action": "status", "status": "in_work"}),
    "improvement:measure_new":  Row("200 200 200 200 200 200 403 login", post={
        "subject": "centre:{own}", "title": "Ще одне вікно", "started_on": "2026-01-10"}),
    "improvement:survey_reports": Row("200 200 200 200 200 200 403 login",
                                      post={"survey": "1", "notes": "Ні"}),
}
# fmt: on


# --- Walking the resolver -----------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # namespace:name, or the pattern itself when the pattern has no name
    pattern: str
    namespace: str
    callback: Callable


def routes(urlconf=None) -> Iterator[Route]:
    """Every URL pattern once; the i18n (/en/) copy of the public pages is the same pattern."""

    def walk(patterns, prefix: str, namespace: str) -> Iterator[Route]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                own = "" if isinstance(entry.pattern, LocalePrefixPattern) else str(entry.pattern)
                yield from walk(entry.url_patterns, prefix + own, inner)
            elif isinstance(entry, URLPattern):
                pattern = prefix + str(entry.pattern)
                key = f"{namespace}{entry.name}" if entry.name else pattern
                yield Route(key, pattern, namespace.rstrip(":"), entry.callback)

    yield from walk(get_resolver(urlconf).url_patterns, "", "")


def row_for(route: Route) -> Row | None:
    return EXPECT.get(route.key) or EXPECT.get(f"{route.namespace.split(':')[0]}:*")


def staff_routes() -> list[tuple[Route, Row]]:
    rows = [(route, row_for(route)) for route in routes()]
    return [(r, row) for r, row in rows if row and row.expect not in (PUBLIC, API, SELF, ADMIN)]


def undeclared(urlconf=None) -> list[Route]:
    return [route for route in routes(urlconf) if row_for(route) is None]


def test_every_url_pattern_has_a_declared_expectation():
    missing = undeclared()
    assert not missing, "URL patterns with no row in EXPECT (yakist/accounts/tests/" + (
        "test_url_matrix.py); add one per pattern — a staff page with its 8 answers (ROLES "
        "order) and, if it takes parameters, a sample from _world; or Row(PUBLIC), Row(API):\n"
        + "\n".join(
            f'    "{route.key}": Row("200 200 200 200 200 200 403 login"),  # {route.pattern}'
            for route in missing
        )
    )


def test_a_new_url_without_a_row_is_named():
    from django.urls import include, path

    from yakist import urls as site

    class UrlConf:
        urlpatterns = [
            *site.urlpatterns,
            path("methods/", include(([path("<int:pk>/", lambda r: None, name="x")], "new"))),
        ]

    assert [route.key for route in undeclared(UrlConf)] == ["new:x"]


def test_every_row_names_a_pattern_that_exists():
    keys = {route.key for route in routes()}
    namespaces = {f"{route.namespace.split(':')[0]}:*" for route in routes()}
    stale = [key for key in EXPECT if key not in keys and key not in namespaces]
    assert not stale, f"rows in EXPECT for URL patterns that no longer exist: {stale}"


def test_every_staff_row_is_complete():
    for key, row in EXPECT.items():
        if row.expect in (PUBLIC, API, SELF, ADMIN):
            continue
        codes = row.expect.split()
        assert len(codes) == len(ROLES), f"{key}: {len(codes)} answers for {len(ROLES)} roles"
        assert set(codes) <= {"200", "302", "403", "404", "405", "login"}, key


# --- Samples: in-scope and out-of-scope parameters from the demo world -------------------------
#
# "In scope" is the demo's showcase: the Lviv city centre, run by the `centre` login, in the
# `coordinator`'s oblast and reported for by the `integrator`'s system. "Out of scope" is a
# Volyn centre that none of them reaches.


def _world() -> dict[str, tuple[dict, dict | None]]:
    from django.contrib.auth import get_user_model

    from yakist.cases.models import Case
    from yakist.feedback.models import FeedbackMessage
    from yakist.feedback.services import message_submit
    from yakist.portal.models import Publication
    from yakist.registry.models.reference import Centre, Organisation, Territory
    from yakist.registry.services import system_add
    from yakist.statmon.models import Report

    users = get_user_model().objects.select_related("staff_profile")
    own = users.get(username="centre").staff_profile.centre
    system = users.get(username="integrator").staff_profile.system
    provider_login = users.get(username="provider").staff_profile.organisation
    foreign = (
        Centre.objects.filter(region_id=VOLYN, kind=Centre.Kind.CENTRE, parent=None)
        .exclude(systems=system)
        .exclude(hromada=None)
        .order_by("code")
        .first()
    )
    quarter = Period.quarter_of(kyiv_date(kyiv_now())).code
    published = (
        Publication.objects.filter(
            subject_type="centre", state=Publication.State.PUBLISHED, period__contains="Q"
        )
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )

    def publication(centre: Centre) -> int:
        return (
            Publication.objects.filter(subject_type="centre", subject_key=centre.code)
            .order_by("-period", "-version")
            .values_list("pk", flat=True)
            .first()
        )

    def message(centre: Centre) -> str:
        message_submit(
            kind="data_error",
            subject=f"centre:{centre.code}",
            page="/",
            text="Перевірка прав доступу.",
            contact="",
            ip=None,
        )
        return FeedbackMessage.objects.filter(routed_centre=centre).latest("pk").tracking_code

    cases = Case.objects.order_by("pk").values_list("pk", flat=True)

    def problem(centre: Centre) -> dict:
        from yakist.improvement.models import Problem

        found = Problem.objects.create(
            subject_type="centre",
            subject_key=centre.code,
            subject_name=centre.name,
            centre=centre,
            region_id=centre.region_id,
            kind=Problem.Kind.values[0],
            title="Перевірка прав доступу",
        )
        return {"pk": found.pk}

    # A system that reports only for the Volyn centre: in no demo login's reach but the
    # national roles'.
    key = Ed25519PrivateKey.generate().public_key()
    pem = key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    # A system's scope names a provider as well as its centres (ingest/lookups.py).
    provider = Organisation.objects.filter(kind="provider").order_by("code").first()
    other_system = system_add(
        name="Чужа система", public_key=pem, scope=[foreign.code, provider.code]
    ).system
    hromada = Territory.objects.get(code=own.hromada_id)
    report = Report.objects.get(campaign__period=quarter, centre=own)
    submitted = Report.objects.filter(campaign__period=quarter, status="submitted").first()
    return {
        # Values the auditor's posts fill in (Row.post).
        "post": {
            "own": own.code,
            "published": published,
            "quarter": quarter,
            "draft": report.draft_version,
            "submitted": submitted.pk if submitted else report.pk,
        },
        "period": ({"period": quarter}, None),
        "form": ({"version": 1}, None),
        "export": ({"kind": "centres", "fmt": "csv"}, None),
        "rollup_export": ({"period": quarter, "fmt": "csv"}, None),
        "registry_centre": ({"code": own.code}, {"code": foreign.code}),
        "case": (
            # The matrix expects the provider login not to reach the sample: a case of the
            # showcase centre for another provider (which case is first depends on the date).
            {
                "pk": cases.filter(main_centre=own, system=system)
                .exclude(provider=provider_login)
                .first()
            },
            {"pk": cases.filter(main_centre__region_id=VOLYN).exclude(system=system).first()},
        ),
        "system": ({"pk": system.pk}, {"pk": other_system.pk}),
        "message": ({"code": message(own)}, {"code": message(foreign)}),
        "publication": ({"pk": publication(own)}, {"pk": publication(foreign)}),
        "transition": (
            {"pk": publication(own), "action": "approve"},
            {"pk": publication(foreign), "action": "approve"},
        ),
        "report": (
            {"period": quarter, "code": own.code},
            {"period": quarter, "code": foreign.code},
        ),
        "rollup_region": (
            {"period": quarter, "region": LVIV},
            {"period": quarter, "region": VOLYN},
        ),
        "rollup_centres": (
            {"period": quarter, "region": LVIV, "code": "STF.TOTAL"},
            {"period": quarter, "region": VOLYN, "code": "STF.TOTAL"},
        ),
        "region": ({"code": LVIV}, {"code": VOLYN}),
        "upload_template": ({"fmt": "csv"}, None),
        "problem": (problem(own), problem(foreign)),
        "hromada": ({"code": hromada.code}, {"code": foreign.hromada_id}),
        "centre": ({"code": own.code}, {"code": foreign.code}),
        "rating": (
            {"subject_type": "centre", "code": own.code, "period": published},
            {"subject_type": "centre", "code": foreign.code, "period": published},
        ),
    }


@pytest.fixture
def world(django_user_model):
    django_user_model.objects.create_user(username="norole", password=None)
    return _world()


def _login(client, django_user_model, role: str) -> None:
    client.logout()
    if role != "anon":
        client.force_login(django_user_model.objects.get(username=role))


def _answer(response) -> str:
    if response.status_code in (301, 302):
        location = response.get("Location", "")
        return "login" if location.startswith(reverse("accounts:login")) else "302"
    return str(response.status_code)


def _url(route: Route, kwargs: dict | None) -> str:
    return reverse(route.key, kwargs=kwargs or None)


@pytest.mark.parametrize("role", ROLES)
def test_each_staff_url_answers_each_role_as_declared(client, django_user_model, world, role):
    index = ROLES.index(role)
    wrong = []
    _login(client, django_user_model, role)
    for route, row in staff_routes():
        inside, outside = world[row.sample] if row.sample else (None, None)
        expected = row.expect.split()[index]
        got = _answer(client.get(_url(route, inside)))
        if got != expected:
            wrong.append(f"{route.key} ({_url(route, inside)}): expected {expected}, got {got}")
        if outside is not None and role not in NATIONAL and role not in row.reaches.split():
            # A write URL is probed the way it is used: a post that must change nothing.
            url = _url(route, outside)
            if row.post is None:
                got = _answer(client.get(url))
            else:
                got = _answer(client.post(url, _form(row.post, world["post"])))
            allowed = {"login"} if role == "anon" else {"403", "404"}
            if got not in allowed:
                wrong.append(f"{route.key} out of scope ({_url(route, outside)}): got {got}")
    assert not wrong, f"role {role}:\n" + "\n".join(wrong)


# --- The auditor's posts change nothing -----------------------------------------------------

READ_ACTIONS = ("feedback_view", "case_view", "export")


def _fingerprint() -> dict[str, object]:
    """Row counts of every table, and a digest of the rows of the tables staff pages change;
    audit entries of looking (not changing) are left out."""
    state: dict[str, object] = {}
    for model in apps.get_models():
        if model is AuditEntry or model._meta.label_lower == "sessions.session":
            continue
        state[model._meta.label] = model.objects.count()
    state["audit"] = _changes_audited()
    for label in (
        "statmon.Report",
        "statmon.Campaign",
        "feedback.FeedbackMessage",
        "portal.Publication",
        "portal.SubjectLink",
        "registry.Centre",
    ):
        rows = apps.get_model(label).objects.order_by("pk").values_list()
        state[label + " rows"] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return state


def _changes_audited() -> int:
    """Every write service leaves an audit entry: their count tells which post changed data."""
    return AuditEntry.objects.exclude(action__in=READ_ACTIONS).count()


def _form(post: dict, values: dict) -> dict:
    form = {}
    for name, value in post.items():
        if isinstance(value, tuple):
            upload = io.BytesIO(value[1])
            upload.name = value[0]
            form[name] = upload
        else:
            form[name] = value.format(**values)
    return form


def test_the_auditors_post_to_any_write_url_changes_nothing(client, django_user_model, world):
    write_rows = [(route, row) for route, row in staff_routes() if row.post is not None]
    assert len(write_rows) >= 10
    _login(client, django_user_model, "auditor")
    before = _fingerprint()
    changed = []
    for route, row in write_rows:
        inside = world[row.sample][0] if row.sample else None
        audited = _changes_audited()
        response = client.post(_url(route, inside), _form(row.post, world["post"]))
        if _answer(response) not in ("403", "302"):
            changed.append(f"{route.key}: answered {_answer(response)}")
        if _changes_audited() != audited:
            changed.append(f"{route.key}: recorded a change in the audit trail")
    after = _fingerprint()
    changed += [f"changed: {key}" for key in sorted(after) if after[key] != before[key]]
    assert not changed, "\n".join(changed)
