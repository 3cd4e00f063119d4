"""Reminders before and after the deadline, once per rule, recorded, through Django's mail."""

import datetime as dt

import pytest
from django.core import mail

from yakist.statmon import reminders, services
from yakist.statmon.models import EDITABLE_STATUSES, Campaign, Reminder, ReportStatus
from yakist.statmon.tests.factories import (
    LVIV,
    current_period,
    current_report,
    own_centre,
    submit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    """The current quarter's campaign, alone: older open ones would send their own reminders."""
    campaign = services.campaign_open(period=current_period())[0]
    Campaign.objects.exclude(pk=campaign.pk).update(status=Campaign.State.CLOSED)
    # One oblast's reports are enough to see every rule; the whole country only costs time.
    campaign.reports.exclude(centre__region_id=LVIV).delete()
    return campaign


def test_reminders_go_before_the_deadline_to_centres_without_a_submitted_report_once_per_rule(
    campaign, django_user_model, command
):
    centre_user = django_user_model.objects.get(username="centre")
    submitted = submit(current_report(own_centre(centre_user)), centre_user)
    waiting = campaign.reports.filter(status__in=EDITABLE_STATUSES, part_of_quarter=False)
    day = campaign.deadline - dt.timedelta(days=5)

    output = command("statmon", "remind", "--today", day.isoformat())

    assert f"{campaign.period}: правило before-7" in output
    sent = Reminder.objects.filter(report__campaign=campaign, rule="before-7")
    assert sent.count() == len(mail.outbox) == waiting.count()
    assert not sent.filter(report=submitted).exists()
    message = mail.outbox[0]
    assert message.subject.startswith("Нагадування: звіт ЦНАП за")
    assert campaign.deadline.strftime("%d.%m.%Y") in message.subject
    assert "/statmon/" in message.body and message.to

    command("statmon", "remind", "--today", day.isoformat())
    command("statmon", "remind", "--today", (day + dt.timedelta(days=1)).isoformat())
    assert len(mail.outbox) == waiting.count()  # the same rule never goes twice

    command("statmon", "remind", "--today", (campaign.deadline - dt.timedelta(days=1)).isoformat())
    assert (
        Reminder.objects.filter(report__campaign=campaign, rule="before-2").count()
        == waiting.count()
    )


def test_the_own_centres_administrator_gets_the_reminder_by_name(campaign, django_user_model):
    centre_user = django_user_model.objects.get(username="centre")
    report = current_report(own_centre(centre_user))
    reminders.reminders_send(today=campaign.deadline - dt.timedelta(days=3))
    record = Reminder.objects.get(report=report, rule="before-7")
    assert record.recipients == [centre_user.email]


def test_after_the_deadline_the_overdue_rule_copies_the_coordinator(campaign, django_user_model):
    coordinator = django_user_model.objects.get(username="coordinator")
    centre_user = django_user_model.objects.get(username="centre")
    report = current_report(own_centre(centre_user))
    result = reminders.reminders_send(today=campaign.deadline + dt.timedelta(days=2))
    assert result.rules[campaign.period] == "overdue-1"
    record = Reminder.objects.get(report=report, rule="overdue-1")
    assert coordinator.email in record.recipients
    message = next(m for m in mail.outbox if centre_user.email in m.to)
    assert message.subject.startswith("Прострочено: звіт ЦНАП")
    assert coordinator.email in message.cc


def test_centres_that_worked_part_of_the_quarter_are_not_reminded(campaign):
    part = campaign.reports.filter(status=ReportStatus.NOT_STARTED).first()
    campaign.reports.filter(pk=part.pk).update(part_of_quarter=True)
    reminders.reminders_send(today=campaign.deadline - dt.timedelta(days=3))
    assert not Reminder.objects.filter(report=part).exists()


def test_nothing_is_sent_long_before_the_deadline_or_for_closed_campaigns(campaign):
    assert reminders.reminders_send(today=campaign.deadline - dt.timedelta(days=30)).sent == 0
    services.campaign_close(campaign=campaign)
    assert reminders.reminders_send(today=campaign.deadline - dt.timedelta(days=3)).sent == 0
    assert mail.outbox == []
