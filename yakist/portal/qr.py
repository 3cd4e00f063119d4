"""QR codes of permalinks (segno): SVG for pages and posters, PNG for printing elsewhere."""

import io

import segno
from django.http import Http404, HttpResponse

KINDS = {"svg": "image/svg+xml", "png": "image/png"}


def qr_bytes(url: str, *, kind: str, scale: int = 8) -> bytes:
    code = segno.make(url, error="m", micro=False)
    buffer = io.BytesIO()
    if kind == "svg":
        code.save(buffer, kind="svg", scale=scale, border=4, xmldecl=False, title=url)
    else:
        code.save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def response(url: str, *, kind: str) -> HttpResponse:
    if kind not in KINDS:
        raise Http404
    result = HttpResponse(qr_bytes(url, kind=kind), content_type=KINDS[kind])
    # The address a permalink encodes never changes, so neither does its picture.
    result["Cache-Control"] = "public, max-age=86400"
    return result
