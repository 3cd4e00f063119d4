"""Errors of the event intake: for a whole request (RFC 9457 responses) and for one event.

Every class registers a stable type `/problems/<slug>` with a human page in the catalogue, so
an integrator can look up any `type` a response carries (docs/integration.md lists them all).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _

from yakist.core.problems import Problem


# --- Whole-request errors (raised, answered as application/problem+json) ---
class SignatureProblem(Problem):
    slug = "signature-invalid"
    status = 401
    title = _("Підпис запиту недійсний")
    description = _(
        "Підпис HTTP Message Signatures (RFC 9421) не пройшов перевірку: підпис не відповідає "
        "ключу або підписаним компонентам запиту."
    )


class SignatureMissing(SignatureProblem):
    slug = "signature-missing"
    title = _("Запит не підписано")
    description = _(
        "Потрібні заголовки Signature-Input і Signature (RFC 9421, алгоритм ed25519) та "
        "Content-Digest (RFC 9530)."
    )


class SignatureMalformed(SignatureProblem):
    slug = "signature-malformed"
    title = _("Некоректні заголовки підпису")
    description = _(
        "Signature-Input або Signature не є коректними структурованими полями RFC 8941, "
        "містять не один підпис або не мають параметрів keyid, created, nonce."
    )


class SignatureUnknownKey(SignatureProblem):
    slug = "signature-unknown-key"
    title = _("Невідомий ключ")
    description = _("Ключ з таким keyid не зареєстровано (`yakist systems add` видає keyid).")


class SignatureKeyRevoked(SignatureProblem):
    slug = "signature-key-revoked"
    title = _("Ключ відкликано")
    description = _("Ключ відкликано; підпишіть запит іншим чинним ключем системи.")


class SignatureKeyExpired(SignatureProblem):
    slug = "signature-key-expired"
    title = _("Ключ не чинний")
    description = _("Строк дії ключа закінчився або ще не почався.")


class SignatureAlgorithm(SignatureProblem):
    slug = "signature-algorithm"
    title = _("Непідтримуваний алгоритм підпису")
    description = _("Параметр alg має збігатися з алгоритмом зареєстрованого ключа (ed25519).")


class SignatureExpired(SignatureProblem):
    slug = "signature-expired"
    title = _("Підпис застарів")
    description = _(
        "Параметр created підпису давніший за 300 секунд або минув строк expires. Підписуйте "
        "кожну спробу надсилання заново й стежте за годинником (NTP)."
    )


class SignatureFromFuture(SignatureProblem):
    slug = "signature-created-in-future"
    title = _("Час підпису в майбутньому")
    description = _("Параметр created більш ніж на 300 секунд попереду часу сервера.")


class SignatureComponents(SignatureProblem):
    slug = "signature-components"
    title = _("Підпис не охоплює обов'язкові компоненти")
    description = _(
        'Підпис має охоплювати щонайменше "@method" "@authority" "@path" "content-digest" '
        '"content-type".'
    )


class SignatureReplayed(SignatureProblem):
    slug = "signature-replayed"
    title = _("Повтор підписаного запиту")
    description = _(
        "Такий nonce уже використано з цим ключем. Кожен запит (і кожну повторну спробу) "
        "підписуйте з новим nonce."
    )


class ContentDigestMissing(Problem):
    slug = "content-digest-missing"
    status = 400
    title = _("Немає Content-Digest")
    description = _("Потрібен заголовок Content-Digest: sha-256=:…: (RFC 9530).")


class ContentDigestMismatch(Problem):
    slug = "content-digest-mismatch"
    status = 400
    title = _("Тіло запиту не відповідає Content-Digest")
    description = _(
        "Хеш SHA-256 тіла не збігається з підписаним Content-Digest: тіло змінено після "
        "підписання або пошкоджено в дорозі."
    )


class SystemSuspended(Problem):
    slug = "system-suspended"
    status = 403
    title = _("Підключення системи призупинено")
    description = _("Приймання подій від цієї системи призупинено. Зверніться до Мінцифри.")


class XRoadIdConflict(Problem):
    slug = "xroad-id-conflict"
    status = 409
    title = _("Ідентифікатор повідомлення X-Road уже використано")
    description = _(
        "Запит з таким X-Road-Id (xrd:id) уже прийнято з іншим тілом. Повтор того самого "
        "запиту дає повтори подій, а не помилку; інший вміст потребує нового ідентифікатора."
    )


class BatchTooLarge(Problem):
    slug = "batch-too-large"
    status = 413
    title = _("Забагато подій у пакеті")
    description = _("Пакет може містити не більше 1000 подій; розділіть його на менші.")


class JsonTooDeep(Problem):
    slug = "json-too-deep"
    status = 400
    title = _("Надто глибока вкладеність JSON")
    description = _(
        'Пакет подій має вкладеність у три рівні ({"events": [ {…} ]}); тіло з масивами чи '
        "об'єктами, вкладеними глибше за 16 рівнів, не розбирається."
    )


class BatchInvalid(Problem):
    slug = "batch-invalid"
    status = 422
    title = _("Некоректна структура пакета")
    description = _('Тіло має бути об\'єктом JSON {"events": [ … ]} з 1–1000 подіями.')


class EventsRejected(Problem):
    slug = "events-rejected"
    status = 422
    title = _("Жодної події не прийнято")
    description = _("Усі події пакета відхилено; поле rejected називає причини для кожної.")


# --- Errors of one event (items of `rejected[].errors`, never raised) ---
class EventError(Problem):
    slug = "event-invalid-value"
    status = 422
    title = _("Неприпустиме значення поля")
    description = _("Значення поля події не відповідає схемі (тип, формат, перелік значень).")
    field: ClassVar[str] = ""

    @classmethod
    def item(cls, *, field: str, detail: str) -> dict[str, Any]:
        return {"type": cls.type_uri(), "title": str(cls.title), "field": field, "detail": detail}


class EventUnknownField(EventError):
    slug = "event-unknown-field"
    title = _("Невідоме поле")
    description = _(
        "Подія містить поле, якого немає в схемі. Невідомі поля відхиляються, щоб персональні "
        "дані не потрапили в систему випадково."
    )


class EventMissingField(EventError):
    slug = "event-missing-field"
    title = _("Бракує обов'язкового поля")
    description = _("Поле обов'язкове для події цього типу.")


class EventFieldNotAllowed(EventError):
    slug = "event-field-not-allowed"
    title = _("Поле не дозволене для цього типу події")
    description = _(
        "status — лише для status_changed, rating — лише для rated, reason — для suspended, "
        "resumed, status_changed, refused, withdrawn."
    )


class EventOutsideAgreement(EventError):
    slug = "event-outside-agreement"
    title = _("Поза переліком даних договору про підключення")
    description = _(
        "Тип події або поле не входить до переліку даних, погодженого в договорі про "
        "підключення цієї системи (наказ Мінцифри № 145, п. 5)."
    )


class EventUnknownService(EventError):
    slug = "event-unknown-service"
    title = _("Невідома послуга")
    description = _("Коду послуги немає серед чинних послуг Реєстру.")


class EventUnknownCentre(EventError):
    slug = "event-unknown-centre"
    title = _("Невідомий центр")
    description = _("Коду центру (точки доступу) немає в реєстрі центрів.")


class EventUnknownProvider(EventError):
    slug = "event-unknown-provider"
    title = _("Невідомий суб'єкт надання")
    description = _(
        "Коду немає серед суб'єктів надання та органів місцевого самоврядування в реєстрі."
    )


class EventOutOfScope(EventError):
    slug = "event-out-of-scope"
    title = _("Поза зоною підключення системи")
    description = _(
        "Система може надсилати події лише для центрів і суб'єктів надання зі своєї зони "
        "підключення (договір про підключення)."
    )


class EventImpossibleTime(EventError):
    slug = "event-impossible-time"
    title = _("Неможливий час події")
    description = _(
        "occurred_at має бути не раніше 01.01.2020 і не пізніше поточного часу сервера "
        "(з допуском 5 хвилин)."
    )


class EventPersonalData(EventError):
    slug = "event-personal-data"
    title = _("Схоже на персональні дані")
    description = _(
        "applicant_ref має бути непрозорим ідентифікатором заявника у вашій системі (8–128 "
        "символів A–Z, a–z, 0–9, «.», «_», «:», «-»), а не РНОКПП, номером паспорта, УНЗР чи "
        "телефоном; reason не може містити таких номерів. Yakist зберігає лише ключовий "
        "псевдонім (HMAC) applicant_ref."
    )


class EventConflict(EventError):
    slug = "event-conflict"
    title = _("Конфлікт ідентифікатора події")
    description = _(
        "Подію з таким event_id уже прийнято з іншим вмістом. Повтор тієї самої події — це "
        "дублікат (не помилка); новий вміст потребує нового event_id."
    )
