"""Reminders before and after the deadline (`yakist statmon remind`, daily from cron).

On a given day only the latest rule that has come due applies (a missed cron run never sends
two reminders at once), each rule is sent at most once per report, and reports of centres that
worked only part of the quarter are marked, not reminded. A rule is claimed in the database
before its e-mail goes out, so two runs at once cannot both send it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from yakist.accounts.services import audit_record
from yakist.core.periods import Period
from yakist.statmon import mail, selectors
from yakist.statmon.models import EDITABLE_STATUSES, Campaign, Reminder, Report


@dataclass
class RemindResult:
    sent: int = 0
    without_address: int = 0
    rules: dict[str, str] | None = None


def rule_due(campaign: Campaign, today: dt.date) -> tuple[str, int] | None:
    """The rule that applies to `campaign` today, if any."""
    offset = (today - campaign.deadline).days
    due = [
        rule
        for rule in sorted(settings.STATMON_REMINDER_RULES, key=lambda r: r[1])
        if rule[1] <= offset
    ]
    return tuple(due[-1]) if due else None


def reminders_send(*, today: dt.date | None = None, dry_run: bool = False) -> RemindResult:
    today = today or selectors.today_kyiv()
    result = RemindResult(rules={})
    for campaign in Campaign.objects.filter(status=Campaign.State.OPEN).order_by("period"):
        due = rule_due(campaign, today)
        if due is None:
            continue
        rule, offset = due
        result.rules[campaign.period] = rule
        with transaction.atomic():
            # The campaign row serialises concurrent runs; claims are written before sending.
            Campaign.objects.select_for_update().get(pk=campaign.pk)
            reports = list(
                campaign.reports.filter(status__in=EDITABLE_STATUSES, part_of_quarter=False)
                .exclude(reminders__rule=rule)
                .select_related("centre", "centre__parent", "campaign")
            )
            recipients = mail.centre_recipients(reports)
            coordinators = (
                mail.coordinator_recipients({r.centre.region_id for r in reports})
                if offset > 0
                else {}
            )
            addressed = [r for r in reports if recipients.get(r.pk)]
            result.without_address += len(reports) - len(addressed)
            if dry_run or not addressed:
                continue
            messages = [
                _message(report, rule, offset, recipients[report.pk], coordinators)
                for report in addressed
            ]
            claims = Reminder.objects.bulk_create(
                [
                    Reminder(
                        report=report,
                        rule=rule,
                        recipients=email.to + email.cc,
                        subject=email.subject,
                    )
                    for report, email in zip(addressed, messages, strict=True)
                ]
            )
        try:
            result.sent += mail.send_all(messages)
        except Exception:
            # Nothing is known to have gone out: release the claims so the next run retries.
            Reminder.objects.filter(pk__in=[claim.pk for claim in claims]).delete()
            raise
        audit_record(
            action="statmon_remind", obj=campaign, changes={"rule": rule, "sent": len(messages)}
        )
    return result


def _message(report: Report, rule: str, offset: int, to: list[str], coordinators: dict):
    period = Period.parse(report.campaign.period)
    deadline = report.campaign.deadline.strftime("%d.%m.%Y")
    if offset <= 0:
        subject = _("Нагадування: звіт ЦНАП за %(period)s — строк подання %(deadline)s") % {
            "period": period.label,
            "deadline": deadline,
        }
        lead = _("До строку подання квартального звіту залишилося днів: %(n)s.") % {"n": -offset}
    else:
        subject = _("Прострочено: звіт ЦНАП за %(period)s не подано (строк — %(deadline)s)") % {
            "period": period.label,
            "deadline": deadline,
        }
        lead = _("Строк подання квартального звіту минув %(deadline)s.") % {"deadline": deadline}
    body = "\n\n".join(
        [
            report.centre.name,
            lead,
            _("Стан звіту: %(status)s.") % {"status": report.get_status_display()},
            _("Заповнити й подати звіт: %(url)s") % {"url": mail.report_url(report)},
            _("Лист надіслано автоматично системою «Якість» (правило %(rule)s).") % {"rule": rule},
        ]
    )
    cc = coordinators.get(report.centre.region_id, [])
    return mail.message(subject=subject, body=body, to=to, cc=cc)
