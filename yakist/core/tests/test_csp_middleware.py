"""The policy header built once is the library's header, and responses with a policy of their
own (or a nonce) still get theirs."""

from csp.constants import HEADER, NONCE
from csp.decorators import csp_update
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from yakist.core.middleware import UniformCSPMiddleware


def _through(middleware_class, view, path="/"):
    request = RequestFactory().get(path)
    middleware = middleware_class(view)
    return request, middleware(request)


def _page(request):
    return HttpResponse("ok")


def test_a_plain_page_gets_exactly_the_librarys_policy_every_time():
    _, expected = _through(CSPMiddleware, _page)
    middleware = UniformCSPMiddleware(_page)
    headers = {middleware(RequestFactory().get("/")).get(HEADER) for _ in range(3)}
    assert headers == {expected[HEADER]}
    assert "default-src 'self'" in expected[HEADER]


def test_a_response_with_its_own_policy_keeps_it():
    view = csp_update({"img-src": ["https://tiles.example"]})(_page)
    _, response = _through(UniformCSPMiddleware, view)
    assert "https://tiles.example" in response[HEADER]


@override_settings(
    CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": ["'self'"], "script-src": [NONCE]}}
)
def test_a_page_that_used_a_nonce_gets_it_in_its_header():
    def with_nonce(request):
        return HttpResponse(str(request.csp_nonce))

    _, response = _through(UniformCSPMiddleware, with_nonce)
    assert f"'nonce-{response.content.decode()}'" in response[HEADER]


@override_settings(
    CONTENT_SECURITY_POLICY={
        "EXCLUDE_URL_PREFIXES": ["/raw/"],
        "DIRECTIVES": {"default-src": ["'self'"]},
    }
)
def test_excluded_paths_get_no_header():
    middleware = UniformCSPMiddleware(_page)
    assert HEADER not in middleware(RequestFactory().get("/raw/file"))
    assert HEADER in middleware(RequestFactory().get("/other"))
