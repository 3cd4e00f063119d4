"""Print-ready A4 posters (PDF via WeasyPrint) with the QR code and headline figures, for a
centre's entrance. DejaVu fonts render Ukrainian (Debian package fonts-dejavu-core)."""

from __future__ import annotations

import base64

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import override

from yakist.portal import presenting, qr
from yakist.portal.models import SubjectLink
from yakist.portal.sources import Subject


def _qr_data_uri(url: str) -> str:
    svg = qr.qr_bytes(url, kind="svg", scale=10)
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()


def _pdf(context: dict, filename: str) -> HttpResponse:
    with override("uk"):
        html = render_to_string("portal/poster.html", context)
    from weasyprint import HTML  # imported here: it takes a second to load, posters are rare

    pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
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
    return _pdf(context, f"yakist-{publication.code}.pdf")


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
    return _pdf(context, f"yakist-{link.code}.pdf")


def _survey_url(subject_type: str, key: str) -> str:
    if subject_type != "centre":
        return ""
    return f"{settings.PUBLIC_BASE_URL}/feedback/rate/{key}"
