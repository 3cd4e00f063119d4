"""Demo steps of the registry: real KATOTTG territories and a synthetic national network.

Real parts: the codifier, the curated services in data/services.csv and the central providers
in data/providers.csv. Synthetic parts (marked as such): centres and their access points,
local councils, territorial units of providers, extra services, connected systems and keys.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.db import transaction
from django.db.models import Q

from yakist.demo.runner import DemoContext
from yakist.registry import importers
from yakist.registry.enums import Status, TermUnit
from yakist.registry.models import (
    Centre,
    ConnectedSystem,
    Organisation,
    Service,
    ServiceTerm,
    Territory,
)
from yakist.registry.services import PROVIDER_KINDS, system_add
from yakist.registry.territories import KYIV, codifier_rows, territories_import

DATA_DIR = settings.BASE_DIR / "data"
MINISTRY_CODE = "43220275"  # Міністерство цифрової трансформації України (ЄДРПОУ)
LUHANSK = "UA44000000000018893"
# Regions with many hromadas under occupation or in the zone of hostilities: a share of their
# centres is shown as temporarily not working (illustrative, not the official list).
FRONTLINE_SHARE = {
    "UA14000000000091971": 0.55,  # Донецька
    "UA23000000000064947": 0.45,  # Запорізька
    "UA65000000000030969": 0.45,  # Херсонська
    "UA63000000000041885": 0.15,  # Харківська
    "UA59000000000057109": 0.08,  # Сумська
}
STREETS = [
    "вул. Незалежності",
    "вул. Соборна",
    "вул. Шевченка",
    "вул. Центральна",
    "вул. Миру",
    "вул. Грушевського",
    "вул. Івана Франка",
    "майдан Незалежності",
    "вул. Героїв України",
    "вул. Лесі Українки",
    "вул. Січових Стрільців",
    "вул. Гетьмана Мазепи",
    "площа Ринок",
]
HOURS = [
    "Пн, Вт, Чт 08:00–17:00; Ср 08:00–20:00; Пт 08:00–16:00; Сб 08:00–15:00",
    "Пн–Пт 08:00–17:00, без перерви; Ср до 20:00",
    "Пн–Пт 09:00–18:00; Сб 09:00–14:00",
    "Пн–Чт 08:00–17:00; Пт 08:00–15:45",
]
SETTLEMENT_RANK = {"M": 0, "T": 1, "X": 2, "C": 3}
POPULATION_SCALE = {"M": 42000, "T": 9000, "X": 5500, "C": 4500}


def territories(ctx: DemoContext) -> str:
    rows = codifier_rows()
    created, updated = territories_import(
        rows=list(ctx.track(rows, total=len(rows), description="КАТОТТГ"))
    )
    return f"КАТОТТГ: {len(rows)} об'єктів (додано {created}, оновлено {updated})"


def world(ctx: DemoContext) -> str:
    with transaction.atomic():
        ministry = _ministry()
        regional = _regional_administrations()
        provider_count = _providers(ctx, regional)
        service_count = _services(ctx)
        councils, centres = _centres(ctx)
        systems = _systems(ctx, ministry)
    return (
        f"Мережа: {centres} точок доступу, {councils} громад з ЦНАП, {provider_count} суб'єктів "
        f"надання, {service_count} послуг, {systems} підключених систем"
    )


def _ministry() -> Organisation:
    ministry, _ = Organisation.objects.get_or_create(
        code=MINISTRY_CODE,
        defaults={
            "kind": Organisation.Kind.MINISTRY,
            "name": "Міністерство цифрової трансформації України",
            "name_en": "Ministry of Digital Transformation of Ukraine",
            "short_name": "Мінцифри",
            "territory_id": KYIV,
            "region_id": KYIV,
            "address": "м. Київ, вул. Михайла Грушевського, 12/2",
            "website": "https://thedigital.gov.ua",
        },
    )
    return ministry


def _regional_administrations() -> dict[str, Organisation]:
    result = {}
    for region in Territory.objects.filter(category__in=Territory.TOP_LEVEL).exclude(occupied=True):
        name = (
            "Київська міська державна адміністрація"
            if region.code == KYIV
            else f"{region.name} обласна державна адміністрація"
        )
        short = "КМДА" if region.code == KYIV else f"{region.name} ОДА"
        result[region.code], _ = Organisation.objects.get_or_create(
            code=f"ra-{region.code}",
            defaults={
                "kind": Organisation.Kind.REGIONAL_ADMINISTRATION,
                "name": name,
                "short_name": short,
                "territory": region,
                "region": region,
            },
        )
    return result


def _providers(ctx: DemoContext, regional: dict[str, Organisation]) -> int:
    """Central providers from data/providers.csv and a territorial unit of each per region."""
    path = DATA_DIR / "providers.csv"
    if path.exists():
        report = importers.registry_import(
            kind="organisations", filename=path.name, content=path.read_bytes()
        )
        if report.errors:
            raise RuntimeError("data/providers.csv: " + "; ".join(map(str, report.errors[:5])))
    central = list(Organisation.objects.filter(kind=Organisation.Kind.PROVIDER, parent=None))
    existing = set(Organisation.objects.values_list("code", flat=True))
    units = []
    for provider in central:
        for region_code in regional:
            code = f"{provider.code}-{region_code[2:4]}"
            if code in existing:
                continue
            region = Territory(code=region_code)
            units.append(
                Organisation(
                    code=code,
                    kind=Organisation.Kind.PROVIDER,
                    parent=provider,
                    name=f"Територіальний орган: {provider.short_name or provider.name} — "
                    f"{regional[region_code].territory.display_name}",
                    short_name=f"{provider.short_name or provider.name[:40]} ({region_code[2:4]})",
                    territory=region,
                    region=region,
                )
            )
    Organisation.objects.bulk_create(units, batch_size=1000)
    return Organisation.objects.filter(kind=Organisation.Kind.PROVIDER).count()


SYNTHETIC_SERVICE_TEMPLATES = [
    ("Видача довідки про {x}", "Довідки та витяги", (5, TermUnit.WORKING_DAYS)),
    ("Погодження {x}", "Місцеве самоврядування", (30, TermUnit.CALENDAR_DAYS)),
    ("Видача дозволу на {x}", "Дозвільні послуги", (10, TermUnit.WORKING_DAYS)),
    ("Реєстрація {x}", "Місцеве самоврядування", (1, TermUnit.WORKING_DAYS)),
]
SYNTHETIC_SUBJECTS = [
    "склад сім'ї",
    "місце проживання дитини",
    "розміщення зовнішньої реклами",
    "порушення благоустрою",
    "розміщення тимчасової споруди",
    "видалення зелених насаджень",
    "влаштування пандуса",
    "проведення масового заходу",
    "присвоєння поштової адреси",
    "зміну цільового призначення приміщення",
    "облаштування майданчика",
    "вулична торгівля",
    "перепланування квартири",
    "встановлення вивіски",
    "відкриття літнього майданчика",
    "тимчасове перекриття руху",
    "розкопування ґрунту",
    "прокладання кабелю",
    "знесення аварійної споруди",
    "встановлення меморіальної дошки",
]


def _services(ctx: DemoContext) -> int:
    path = DATA_DIR / "services.csv"
    if path.exists():
        report = importers.registry_import(
            kind="services", filename=path.name, content=path.read_bytes(), allow_partial=True
        )
        if report.errors:
            ctx.console.print(f"[yellow]data/services.csv: {len(report.errors)} рядків з помилками")
    rng = ctx.rng("services")
    existing = set(Service.objects.values_list("code", flat=True))
    services, terms = [], []
    number = 0
    for template, category, (value, unit) in SYNTHETIC_SERVICE_TEMPLATES:
        for subject in SYNTHETIC_SUBJECTS:
            number += 1
            code = f"D-{number:04d}"
            if code in existing:
                continue
            services.append(
                Service(
                    code=code,
                    name=template.format(x=subject),
                    category=category,
                    online_available=rng.random() < 0.35,
                    is_paid=rng.random() < 0.2,
                    synthetic=True,
                    source_note="Синтетична послуга для демонстрації",
                )
            )
            terms.append((code, value, unit))
    Service.objects.bulk_create(services)
    ids = dict(Service.objects.filter(code__in=[c for c, _, _ in terms]).values_list("code", "pk"))
    ServiceTerm.objects.bulk_create(
        [
            ServiceTerm(
                service_id=ids[code],
                value=value,
                unit=unit,
                effective_from="2021-01-01",
                source="Синтетичний строк (демо)",
            )
            for code, value, unit in terms
        ]
    )
    return Service.objects.count()


def _centres(ctx: DemoContext) -> tuple[int, int]:
    rng = ctx.rng("centres")
    if Centre.objects.exists():
        return (
            Centre.objects.filter(kind="centre").values("hromada").distinct().count(),
            Centre.objects.count(),
        )
    settlements = _settlements()
    hromadas = list(
        Territory.objects.filter(category="H", occupied=False)
        .order_by("code")
        .values_list("code", "name", "region_id")
    )
    councils, centres = [], []
    for code, name, region in ctx.track(hromadas, total=len(hromadas), description="Громади"):
        council = _hromada_network(
            rng, code, name, region, places=settlements.get(code) or [], centres=centres
        )
        if council is not None:
            councils.append(council)
    councils.extend(_kyiv(rng, centres))
    _save_network(councils, centres)
    return len(councils), len(centres)


def _settlements() -> dict[str, list[tuple[int, str, str, str]]]:
    """Each hromada's free settlements, the likeliest seat (a city before a village) first."""
    settlements = defaultdict(list)
    for code, name, category, hromada in Territory.objects.filter(
        category__in=["M", "T", "X", "C"], occupied=False
    ).values_list("code", "name", "category", "hromada_id"):
        settlements[hromada].append((SETTLEMENT_RANK[category], code, name, category))
    for items in settlements.values():
        items.sort()
    return settlements


def _hromada_network(
    rng,
    code: str,
    name: str,
    region: str,
    *,
    places: list[tuple[int, str, str, str]],
    centres: list[Centre],
) -> Organisation | None:
    """A hromada's council with its centre, access points and maybe a mobile centre (added to
    `centres`); None where the hromada has no settlement or has not opened a centre."""
    if not places:
        return None
    _, seat_code, seat_name, seat_category = places[0]
    if rng.random() > (0.98 if seat_category == "M" else 0.86):
        return None  # not every hromada has opened a centre
    council_kind = {"M": "міська", "T": "селищна", "X": "селищна"}.get(seat_category, "сільська")
    council = Organisation(
        code=f"lg-{code}",
        kind=Organisation.Kind.LOCAL_GOVERNMENT,
        name=f"{name} {council_kind} рада",
        territory_id=code,
        region_id=region,
    )
    status = _status_for(rng, region)
    population = (
        int(POPULATION_SCALE[seat_category] * math.exp(rng.gauss(0, 0.6)))
        + 2000 * len(places) // 10
    )
    main = _centre(
        rng,
        code=f"{code}-01",
        kind=Centre.Kind.CENTRE,
        council=council,
        territory=seat_code,
        hromada=code,
        region=region,
        status=status,
        population=population,
        name=f"Центр надання адміністративних послуг {_genitive_council(name, council_kind)}",
        settlement=seat_name,
    )
    centres.append(main)
    points = _access_points(rng, main, council, places[1:], population)
    centres.extend(points)
    if rng.random() < 0.03:
        centres.append(
            _centre(
                rng,
                code=f"{code}-{len(points) + 2:02d}",
                kind=Centre.Kind.MOBILE,
                council=council,
                territory=seat_code,
                hromada=code,
                region=region,
                status=status,
                population=0,
                parent_code=main.code,
                name=f"Мобільний ЦНАП {name} громади",
                settlement=seat_name,
            )
        )
    return council


def _access_points(
    rng,
    main: Centre,
    council: Organisation,
    places: list[tuple[int, str, str, str]],
    population: int,
) -> list[Centre]:
    """Subdivisions in towns and remote workplaces in villages, at most eight a hromada."""
    points: list[Centre] = []
    for _rank, place_code, place_name, category in places:
        chance = 0.35 if category in ("M", "T") else 0.06
        if rng.random() > chance:
            continue
        kind = Centre.Kind.SUBDIVISION if category in ("M", "T") else Centre.Kind.REMOTE_WORKPLACE
        label = (
            "Територіальний підрозділ"
            if kind == Centre.Kind.SUBDIVISION
            else "Віддалене робоче місце"
        )
        points.append(
            _centre(
                rng,
                code=f"{main.hromada_id}-{len(points) + 2:02d}",
                kind=kind,
                council=council,
                territory=place_code,
                hromada=main.hromada_id,
                region=main.region_id,
                status=(
                    main.status
                    if main.status != Status.ACTIVE
                    else _status_for(rng, main.region_id)
                ),
                population=int(population * 0.15),
                parent_code=main.code,
                name=f"{label} ЦНАП у {_place(place_name, category)}",
                settlement=place_name,
            )
        )
        if len(points) + 1 >= 9:
            break
    return points


def _save_network(councils: list[Organisation], centres: list[Centre]) -> None:
    """Councils first, then centres linked to their founders, then access points to parents."""
    Organisation.objects.bulk_create(councils, batch_size=1000)
    founders = dict(
        Organisation.objects.filter(kind__in=["local_gov", "regional_admin"]).values_list(
            "code", "pk"
        )
    )
    for centre in centres:
        centre.founder_id = founders.get(centre.founder_code)
    main_centres = [c for c in centres if c.kind == Centre.Kind.CENTRE]
    Centre.objects.bulk_create(main_centres, batch_size=1000)
    parents = dict(Centre.objects.values_list("code", "pk"))
    points = [c for c in centres if c.kind != Centre.Kind.CENTRE]
    for point in points:
        point.parent_id = parents[point.parent_code]
    Centre.objects.bulk_create(points, batch_size=1000)


def _kyiv(rng, centres: list[Centre]) -> list[Organisation]:
    """Kyiv has a centre in each of its ten districts, founded by the district administration."""
    councils = []
    for district in Territory.objects.filter(region_id=KYIV, category="B").order_by("code"):
        council = Organisation(
            code=f"lg-{district.code}",
            kind=Organisation.Kind.LOCAL_GOVERNMENT,
            name=f"{district.name} районна в місті Києві державна адміністрація",
            territory_id=district.code,
            region_id=KYIV,
        )
        councils.append(council)
        centres.append(
            _centre(
                rng,
                code=f"{district.code}-01",
                kind=Centre.Kind.CENTRE,
                council=council,
                territory=district.code,
                hromada=KYIV,
                region=KYIV,
                status=Status.ACTIVE,
                population=int(300000 * math.exp(rng.gauss(0, 0.2))),
                name="Центр надання адміністративних послуг "
                f"{district.name[:-2]}ого району м. Києва",
                settlement="Київ",
            )
        )
    return councils


def _centre(
    rng,
    *,
    code,
    kind,
    council,
    territory,
    hromada,
    region,
    status,
    population,
    name,
    settlement,
    parent_code=None,
) -> Centre:
    centre = Centre(
        code=code,
        kind=kind,
        name=name,
        territory_id=territory,
        hromada_id=hromada,
        region_id=region,
        status=status,
        population_served=population,
        address=f"{settlement}, {rng.choice(STREETS)}, {rng.randint(1, 120)}",
        working_hours=rng.choice(HOURS),
        phone=f"+380 {rng.randint(31, 69)} 000 {rng.randint(10, 99)} {rng.randint(10, 99)}",
        email=f"cnap-{code.lower()[2:14]}@demo.example",
        opened_on=f"{rng.randint(2013, 2023)}-{rng.randint(1, 12):02d}-01",
        closed_on="2022-02-24" if status == Status.CLOSED else None,
    )
    centre.founder_code = council.code
    centre.parent_code = parent_code
    return centre


def _status_for(rng, region: str) -> str:
    if region == LUHANSK:
        return Status.SUSPENDED
    if rng.random() < FRONTLINE_SHARE.get(region, 0.0):
        return Status.SUSPENDED
    return Status.ACTIVE


def _genitive_council(name: str, council_kind: str) -> str:
    ending = {"міська": "міської", "селищна": "селищної", "сільська": "сільської"}[council_kind]
    stem = name[:-1] + "ої" if name.endswith("а") else name
    return f"{stem} {ending} ради"


def _place(name: str, category: str) -> str:
    return {"M": "м. ", "T": "смт ", "X": "с-щі ", "C": "с. "}.get(category, "") + name


# The demo's showcase: the Lviv city council's centre, administered by the demo login
# `centre` in Lviv oblast (the `coordinator`'s): always connected to the main system, and with
# the caseload of a city centre rather than an average one (yakist.demo.stream).
SHOWCASE_REGION = "UA46000000000026241"
SHOWCASE_HROMADA = "UA46060250000025047"

DEMO_SYSTEMS = [
    # name, status, share of active centres in scope (None = all)
    ("ПК ЦНАП «Вулик» (СЕВ ОВВ)", ConnectedSystem.State.ACTIVE, 0.72),
    ("Власна система ЦНАП «Е-Черга» (демо)", ConnectedSystem.State.ACTIVE, 0.18),
    ("Реєстр суб'єкта надання (демо)", ConnectedSystem.State.ACTIVE, None),
    ("Пісочниця інтегратора (демо)", ConnectedSystem.State.TESTING, 0.01),
]
# The main system also calls through «Трембіта» (X-Road); the demo's live sender sends part of
# its stream through the REST door from 127.0.0.1, which the demo trusts as a security server.
# The member code is a placeholder, not a real ЄДРПОУ code.
DEMO_XROAD_CLIENTS = {"ПК ЦНАП «Вулик» (СЕВ ОВВ)": "UA/GOV/12345678/VULYK"}


def _systems(ctx: DemoContext, ministry: Organisation) -> int:
    """Connected systems with deterministic demo keys written to var/demo-keys/."""
    rng = ctx.rng("systems")
    key_dir = settings.VAR_DIR / "demo-keys"
    key_dir.mkdir(parents=True, exist_ok=True)
    centre_codes = list(
        Centre.objects.filter(status=Status.ACTIVE).order_by("code").values_list("code", flat=True)
    )
    rng.shuffle(centre_codes)
    showcase = set(
        Centre.objects.filter(
            Q(hromada_id=SHOWCASE_HROMADA, kind=Centre.Kind.CENTRE)
            | Q(parent__hromada_id=SHOWCASE_HROMADA, parent__kind=Centre.Kind.CENTRE)
        ).values_list("code", flat=True)
    )
    # First in line, so the first system (ПК «Вулик») reports for the showcase centre.
    centre_codes.sort(key=lambda code: code not in showcase)
    offset = 0
    for index, (name, status, share) in enumerate(DEMO_SYSTEMS):
        if ConnectedSystem.objects.filter(name=name).exists():
            continue
        private = Ed25519PrivateKey.from_private_bytes(
            hashlib.sha256(f"yakist-demo:{ctx.seed}:{name}".encode()).digest()
        )
        public_pem = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        if share is None:
            scope = None
        else:
            count = max(1, int(len(centre_codes) * share))
            scope = centre_codes[offset : offset + count]
            offset += count
            scope += _providers_at(scope)
        key = system_add(
            name=name,
            public_key=public_pem,
            scope=scope,
            status=status,
            operator=ministry if share is None else None,
            xroad_clients=[DEMO_XROAD_CLIENTS[name]] if name in DEMO_XROAD_CLIENTS else [],
        )
        _write_key(key_dir / f"system-{index + 1}", private, key.key_id, name)
    return ConnectedSystem.objects.count()


def _providers_at(centre_codes: list[str]) -> list[str]:
    """The providers a centre's own system reports for (its connection scope holds centres and
    providers, docs/integration.md): the central providers whose services centres deliver (with
    their territorial units) and the councils that founded these centres and access points."""
    central = Organisation.objects.filter(
        Q(kind=Organisation.Kind.PROVIDER, parent__isnull=True) | Q(services__isnull=False)
    )
    founders = Organisation.objects.filter(
        Q(centres__code__in=centre_codes) | Q(centres__parent__code__in=centre_codes),
        kind__in=PROVIDER_KINDS,
    )
    return sorted(
        set(central.values_list("code", flat=True)) | set(founders.values_list("code", flat=True))
    )


def _write_key(base: Path, private: Ed25519PrivateKey, key_id: str, name: str) -> None:
    base.with_suffix(".pem").write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    base.with_suffix(".pem").chmod(0o600)
    base.with_suffix(".pub.pem").write_bytes(
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    base.with_suffix(".keyid").write_text(f"{key_id}\n# {name}\n", encoding="utf-8")
