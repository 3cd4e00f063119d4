"""Publication workflow: states, immutability, corrections, blocking, scope, audit, schedule."""

import datetime as dt

import pytest
from django.test import Client

from yakist.accounts.models import AuditEntry
from yakist.accounts.scope import scope_of
from yakist.core.periods import Period
from yakist.core.problems import Conflict, Forbidden
from yakist.portal import schedule, services, sources
from yakist.portal.models import Publication
from yakist.portal.tests import factories
from yakist.portal.tests.conftest import QUARTER, YEAR, publish

pytestmark = pytest.mark.django_db


def test_schedule_gives_procedure_item_5_due_dates_for_a_year():
    plan = {d.period.code: d.due_on for d in schedule.schedule_for_year(2026)}
    assert plan == {
        "2026Q1": dt.date(2026, 4, 25),
        "2026Q2": dt.date(2026, 7, 25),
        "2026Q3": dt.date(2026, 10, 25),
        "2026Q4": dt.date(2027, 1, 25),
        "2026": dt.date(2027, 2, 1),
    }


def test_late_means_after_the_due_day_in_kyiv_time():
    quarter = Period(2026, 3)
    # Summer time ends on 25 October 2026: Kyiv is UTC+2 that evening.
    on_time = dt.datetime(2026, 10, 25, 21, 59, tzinfo=dt.UTC)  # 23:59 in Kyiv
    late = dt.datetime(2026, 10, 25, 22, 1, tzinfo=dt.UTC)  # 00:01 on the 26th in Kyiv
    assert not schedule.is_late(quarter, published_at=on_time, today=dt.date(2026, 11, 1))
    assert schedule.is_late(quarter, published_at=late, today=dt.date(2026, 11, 1))
    assert not schedule.is_late(quarter, published_at=None, today=dt.date(2026, 10, 25))
    assert schedule.is_late(quarter, published_at=None, today=dt.date(2026, 10, 26))


def test_console_flags_overdue_and_late_reports_for_a_fixed_day(world, ministry, login):
    centre_a, centre_b = world[0], world[1]
    published = publish(centre_a, YEAR, ministry)
    Publication.objects.filter(pk=published.pk).update(
        published_at=dt.datetime(2026, 2, 3, 9, tzinfo=dt.UTC)
    )
    from yakist.portal import selectors

    deadline = next(d for d in schedule.schedule_for_year(2025) if d.period == YEAR)
    rows = {
        r.subject.key: r
        for r in selectors.due_rows(
            ministry[1], deadline=deadline, today=dt.date(2026, 2, 10), types=["centre"]
        )
    }
    assert rows[centre_a.key].status == "published_late"
    assert rows[centre_b.key].status == "overdue"
    before = selectors.due_rows(
        ministry[1], deadline=deadline, today=dt.date(2026, 1, 20), types=["centre"]
    )
    assert {r.status for r in before if r.subject.key == centre_b.key} == {"not_started"}


def test_report_goes_prepared_approved_published_and_every_step_is_audited(world, ministry):
    user, scope = ministry
    centre = world[0]
    publication = services.publication_prepare(subject=centre, period=YEAR, scope=scope, actor=user)
    assert publication.state == "prepared" and publication.missing == []
    assert len(publication.content_hash) == 64
    services.publication_approve(publication=publication, scope=scope, actor=user)
    services.publication_publish(publication=publication, scope=scope, actor=user)
    publication.refresh_from_db()
    assert publication.state == "published"
    actions = set(
        AuditEntry.objects.filter(
            object_type="portal.publication", object_id=str(publication.pk)
        ).values_list("action", flat=True)
    )
    assert actions == {"publication_prepare", "publication_approve", "publication_publish"}


def test_publishing_without_approval_is_refused(world, ministry):
    user, scope = ministry
    publication = services.publication_prepare(
        subject=world[0], period=YEAR, scope=scope, actor=user
    )
    with pytest.raises(Conflict):
        services.publication_publish(publication=publication, scope=scope, actor=user)


def test_report_with_missing_results_is_blocked_with_the_reason(db, lviv_centres, ministry):
    user, scope = ministry
    centre = lviv_centres[0]
    factories.results(period=YEAR, subjects=[centre.ref], skip=["timeliness", "satisfaction"])
    publication = services.publication_prepare(subject=centre, period=YEAR, scope=scope, actor=user)
    assert set(publication.missing) == {"timeliness", "satisfaction"}
    with pytest.raises(services.PublicationBlocked) as blocked:
        services.publication_approve(publication=publication, scope=scope, actor=user)
    assert "timeliness" in str(blocked.value.detail)
    publication.refresh_from_db()
    assert publication.state == "prepared"


def test_open_period_cannot_be_published(world, ministry):
    user, scope = ministry
    with pytest.raises(services.PublicationBlocked, match="ще не завершився"):
        services.publication_prepare(
            subject=world[0],
            period=Period(2025),
            scope=scope,
            actor=user,
            today=dt.date(2025, 6, 1),
        )


def test_published_snapshot_does_not_change_when_results_change(world, ministry):
    centre = world[0]
    published = publish(centre, YEAR, ministry)
    page_before = Client().get(f"/p/{published.code}").content.decode()
    text_before = published.content_json
    factories.revise(
        indicator_code="timeliness",
        subject_type="centre",
        key=centre.key,
        period=YEAR,
        value=0.1234,
    )
    published.refresh_from_db()
    assert published.content_json == text_before
    page_after = Client().get(f"/p/{published.code}").content.decode()
    assert "12,3 %" not in page_after
    assert page_after.count("%") == page_before.count("%")


def test_republishing_a_published_period_needs_a_correction_with_reason(world, ministry):
    user, scope = ministry
    publish(world[0], YEAR, ministry)
    with pytest.raises(Conflict, match="виправлення"):
        services.publication_prepare(subject=world[0], period=YEAR, scope=scope, actor=user)


def test_correction_publishes_a_new_version_and_keeps_the_old_one_readable(world, ministry, login):
    centre = world[0]
    first = publish(centre, YEAR, ministry)
    factories.revise(
        indicator_code="timeliness",
        subject_type="centre",
        key=centre.key,
        period=YEAR,
        value=0.1234,
    )
    login("ministry")
    from django.test import Client as StaffClient

    console = StaffClient()
    console.force_login(ministry[0])
    detail = console.get(f"/publication/{first.pk}/").content.decode()
    assert "Дані змінилися після оприлюднення" in detail
    assert "12,3 %" not in Client().get(f"/p/{first.code}").content.decode()

    second = publish(centre, YEAR, ministry, reason="Перераховано вчасність після уточнення.")
    first.refresh_from_db()
    assert (first.state, second.version, second.supersedes_id) == ("superseded", 2, first.pk)
    new_page = Client().get(f"/p/{second.code}").content.decode()
    old_page = Client().get(f"/p/{first.code}").content.decode()
    assert "12,3 %" in new_page and "Перераховано вчасність" in new_page
    assert "12,3 %" not in old_page and "замінено виправленням" in old_page
    assert f"/p/{second.code}" in old_page
    centre_page = Client().get(f"/centres/{centre.key}").content.decode()
    assert "12,3 %" in centre_page


def test_superseded_version_cannot_be_published_again(world, ministry):
    user, scope = ministry
    first = publish(world[0], YEAR, ministry)
    publish(world[0], YEAR, ministry, reason="Уточнення даних центру.")
    first.refresh_from_db()
    with pytest.raises(Conflict, match="виправлено версією 2"):
        services.publication_publish(publication=first, scope=scope, actor=user)
    first.refresh_from_db()
    assert first.state == "superseded"


def test_centre_admin_acts_only_for_its_own_centre(world, db):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="centre")
    scope = scope_of(user)
    own = sources.subject_get("centre", user.staff_profile.centre.code)
    other = next(s for s in world if s.type == "centre" and s.key != own.key)
    factories.results(period=YEAR, subjects=[own.ref])
    services.publication_prepare(subject=own, period=YEAR, scope=scope, actor=user)
    with pytest.raises(Forbidden):
        services.publication_prepare(subject=other, period=YEAR, scope=scope, actor=user)


def test_console_lists_only_the_viewers_publications(world, ministry, client, login):
    lviv, volyn = world[0], world[2]
    a = publish(lviv, YEAR, ministry)
    b = publish(volyn, YEAR, ministry)
    login("coordinator")
    assert client.get(f"/publication/{a.pk}/").status_code == 200
    assert client.get(f"/publication/{b.pk}/").status_code == 404
    login("auditor")
    assert client.get(f"/publication/{b.pk}/").status_code == 200


def test_coordinator_cannot_bulk_publish_but_ministry_can(world, ministry, db):
    from django.contrib.auth import get_user_model

    coordinator = get_user_model().objects.get(username="coordinator")
    subjects = world
    with pytest.raises(Forbidden):
        services.publication_publish_bulk(
            period=QUARTER, subjects=subjects, scope=scope_of(coordinator), actor=coordinator
        )
    user, scope = ministry
    extra = sources.subjects_all(types=["centre"], region="UA46000000000026241")[5]
    report = services.publication_publish_bulk(
        period=QUARTER, subjects=[*subjects, extra], scope=scope, actor=user
    )
    assert report.published == len(subjects)
    assert sum(report.blocked.values()) == 1  # the extra centre has no results
    assert Publication.objects.filter(period=QUARTER.code, state="published").count() == len(
        subjects
    )
    again = services.publication_publish_bulk(
        period=QUARTER, subjects=subjects, scope=scope, actor=user
    )
    assert (again.published, again.already) == (0, len(subjects))


def test_reminders_go_once_to_the_responsible_people_before_the_due_date(
    world, ministry, mailoutbox
):
    subjects = sources.subjects_all(types=["centre"], region="UA46000000000026241")
    day = dt.date(2026, 1, 20)  # 5 days before the 2025Q4 deadline, 12 before the year's
    sent = services.reminders_send(today=day, subjects=subjects)
    assert sent >= 1
    centre_mail = [m for m in mailoutbox if "centre@demo.example" in m.to]
    assert {m.subject[-10:] for m in centre_mail} == {"25.01.2026", "01.02.2026"}
    assert services.reminders_send(today=day, subjects=subjects) == 0


@pytest.mark.parametrize(
    "back", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "accounts:logout"]
)
def test_hole_16_console_back_link_never_leaves_the_site(world, ministry, login, client, back):
    subject = world[0]
    publish(subject, YEAR, ministry)
    login("ministry")
    # Preparing an already published report without a reason is refused: back to the form.
    response = client.post(
        "/publication/prepare",
        {
            "subject_type": subject.type,
            "subject_key": subject.key,
            "period": YEAR.code,
            "back": back,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/publication/"


def test_console_back_link_keeps_a_local_page(world, ministry, login, client):
    subject = world[0]
    publish(subject, YEAR, ministry)
    login("ministry")
    response = client.post(
        "/publication/prepare",
        {
            "subject_type": subject.type,
            "subject_key": subject.key,
            "period": YEAR.code,
            "back": "/publication/?types=centre",
        },
    )
    assert response["Location"] == "/publication/?types=centre"
