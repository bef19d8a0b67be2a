"""Pages for a member's personal data (GDPR export and erasure) and the CSV import of members."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from liant.core import audit
from liant.core.access import WorkspaceRequest, workspace_view
from liant.members import gdpr, importing
from liant.members.models import DataRequest, Member

# What a person types to confirm an erasure, besides the member's name (any language).
CONFIRM_WORDS = {"erase", "effacer"}


def _member(request: WorkspaceRequest, pk: int) -> Member:
    return get_object_or_404(Member, pk=pk, workspace=request.workspace)


def _kept_redirect(member: Member, view: str) -> HttpResponse | None:
    """An absorbed member's data lives with the member it was merged into."""
    if member.merged_into_id:
        return redirect(view, ws=member.workspace.slug, pk=member.merged_into_id)
    return None


def _cell(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)
    return str(value)


def _tables(sections: list[gdpr.Section]) -> list[dict[str, Any]]:
    """Sections as the page shows them: headings in the reader's language, cells as text."""
    tables = []
    for section in sections:
        columns = list(section.rows[0]) if section.rows else []
        tables.append(
            {
                "key": section.key,
                "title": section.title,
                "headings": [gdpr.LABELS.get(c, c) for c in columns],
                "rows": [[_cell(row.get(c)) for c in columns] for row in section.rows],
            }
        )
    return tables


@workspace_view("data.export")
def member_export(request: WorkspaceRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    if moved := _kept_redirect(member, "member_export"):
        return moved
    sections = gdpr.export(member, request, by=request.user)
    return render(
        request,
        "members/data/export.html",
        {"member": member, "tables": _tables(sections), "now": timezone.now()},
    )


@workspace_view("data.export")
def member_export_json(request: WorkspaceRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    if moved := _kept_redirect(member, "member_export_json"):
        return moved
    sections = gdpr.export(member, request, by=request.user)
    response = JsonResponse(
        gdpr.as_json(member, sections),
        encoder=DjangoJSONEncoder,
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
    response["Content-Disposition"] = f'attachment; filename="member-{member.pk}.json"'
    return response


class EraseForm(forms.Form):
    confirmation = forms.CharField(label=gettext_lazy("Confirmation"), max_length=300)

    def __init__(self, *args: Any, member: Member, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.member = member

    def clean_confirmation(self) -> str:
        typed = " ".join(self.cleaned_data["confirmation"].split()).casefold()
        name = " ".join(self.member.name.split()).casefold()
        if typed in CONFIRM_WORDS or (name and typed == name):
            return typed
        raise forms.ValidationError(
            _("Type the member's name, or ERASE, exactly, to confirm."), code="mismatch"
        )


@workspace_view("data.erase")
def member_erase(request: WorkspaceRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    if moved := _kept_redirect(member, "member_erase"):
        return moved
    last = (
        DataRequest.objects.filter(member=member, kind=DataRequest.Kind.ERASURE)
        .order_by("-at")
        .first()
    )
    form = EraseForm(request.POST or None, member=member)
    if request.method == "POST" and not member.erased_at and form.is_valid():
        done = gdpr.erase(member, request, by=request.user)
        messages.success(
            request,
            _("Member #%(id)s is erased: %(events)s stored messages were blanked.")
            % {"id": member.pk, "events": done.get("events", 0)},
        )
        return redirect("member_erase", ws=request.workspace.slug, pk=member.pk)
    absorbed = gdpr.absorbed_into(member) if not member.erased_at else []
    return render(
        request,
        "members/data/erase.html",
        {"member": member, "form": form, "last": last, "absorbed": absorbed},
        status=400 if request.method == "POST" else 200,
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV file"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > importing.MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB: split it into smaller files.")
                % {"size": importing.MAX_BYTES // (1024 * 1024)}
            )
        return upload


@workspace_view("members.manage")
def members_import(request: WorkspaceRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        name = (upload.name or "members.csv")[:150]
        try:
            report = importing.import_csv(
                request.workspace, name, upload.read(importing.MAX_BYTES + 1)
            )
        except importing.FileRefused as refused:
            form.add_error("file", str(refused))
        else:
            audit.record(
                request,
                "members.imported",
                filename=name,
                rows=len(report.rows),
                imported=report.imported,
                updated=report.updated,
                refused=report.refused,
            )
            if report.imported or report.updated:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d member imported or updated.",
                        "%(count)d members imported or updated.",
                        report.imported + report.updated,
                    )
                    % {"count": report.imported + report.updated},
                )
    return render(
        request,
        "members/data/import.html",
        {
            "form": form,
            "report": report,
            "sample": importing.sample(),
            "max_rows": importing.MAX_ROWS,
            "max_mb": importing.MAX_BYTES // (1024 * 1024),
        },
        status=400 if request.method == "POST" and report is None else 200,
    )
