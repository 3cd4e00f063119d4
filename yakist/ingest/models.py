"""The intake's durable record: the journal of requests, single-use nonces and the events.

Events live in two tables of the same shape: `Event` for systems in production and
`SandboxEvent` for systems in testing (DESIGN §4.4 sandbox), so test data can never be counted.
The event tables carry no foreign-key constraints: intake validates every code against the
registry before the insert, registry rows are never deleted (they are closed instead), and a
foreign-key trigger per row would cost the hot path a large share of its throughput
(docs/performance.md).

On PostgreSQL `ingest_event` and `ingest_journal` are partitioned by the month of receipt
(yakist.ingest.partitions, docs/scaling.md §1). A partitioned table's unique indexes must hold
the partition key, so the database keys differ from the models' here: the journal's is
(id, received_at) — ids still come from one sequence — and an event's idempotency key
(system, event_id) lives in the narrow unpartitioned `EventKey`. Nothing refers to these
tables with a constraint: `EventBase.journal` is a plain reference.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yakist.ingest.enums import Channel, EventType


class Journal(models.Model):
    """One authenticated intake request, stored as received before it is acknowledged."""

    class Source(models.TextChoices):
        API = "api", _("API")
        TREMBITA = "trembita", _("«Трембіта» (X-Road)")
        DEMO = "demo", _("демо-генератор")
        UPLOAD = "upload", _("завантажений файл")

    system = models.ForeignKey(
        "registry.ConnectedSystem",
        models.PROTECT,
        db_index=False,  # (system, received_at) below serves it
        related_name="journal",
        verbose_name=_("система"),
    )
    key_id = models.CharField(_("ідентифікатор ключа"), max_length=64, blank=True)
    received_at = models.DateTimeField(_("отримано"), default=timezone.now)
    source = models.CharField(_("джерело"), max_length=8, choices=Source.choices, default="api")
    sandbox = models.BooleanField(_("пісочниця"), default=False)
    nonce = models.CharField(_("nonce"), max_length=128, blank=True)
    # The message id a «Трембіта» security server gave the request (X-Road-Id, xrd:id).
    xroad_id = models.CharField(_("ідентифікатор повідомлення X-Road"), max_length=255, blank=True)
    # The signed headers as received: Signature-Input, Signature, Content-Digest, Content-Type…
    headers = models.JSONField(_("заголовки"), default=dict)
    body = models.BinaryField(_("тіло запиту"), editable=False)
    # Set when a value that looked like a personal identifier was cut out of the stored body.
    redacted = models.BooleanField(_("вилучено персональні дані"), default=False)
    event_count = models.PositiveIntegerField(_("подій у пакеті"), default=0)
    accepted = models.PositiveIntegerField(_("прийнято"), default=0)
    duplicates = models.PositiveIntegerField(_("повторів"), default=0)
    rejected = models.PositiveIntegerField(_("відхилено"), default=0)
    # {error type slug: count}, and the first rejections in full for the integrator.
    rejection_types = models.JSONField(_("причини відхилення"), default=dict, blank=True)
    rejections = models.JSONField(_("відхилені події"), default=list, blank=True)
    batch_error = models.CharField(_("помилка пакета"), max_length=60, blank=True)
    processed_at = models.DateTimeField(_("оброблено у справи"), null=True, blank=True)
    # The version of the system's agreement data list the events were checked against.
    data_list_version = models.PositiveIntegerField(_("версія переліку даних"), null=True)

    class Meta:
        verbose_name = _("запис журналу приймання")
        verbose_name_plural = _("журнал приймання подій")
        indexes = [
            models.Index(fields=["system", "received_at"], name="ingest_journal_system_time"),
            models.Index(
                fields=["id"], condition=Q(processed_at__isnull=True), name="ingest_journal_pending"
            ),
            models.Index(
                fields=["system", "xroad_id"],
                condition=~Q(xroad_id=""),
                name="ingest_journal_xroad_id",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.received_at:%Y-%m-%d %H:%M:%S}"


class Nonce(models.Model):
    """A nonce already used with a key: a signed request is accepted once (RFC 9421 §7.2.2)."""

    key_id = models.CharField(max_length=64)
    nonce = models.CharField(max_length=128)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("використаний nonce")
        verbose_name_plural = _("використані nonce")
        constraints = [
            models.UniqueConstraint(fields=["key_id", "nonce"], name="ingest_nonce_once"),
        ]

    def __str__(self) -> str:
        return f"{self.key_id}:{self.nonce}"


class EventBase(models.Model):
    """A case event as accepted: codes resolved to registry ids, the applicant pseudonymised."""

    pk = models.CompositePrimaryKey("system", "event_id")
    system = models.ForeignKey(
        "registry.ConnectedSystem",
        models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
        verbose_name=_("система"),
    )
    event_id = models.UUIDField(_("ідентифікатор події"))
    case_id = models.CharField(_("номер справи в системі"), max_length=100)
    type = models.CharField(_("тип"), max_length=16, choices=EventType.choices)
    occurred_at = models.DateTimeField(_("час події"))
    received_at = models.DateTimeField(_("отримано"))
    # Plain references: no constraint and no index of their own (see the module docstring).
    journal = models.ForeignKey(
        Journal, models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    service = models.ForeignKey(
        "registry.Service",
        models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    centre = models.ForeignKey(
        "registry.Centre",
        models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        related_name="+",
    )
    provider = models.ForeignKey(
        "registry.Organisation",
        models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    channel = models.CharField(_("канал"), max_length=20, choices=Channel.choices)
    status = models.CharField(_("стан"), max_length=16, blank=True)
    reason = models.CharField(_("причина"), max_length=300, blank=True)
    rating = models.PositiveSmallIntegerField(_("оцінка"), null=True)
    applicant_pseudonym = models.CharField(_("псевдонім заявника"), max_length=64, blank=True)

    class Meta:
        abstract = True
        # Each index costs the hot path; the case projection needs this one only (it finds
        # the cases a journal entry touched from the entry's own body).
        indexes = [models.Index(fields=["system", "case_id"], name="%(app_label)s_%(class)s_case")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.type} {self.occurred_at:%Y-%m-%d %H:%M}"


class Event(EventBase):
    class Meta(EventBase.Meta):
        verbose_name = _("подія справи")
        verbose_name_plural = _("події справ")


class SandboxEvent(EventBase):
    class Meta(EventBase.Meta):
        verbose_name = _("подія справи (пісочниця)")
        verbose_name_plural = _("події справ (пісочниця)")


class EventKey(models.Model):
    """The idempotency key of a stored production event, for every month at once.

    Used on PostgreSQL only, where `ingest_event` is partitioned by month and cannot itself
    hold a unique (system, event_id): intake inserts the key and the event in one statement,
    and only the events whose keys were new (yakist.ingest.store). `received_at` leads from a
    key to the month its event is in. A deleted event takes its key with it (a trigger), and
    retention removes the keys of the months it drops. On SQLite the table stays empty:
    `ingest_event` there is one table with (system, event_id) as its primary key.
    """

    pk = models.CompositePrimaryKey("system", "event_id")
    system = models.ForeignKey(
        "registry.ConnectedSystem",
        models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    event_id = models.UUIDField()
    received_at = models.DateTimeField()

    class Meta:
        verbose_name = _("ключ події справи")
        verbose_name_plural = _("ключі подій справ")

    def __str__(self) -> str:
        return f"{self.system_id}:{self.event_id}"


class CaseUpload(models.Model):
    """A CSV/XLSX file of case events uploaded by a subject not connected (Resolution 864
    p.3(1)), kept with its outcome row by row. Its events go through the same validation and
    journal as API events (one journal entry per chunk, source "upload")."""

    system = models.ForeignKey(
        "registry.ConnectedSystem",
        models.PROTECT,
        related_name="uploads",
        verbose_name=_("канал завантаження"),
    )
    uploaded_at = models.DateTimeField(_("завантажено"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("хто завантажив"),
    )
    filename = models.CharField(_("назва файлу"), max_length=200)
    file = models.FileField(_("файл"), upload_to="uploads/")
    rows = models.PositiveIntegerField(_("рядків"), default=0)
    accepted = models.PositiveIntegerField(_("прийнято"), default=0)
    duplicates = models.PositiveIntegerField(_("повторів"), default=0)
    rejected = models.PositiveIntegerField(_("відхилено"), default=0)
    # [{"row": n, "event_id": …, "errors": [problem items]}], in file order.
    rejections = models.JSONField(_("відхилені рядки"), default=list, blank=True)
    journal_ids = models.JSONField(_("записи журналу"), default=list, blank=True)

    class Meta:
        verbose_name = _("завантаження справ з файлу")
        verbose_name_plural = _("завантаження справ з файлів")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.filename} {self.uploaded_at:%Y-%m-%d %H:%M}"
