"""RFC 9457 problem details: domain errors with stable type URIs and Ukrainian messages.

Services raise a `Problem` subclass; the API and the middleware turn it into
`application/problem+json` in one place, so every error a client sees has the same shape.
"""

import json
from typing import Any, ClassVar

from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_BASE_PATH = "/problems/"

# slug -> problem class; feeds the human-readable catalogue at /problems/.
CATALOGUE: dict[str, type["Problem"]] = {}


class Problem(Exception):
    """A client-visible error. Subclasses set `slug`, `status` and a Ukrainian `title`."""

    slug: ClassVar[str] = "error"
    status: ClassVar[int] = 400
    title: ClassVar[str | Promise] = _("Помилка запиту")
    description: ClassVar[str | Promise] = ""

    def __init__(
        self,
        detail: str | Promise | None = None,
        *,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.detail = detail
        self.extra = extra or {}
        self.headers = headers or {}
        super().__init__(str(detail or self.title))

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        CATALOGUE[cls.slug] = cls

    @classmethod
    def type_uri(cls) -> str:
        return f"{PROBLEM_BASE_PATH}{cls.slug}"

    def as_dict(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": self.type_uri(),
            "title": str(self.title),
            "status": self.status,
        }
        if self.detail:
            body["detail"] = str(self.detail)
        if instance:
            body["instance"] = instance
        body.update(self.extra)
        return body


CATALOGUE[Problem.slug] = Problem


class BadRequest(Problem):
    slug = "bad-request"
    status = 400
    title = _("Некоректний запит")
    description = _("Запит не можна обробити: перевірте його формат і параметри.")


class ValidationFailed(Problem):
    slug = "validation-failed"
    status = 422
    title = _("Дані не пройшли перевірку")
    description = _("Одне або кілька полів мають неприпустимі значення; поле errors називає які.")


class MalformedJson(Problem):
    slug = "malformed-json"
    status = 400
    title = _("Некоректний JSON")
    description = _("Тіло запиту не є коректним документом JSON у кодуванні UTF-8.")


class NotAuthenticated(Problem):
    slug = "not-authenticated"
    status = 401
    title = _("Потрібна автентифікація")
    description = _("Запит не містить дійсних облікових даних.")


class Forbidden(Problem):
    slug = "forbidden"
    status = 403
    title = _("Доступ заборонено")
    description = _("Ваша роль або зона відповідальності не дозволяє цю дію.")


class NotFound(Problem):
    slug = "not-found"
    status = 404
    title = _("Не знайдено")
    description = _("Ресурс за цією адресою не існує або не оприлюднений.")


class MethodNotAllowed(Problem):
    slug = "method-not-allowed"
    status = 405
    title = _("Метод не дозволено")
    description = _("Цей ресурс не підтримує такий HTTP-метод.")


class Conflict(Problem):
    slug = "conflict"
    status = 409
    title = _("Конфлікт")
    description = _("Запит суперечить поточному стану ресурсу.")


class PayloadTooLarge(Problem):
    slug = "payload-too-large"
    status = 413
    title = _("Завеликий запит")
    description = _("Тіло запиту перевищує дозволений розмір.")


class UnsupportedMediaType(Problem):
    slug = "unsupported-media-type"
    status = 415
    title = _("Непідтримуваний тип вмісту")
    description = _("Заголовок Content-Type має бути application/json.")


class RateLimited(Problem):
    slug = "rate-limited"
    status = 429
    title = _("Забагато запитів")
    description = _("Перевищено ліміт запитів. Повторіть після паузи, вказаної в Retry-After.")

    def __init__(self, retry_after: int, detail: str | Promise | None = None) -> None:
        super().__init__(
            detail or _("Повторіть запит через %(seconds)s с.") % {"seconds": retry_after},
            extra={"retry_after": retry_after},
            headers={"Retry-After": str(retry_after)},
        )


class ServerError(Problem):
    slug = "server-error"
    status = 500
    title = _("Внутрішня помилка сервера")
    description = _("Сталася непередбачена помилка. Її зареєстровано; повторіть запит пізніше.")


class ServiceUnavailable(Problem):
    slug = "service-unavailable"
    status = 503
    title = _("Сервіс тимчасово недоступний")
    description = _("Сервіс не може обробити запит зараз; повторіть пізніше.")


class ImportFileInvalid(Problem):
    """An uploaded table (yakist.core.spreadsheets.read_table) that cannot be read as one."""

    slug = "import-file-invalid"
    status = 400
    title = _("Файл не можна прочитати")
    description = _(
        "Файл імпорту має бути CSV (UTF-8, роздільник кома або крапка з комою) або XLSX "
        "з рядком заголовків у першому рядку."
    )


def problem_response(problem: Problem, request: HttpRequest | None = None) -> HttpResponse:
    instance = request.path if request is not None else None
    response = HttpResponse(
        json.dumps(problem.as_dict(instance), ensure_ascii=False),
        status=problem.status,
        content_type=f"{PROBLEM_CONTENT_TYPE}; charset=utf-8",
    )
    for name, value in problem.headers.items():
        response[name] = value
    return response
