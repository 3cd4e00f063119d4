"""Language from the URL for public pages (/… Ukrainian, /en/… English), so each public URL
is one cacheable document; staff pages keep the language chosen in the cookie (Ukrainian until
one is chosen).

The citizens' feedback pages (form, status, survey) live outside the language prefix; they are
Ukrainian too unless `?lang=en` says otherwise (the English pages link to them so), never the
browser's Accept-Language: a visitor of the Ukrainian site must not land on an English page."""

from functools import lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import patch_vary_headers

# The public site: the portal and the improvement loop's public pages (good practice, measures,
# external survey reports) and open data files.
PUBLIC_NAMESPACES = {"portal", "portal_files", "improvement_public", "improvement_files"}
PUBLIC_FEEDBACK = {"new", "submit", "status", "lookup", "survey"}


@lru_cache(maxsize=4096)
def public_kind(path: str) -> str | None:
    """Which public part a path is: "page" (the site), "feedback" (citizens' forms) or None.

    Remembered per path (the URL patterns never change in a running process): resolving twice
    per request, here and in the handler, took an eighth of a cached public page's time."""
    try:
        match = resolve(path)
    except Resolver404:
        return "page"  # the 404 page: Ukrainian, like the site
    if match.namespace == "feedback":
        return "feedback" if match.url_name in PUBLIC_FEEDBACK else None
    return "page" if match.namespace in PUBLIC_NAMESPACES else None


@receiver(setting_changed)
def _urls_changed(*, setting: str, **kwargs) -> None:
    if setting == "ROOT_URLCONF":  # tests may swap the URL patterns
        public_kind.cache_clear()


def _supported_or_default(code: str | None) -> str:
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def feedback_language(request: HttpRequest) -> str:
    """Citizens' forms: the language asked for by `?lang=`, else Ukrainian."""
    return _supported_or_default(request.GET.get("lang"))


def staff_language(request: HttpRequest) -> str:
    """Staff pages: the language chosen with the switch (a cookie), else Ukrainian — never
    the browser's Accept-Language: an official's English-language browser still gets the
    Ukrainian interface until they choose otherwise."""
    return _supported_or_default(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))


class LocaleMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from_path = translation.get_language_from_path(request.path_info)
        kind = "page" if from_path else public_kind(request.path_info)
        public = kind is not None
        if from_path:
            language = from_path
        elif kind == "feedback":
            language = feedback_language(request)
        elif public:
            language = settings.LANGUAGE_CODE
        else:
            language = staff_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        if not public:
            patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
