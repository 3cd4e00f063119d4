"""Staff pages for subjects not connected: upload case events, record the notice of monitoring
with their own tools, download the template."""

from __future__ import annotations

import csv
import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from yakist.accounts.scope import scope_of
from yakist.core.problems import Problem
from yakist.core.spreadsheets import XLSX_CONTENT_TYPE, csv_row_safe, xlsx_bytes
from yakist.ingest import upload as uploads
from yakist.ingest.forms import CaseUploadForm, MonitoringNoticeForm
from yakist.ingest.models import CaseUpload
from yakist.registry import services as registry_services
from yakist.registry.models.reference import Centre, MonitoringNotice, Organisation


def _subject(request: HttpRequest) -> dict:
    """The uploading subject of the viewer: a centre administrator's centre or a provider
    officer's provider. Nobody else uploads cases."""
    scope = scope_of(request.user)
    if scope.centre_id:
        return {"centre": Centre.objects.get(pk=scope.centre_id)}
    if scope.role == "provider_officer" and scope.organisation_id:
        return {"provider": Organisation.objects.get(pk=scope.organisation_id)}
    raise PermissionDenied


@login_required
def upload_page(request: HttpRequest) -> HttpResponse:
    subject = _subject(request)
    form, notice_form, outcome, error = CaseUploadForm(), MonitoringNoticeForm(), None, None
    if request.method == "POST" and request.POST.get("action") == "notice":
        notice_form = MonitoringNoticeForm(request.POST, request.FILES)
        if notice_form.is_valid():
            registry_services.monitoring_notice_record(
                **subject, **notice_form.cleaned_data, actor=request.user
            )
            notice_form = MonitoringNoticeForm()
    elif request.method == "POST":
        form = CaseUploadForm(request.POST, request.FILES)
        if form.is_valid():
            received = form.cleaned_data["file"]
            try:
                outcome = uploads.case_upload_accept(
                    filename=received.name, content=received.read(), actor=request.user, **subject
                )
            except Problem as problem:
                error = problem.detail or problem.title
    channel = uploads.upload_channel_get(**subject)
    history = list(CaseUpload.objects.filter(system=channel)[:20]) if channel else []
    notices = MonitoringNotice.objects.filter(
        **{"centre": subject["centre"]}
        if "centre" in subject
        else {"organisation": subject["provider"]}
    )
    return render(
        request,
        "ingest/upload.html",
        {
            "subject": subject.get("centre") or subject.get("provider"),
            "form": form,
            "notice_form": notice_form,
            "outcome": outcome,
            "messages_by_row": [uploads.row_message(r) for r in outcome.rejected]
            if outcome
            else [],
            "error": error,
            "history": history,
            "notices": notices,
        },
        status=400 if error else 200,
    )


@login_required
def template_download(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    rows = uploads.template_rows()
    if fmt == "xlsx":
        response = HttpResponse(xlsx_bytes({"events": rows}), content_type=XLSX_CONTENT_TYPE)
    else:
        out = io.StringIO()
        writer = csv.writer(out)
        for row in rows:
            writer.writerow(csv_row_safe(row))
        response = HttpResponse(
            ("\ufeff" + out.getvalue()).encode(), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="yakist-case-events.{fmt}"'
    return response
