"""Language from the URL for public pages (/… Ukrainian, /en/… English), so each public URL
is one cacheable document; staff pages keep the language chosen in the cookie."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import patch_vary_headers

PUBLIC_NAMESPACES = {"portal", "portal_files"}


def is_public_path(path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return True  # the 404 page: Ukrainian, like the site
    return match.namespace in PUBLIC_NAMESPACES


class LocaleMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from_path = translation.get_language_from_path(request.path_info)
        public = from_path is not None or is_public_path(request.path_info)
        if from_path:
            language = from_path
        elif public:
            language = settings.LANGUAGE_CODE
        else:
            language = translation.get_language_from_request(request, check_path=False)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        if not public:
            patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
