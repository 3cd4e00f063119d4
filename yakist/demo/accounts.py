"""Demo step: one login per role, scoped to real places of the demo world."""

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission

from yakist.accounts.enums import Role
from yakist.accounts.services import staff_user_create
from yakist.demo.registry import SHOWCASE_HROMADA as LVIV_HROMADA
from yakist.demo.registry import SHOWCASE_REGION as LVIV_REGION
from yakist.demo.runner import DemoContext
from yakist.registry.models import ConnectedSystem
from yakist.registry.models.reference import Centre, MonitoringNotice, Organisation, Territory

DEMO_PASSWORD = "yakist-demo-2026"  # noqa: S105  (printed on screen; demo database only)

DEMO_USERS = [
    # username, role, first name, last name
    ("ministry", Role.MINISTRY_ANALYST, "Олена", "Коваленко"),
    ("coordinator", Role.REGIONAL_COORDINATOR, "Андрій", "Мельник"),
    ("centre", Role.CENTRE_ADMIN, "Ірина", "Бондар"),
    ("provider", Role.PROVIDER_OFFICER, "Максим", "Ткаченко"),
    ("integrator", Role.SYSTEM_INTEGRATOR, "Тарас", "Шевчук"),
    ("auditor", Role.AUDITOR, "Наталія", "Кравченко"),
    ("omc", Role.LOCAL_GOV_OFFICIAL, "Оксана", "Гнатюк"),
    ("military", Role.MILITARY_ADMIN_OFFICIAL, "Богдан", "Савчук"),
    ("uploader", Role.CENTRE_ADMIN, "Світлана", "Романюк"),
]


def logins(ctx: DemoContext) -> str:
    users = get_user_model().objects
    region = Territory.objects.get(code=LVIV_REGION)
    centre = Centre.objects.filter(hromada_id=LVIV_HROMADA, kind=Centre.Kind.CENTRE).first() or (
        Centre.objects.filter(region=region, kind=Centre.Kind.CENTRE).order_by("code").first()
    )
    provider = (
        Organisation.objects.filter(kind=Organisation.Kind.PROVIDER, region=region)
        .order_by("code")
        .first()
    )
    system = ConnectedSystem.objects.order_by("pk").first()
    council = Organisation.objects.filter(
        kind=Organisation.Kind.LOCAL_GOVERNMENT, territory_id=LVIV_HROMADA
    ).first()
    military = Organisation.objects.filter(kind=Organisation.Kind.MILITARY_ADMINISTRATION).first()
    notice = MonitoringNotice.objects.filter(centre__isnull=False).first()
    scopes = {
        Role.REGIONAL_COORDINATOR: {"region": region},
        Role.CENTRE_ADMIN: {"centre": centre},
        Role.PROVIDER_OFFICER: {"organisation": provider},
        Role.SYSTEM_INTEGRATOR: {"system": system},
        Role.LOCAL_GOV_OFFICIAL: {"organisation": council},
        Role.MILITARY_ADMIN_OFFICIAL: {"organisation": military},
    }
    # A second centre administrator: of the centre not connected, which uploads files.
    per_user = {"uploader": {"centre": notice.centre if notice else None}}
    created = []
    for username, role, first, last in DEMO_USERS:
        if users.filter(username=username).exists():
            continue
        scope = per_user.get(username, scopes.get(role, {}))
        if any(value is None for value in scope.values()):
            ctx.console.print(
                f"[yellow]Пропущено демо-вхід {username}: немає об'єкта для його зони"
            )
            continue
        staff_user_create(
            username=username,
            password=None,  # set below
            role=role,
            first_name=first,
            last_name=last,
            email=f"{username}@demo.example",
            **scope,
        )
        created.append(username)
    # One hash for the shared password: a deliberately slow hash six times costs seconds.
    users.filter(username__in=created).update(password=make_password(DEMO_PASSWORD))
    ministry = users.get(username="ministry")
    group, _ = Group.objects.get_or_create(name="Мінцифри: ведення реєстру")
    group.permissions.set(Permission.objects.filter(content_type__app_label="registry"))
    ministry.groups.add(group)
    return f"Демо-входи: {len(created)} нових, усього {len(DEMO_USERS)}"


def demo_logins() -> list[dict[str, str]]:
    """What `yakist demo` prints: each demo login with its role and scope."""
    rows = []
    users = get_user_model().objects.select_related(
        "staff_profile__region",
        "staff_profile__centre",
        "staff_profile__organisation",
        "staff_profile__system",
    )
    for username, role, _, _ in DEMO_USERS:
        user = users.filter(username=username).first()
        if user is None:
            continue
        profile = user.staff_profile
        scope = (
            profile.region
            or profile.centre
            or profile.organisation
            or profile.system
            or "вся країна"
        )
        rows.append(
            {
                "username": username,
                "password": DEMO_PASSWORD,
                "role": str(Role(role).label),
                "scope": str(scope),
            }
        )
    return rows
