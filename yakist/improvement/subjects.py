"""Naming the subject a record is about: "centre:CODE", "provider:CODE", "hromada:KATOTTG",
"region:KATOTTG" or "nation", resolved against the registry."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from yakist.core.problems import ValidationFailed
from yakist.registry.models.reference import Centre, Organisation, Territory


@dataclass(frozen=True)
class SubjectRef:
    type: str
    key: str
    name: str
    centre_id: int | None = None
    organisation_id: int | None = None
    region_id: str | None = None

    @property
    def label(self) -> str:
        return f"{self.type}:{self.key}" if self.key else self.type

    def fields(self) -> dict:
        return {
            "subject_type": self.type,
            "subject_key": self.key,
            "subject_name": self.name,
            "centre_id": self.centre_id,
            "organisation_id": self.organisation_id,
            "region_id": self.region_id,
        }


def subject_resolve(text: str) -> SubjectRef:
    kind, _sep, key = (text or "").strip().partition(":")
    key = key.strip()
    if kind == "nation":
        return SubjectRef("nation", "", _("Україна"))
    if kind == "centre":
        centre = Centre.objects.filter(code=key).first()
        if centre is not None:
            main = centre.main_centre
            return SubjectRef(
                "centre", main.code, main.name, centre_id=main.pk, region_id=main.region_id
            )
    elif kind == "provider":
        provider = Organisation.objects.filter(code=key).first()
        if provider is not None:
            return SubjectRef(
                "provider",
                provider.code,
                str(provider),
                organisation_id=provider.pk,
                region_id=provider.region_id,
            )
    elif kind in ("hromada", "region"):
        territory = Territory.objects.filter(code=key).first()
        if territory is not None and (kind == "region") == territory.is_region:
            region = territory.code if territory.is_region else territory.region_id
            return SubjectRef(kind, territory.code, territory.display_name, region_id=region)
    raise ValidationFailed(
        _(
            "Суб'єкта «%(s)s» не знайдено. Вкажіть centre:КОД, provider:КОД, "
            "hromada:КАТОТТГ, region:КАТОТТГ або nation."
        )
        % {"s": text[:80]}
    )


def own_subject(scope) -> str:
    """The subject a viewer records for by default."""
    if scope.centre_id:
        code = Centre.objects.filter(pk=scope.centre_id).values_list("code", flat=True).first()
        return f"centre:{code}"
    if scope.organisation_id:
        code = (
            Organisation.objects.filter(pk=scope.organisation_id)
            .values_list("code", flat=True)
            .first()
        )
        return f"provider:{code}"
    if scope.region_code:
        return f"region:{scope.region_code}"
    return "nation"
