"""Print-ready A4 posters (PDF via WeasyPrint) with the QR code and headline figures, for a
centre's entrance. DejaVu fonts render Ukrainian (Debian package fonts-dejavu-core).

WeasyPrint takes a second of CPU per poster, so each poster is rendered once and kept in the
media storage, named by its code, language and a digest of the HTML it is printed from: a
corrected publication, a changed link or a new report of the subject gives new HTML, hence a
new file (the older files of that code are removed), and every other request reads the file.
"""

from __future__ import annotations

import base64
import hashlib
import posixpath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import override

from yakist.portal import presenting, qr
from yakist.portal.models import SubjectLink
from yakist.portal.sources import Subject


def _qr_data_uri(url: str) -> str:
    svg = qr.qr_bytes(url, kind="svg", scale=10)
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()


POSTER_DIR = "posters"
POSTER_LANGUAGE = "uk"  # posters hang in Ukrainian centres: Ukrainian whatever the page


def stored_pdf(*, kind: str, code: str, html: str) -> bytes:
    """The PDF of `html`, rendered at most once per content and kept in the media storage."""
    digest = hashlib.sha256(html.encode()).hexdigest()[:20]
    folder = f"{POSTER_DIR}/{kind}"
    prefix = f"{code}-{POSTER_LANGUAGE}-"
    name = f"{folder}/{prefix}{digest}.pdf"
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as stored:
            return stored.read()
    from weasyprint import HTML  # imported here: it takes a second to load, posters are rare

    pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    saved = default_storage.save(name, ContentFile(pdf))
    _, files = default_storage.listdir(folder)
    for old in files:
        if old.startswith(prefix) and posixpath.join(folder, old) != saved:
            default_storage.delete(posixpath.join(folder, old))
    return pdf


def _pdf(context: dict, filename: str, *, kind: str, code: str) -> HttpResponse:
    with override(POSTER_LANGUAGE):
        html = render_to_string("portal/poster.html", context)
    pdf = stored_pdf(kind=kind, code=code, html=html)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def report_poster(presented: dict) -> HttpResponse:
    publication = presented["publication"]
    url = presenting.permalink(publication)
    context = {
        "title": publication.subject_name,
        "subtitle": presented["period_label"],
        "headline": presenting.headline(presented),
        "url": url,
        "qr": _qr_data_uri(url),
        "survey_url": _survey_url(publication.subject_type, publication.subject_key),
        "version": publication.version,
    }
    if context["survey_url"]:
        context["survey_qr"] = _qr_data_uri(context["survey_url"])
    return _pdf(context, f"yakist-{publication.code}.pdf", kind="p", code=publication.code)


def subject_poster(subject: Subject, link: SubjectLink, sections: list[dict]) -> HttpResponse:
    url = link.external_url or presenting.subject_permalink(link)
    latest = sections[0] if sections else None
    context = {
        "title": subject.name,
        "subtitle": latest["period_label"] if latest else "",
        "headline": presenting.headline(latest),
        "url": url,
        "qr": _qr_data_uri(url),
        "survey_url": _survey_url(subject.type, subject.key),
    }
    if context["survey_url"]:
        context["survey_qr"] = _qr_data_uri(context["survey_url"])
    return _pdf(context, f"yakist-{link.code}.pdf", kind="s", code=link.code)


def _survey_url(subject_type: str, key: str) -> str:
    if subject_type != "centre":
        return ""
    return f"{settings.PUBLIC_BASE_URL}/feedback/rate/{key}"
