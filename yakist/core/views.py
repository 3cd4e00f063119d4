"""Public plumbing pages: health, the catalogue of API problem types, error pages."""

from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from yakist.core.problems import CATALOGUE, Forbidden, NotFound, problem_response


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy", never a 500 page
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})


def problems_catalogue(request: HttpRequest) -> HttpResponse:
    problems = sorted(CATALOGUE.values(), key=lambda cls: (cls.status, cls.slug))
    return render(request, "core/problems.html", {"problems": problems})


def problem_detail(request: HttpRequest, slug: str) -> HttpResponse:
    problem = CATALOGUE.get(slug)
    if problem is None:
        raise Http404
    return render(request, "core/problem.html", {"problem": problem})


@csrf_exempt
def api_not_found(request: HttpRequest) -> HttpResponse:
    return problem_response(NotFound(), request)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return problem_response(NotFound(), request)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django's CSRF refusal in our words; `reason` is for logs, not for the visitor."""
    detail = _("Форма застаріла або надіслана з іншого сайту. Оновіть сторінку й спробуйте ще раз.")
    if request.path.startswith("/api/"):
        return problem_response(Forbidden(detail), request)
    return render(request, "403_csrf.html", {"detail": detail}, status=403)
