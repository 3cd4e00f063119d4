"""The roles of staff accounts, importable by any stage without the accounts models."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MINISTRY_ANALYST = "ministry_analyst", _("Аналітик Мінцифри")
    REGIONAL_COORDINATOR = "regional_coordinator", _("Регіональний координатор (ОДА / КМДА)")
    CENTRE_ADMIN = "centre_admin", _("Адміністратор ЦНАП")
    PROVIDER_OFFICER = "provider_officer", _("Посадовець суб'єкта надання")
    SYSTEM_INTEGRATOR = "system_integrator", _("Інтегратор інформаційної системи")
    AUDITOR = "auditor", _("Аудитор")
    # Resolution 864 p.3(3)–(4): every subject names officials; a hromada's council (ОМС) or,
    # where it acts for the council, its military administration.
    LOCAL_GOV_OFFICIAL = "local_gov_official", _("Посадовець органу місцевого самоврядування")
    MILITARY_ADMIN_OFFICIAL = "military_admin_official", _("Посадовець військової адміністрації")
