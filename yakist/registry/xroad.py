"""X-Road («Трембіта») client identifiers: INSTANCE/CLASS/MEMBER[/SUBSYSTEM].

The characters allowed in each part are those of the X-Road message protocol for REST
(identifier character restrictions: letters, digits and ' ( ) + , - . = ?).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakist.core.problems import Problem

PART = re.compile(r"[A-Za-z0-9'()+,\-.=?]{1,64}")


class XRoadClientInvalid(Problem):
    slug = "xroad-client-invalid"
    status = 400
    title = gettext_lazy("Некоректний ідентифікатор клієнта «Трембіти»")
    description = gettext_lazy(
        "Клієнт X-Road має бути вказаний як INSTANCE/CLASS/MEMBER/SUBSYSTEM (або "
        "INSTANCE/CLASS/MEMBER), напр. UA/GOV/12345678/VULYK; кожна частина — літери, цифри "
        "та символи ' ( ) + , - . = ?"
    )


def xroad_client_parse(value: str | None) -> str:
    """The identifier in its canonical form, or XRoadClientInvalid."""
    parts = (value or "").strip().split("/")
    if not value or not value.strip():
        raise XRoadClientInvalid(_("Не вказано клієнта X-Road (заголовок X-Road-Client)."))
    if len(parts) not in (3, 4) or not all(PART.fullmatch(part) for part in parts):
        raise XRoadClientInvalid(
            _("«%(value)s» не є ідентифікатором клієнта X-Road INSTANCE/CLASS/MEMBER/SUBSYSTEM.")
            % {"value": value[:200]}
        )
    return "/".join(parts)
