"""Who may write what: roles and scope checked in the services, states moved in order."""

import datetime as dt

import pytest

from yakist.accounts.scope import scope_of
from yakist.core.problems import Conflict, Forbidden, ValidationFailed
from yakist.improvement import selectors, services
from yakist.improvement.models import Problem
from yakist.improvement.subjects import subject_resolve
from yakist.improvement.tests.conftest import AFTER

TODAY = dt.date(2026, 12, 3)


def _record(actor, centre, **kw):
    return services.measure_record(
        actor=actor,
        subject=subject_resolve(f"centre:{centre.code}"),
        title=kw.pop("title", "Захід"),
        responsible_body="Орган",
        started_on=kw.pop("started_on", AFTER.first_day),
        addresses=kw.pop("addresses", "Проблема"),
        **kw,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["auditor", "integrator"])
def test_auditor_and_integrator_write_nothing(user, lviv_centres, username):
    with pytest.raises(Forbidden):
        _record(user(username), lviv_centres[0])
    with pytest.raises(Forbidden):
        services.problem_raise(
            actor=user(username), subject=subject_resolve("nation"), title="Проблема"
        )


@pytest.mark.django_db
def test_coordinator_writes_in_its_region_only(user, lviv_centres, other_centre):
    assert _record(user("coordinator"), lviv_centres[0]).region_id == lviv_centres[0].region_id
    with pytest.raises(Forbidden):
        _record(user("coordinator"), other_centre)


@pytest.mark.django_db
def test_centre_admin_writes_for_its_centre_only(user, lviv_centres):
    admin = user("centre")
    own = admin.staff_profile.centre
    assert _record(admin, own).centre_id == own.pk
    stranger = next(c for c in lviv_centres if c.pk != own.pk)
    with pytest.raises(Forbidden):
        _record(admin, stranger)


@pytest.mark.django_db
def test_scope_limits_what_each_role_sees(user, lviv_centres, other_centre):
    _record(user("ministry"), lviv_centres[0], title="Львів")
    _record(user("ministry"), other_centre, title="Інший регіон")
    titles = {m.title for m in selectors.measures_for(scope_of(user("coordinator")))}
    assert "Львів" in titles and "Інший регіон" not in titles
    assert {m.title for m in selectors.measures_for(scope_of(user("ministry")))} >= {
        "Львів",
        "Інший регіон",
    }
    assert not selectors.measures_for(scope_of(user("integrator"))).exists()


@pytest.mark.django_db
def test_bad_input_is_refused_with_ukrainian_messages(user, lviv_centres):
    with pytest.raises(ValidationFailed, match="Дата завершення"):
        _record(
            user("ministry"),
            lviv_centres[0],
            completed_on=AFTER.first_day - dt.timedelta(days=1),
        )
    with pytest.raises(ValidationFailed, match="Невідомі показники"):
        _record(user("ministry"), lviv_centres[0], indicators_aimed=["no_such"])
    with pytest.raises(ValidationFailed, match="проблему"):
        _record(user("ministry"), lviv_centres[0], addresses="")
    with pytest.raises(ValidationFailed, match="не знайдено"):
        subject_resolve("centre:NO-SUCH")


@pytest.mark.django_db
def test_problem_moves_through_its_states(user, lviv_centres):
    ministry = user("ministry")
    subject = subject_resolve(f"centre:{lviv_centres[0].code}")
    problem = services.problem_raise(actor=ministry, subject=subject, title="Черги")
    assert problem.status == Problem.Status.NEW and problem.kind == Problem.Kind.STAFF
    with pytest.raises(Conflict):
        services.problem_transition(actor=ministry, problem=problem, status="resolved")
    services.problem_transition(actor=ministry, problem=problem, status="in_work")
    _record(ministry, lviv_centres[0], problem=problem)
    problem.refresh_from_db()
    assert problem.status == Problem.Status.MEASURE_TAKEN
    services.problem_transition(actor=ministry, problem=problem, status="resolved")
    with pytest.raises(Conflict):
        services.problem_transition(actor=ministry, problem=problem, status="in_work")


@pytest.mark.django_db
def test_practice_needs_resolution_effect_and_the_oblast_or_ministry(
    user, effect_world, lviv_centres
):
    subject, _ = effect_world
    ministry = user("ministry")
    problem = services.problem_raise(
        actor=ministry, subject=subject_resolve(f"centre:{subject.code}"), title="Строки"
    )
    services.problem_transition(actor=ministry, problem=problem, status="in_work")
    measure = _record(ministry, subject, problem=problem, indicators_aimed=["timeliness"])
    mark = {
        "topic": "Строки",
        "summary": "Електронна черга",
        "contact_body": "ЦНАП",
        "today": TODAY,
    }
    with pytest.raises(Conflict, match="вирішеної"):
        services.practice_mark(actor=ministry, problem=problem, measure=measure, **mark)
    services.problem_transition(actor=ministry, problem=problem, status="resolved")
    with pytest.raises(Forbidden):
        services.practice_mark(actor=user("centre"), problem=problem, measure=measure, **mark)
    practice = services.practice_mark(
        actor=user("coordinator"), problem=problem, measure=measure, **mark
    )
    assert practice.evidence[0]["verdict"] == "effect"


@pytest.mark.django_db
def test_no_practice_without_a_measured_effect(user, effect_world):
    subject, _ = effect_world
    ministry = user("ministry")
    problem = services.problem_raise(
        actor=ministry, subject=subject_resolve(f"centre:{subject.code}"), title="Строки"
    )
    services.problem_transition(actor=ministry, problem=problem, status="in_work")
    measure = _record(ministry, subject, problem=problem, indicators_aimed=["satisfaction"])
    services.problem_transition(actor=ministry, problem=problem, status="resolved")
    with pytest.raises(Conflict, match="ефекту"):
        services.practice_mark(
            actor=ministry,
            problem=problem,
            measure=measure,
            topic="Т",
            summary="С",
            contact_body="К",
            today=TODAY,
        )
