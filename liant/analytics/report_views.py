"""Reports: the list, the builder, the page, the PDF, templates and schedules. Reading needs
`analytics.view`; writing, `reports.manage`. Every object is looked up within the
workspace of the URL, so another workspace's report is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liant.analytics import pdf, rollup
from liant.analytics.forms import ReportForm, ScheduleForm
from liant.analytics.models import Report, ReportSchedule, ReportSection, SectionKind
from liant.analytics.reports import build, last_whole, make_from, set_commentary, span_of
from liant.core.access import WorkspaceRequest, workspace_view

SECTION_ORDER = [k.value for k in SectionKind]


def _may_edit(request: WorkspaceRequest) -> bool:
    return request.membership.can("reports.manage")


def _edit_check(request: WorkspaceRequest) -> None:
    if not _may_edit(request):
        raise PermissionDenied


def _report(request: WorkspaceRequest, pk: int) -> Report:
    return get_object_or_404(Report, pk=pk, workspace=request.workspace)


def _list_url(request: WorkspaceRequest) -> str:
    return reverse("analytics_reports", kwargs={"ws": request.workspace.slug})


def _page_url(report: Report) -> str:
    return reverse("analytics_report", kwargs={"ws": report.workspace.slug, "pk": report.pk})


@workspace_view("analytics.view")
def report_list(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    everything = Report.objects.filter(workspace=workspace)
    templates = list(everything.filter(is_template=True).order_by("title"))
    today = rollup.today(workspace)
    for template in templates:
        template.suggested = last_whole(template.period, today).start  # type: ignore[attr-defined]
    return render(
        request,
        "analytics/reports.html",
        {
            "reports": everything.filter(is_template=False),
            "templates": templates,
            "schedules": ReportSchedule.objects.filter(workspace=workspace)
            .select_related("template")
            .prefetch_related("members"),
            "can_edit": _may_edit(request),
        },
    )


def _save_sections(report: Report, form: ReportForm) -> None:
    """The chosen sections, in the usual order; a section kept keeps its commentary."""
    chosen = set(form.cleaned_data["sections"])
    kpis = form.cleaned_data.get("kpis") or []
    existing = {s.kind: s for s in report.sections.all()}
    ReportSection.objects.filter(report=report).exclude(kind__in=chosen).delete()
    for position, kind in enumerate(k for k in SECTION_ORDER if k in chosen):
        section = existing.get(kind) or ReportSection(report=report, kind=kind)
        section.position = position
        section.kpis = kpis if kind == SectionKind.KPIS else []
        section.save()


def _edit(request: WorkspaceRequest, report: Report) -> HttpResponse:
    creating = report.pk is None
    form = ReportForm(request.POST or None, instance=report)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            report = form.save(commit=False)
            report.updated_at = timezone.now()
            report.save()
            _save_sections(report, form)
        messages.success(request, _("The report is saved."))
        return redirect(_page_url(report))
    return render(
        request,
        "analytics/report_form.html",
        {"form": form, "report": report, "creating": creating},
    )


@workspace_view("analytics.view")
def report_new(request: WorkspaceRequest) -> HttpResponse:
    _edit_check(request)
    workspace = request.workspace
    is_template = request.GET.get("template") == "1"
    span = last_whole("month", rollup.today(workspace))
    report = Report(
        workspace=workspace,
        is_template=is_template,
        created_by=request.user,
        starts_on=None if is_template else span.start,
        ends_on=None if is_template else span.last_day,
        title=_("Monthly report") if is_template else "",
    )
    return _edit(request, report)


@workspace_view("analytics.view")
def report_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    _edit_check(request)
    return _edit(request, _report(request, pk))


@workspace_view("analytics.view")
def report_page(request: WorkspaceRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    return render(
        request,
        "analytics/report.html",
        {
            "built": build(report),
            "workspace": request.workspace,
            "can_edit": _may_edit(request) and not report.is_template,
        },
    )


@workspace_view("analytics.view")
def report_pdf(request: WorkspaceRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    response = HttpResponse(
        pdf.render_pdf(report, get_language() or request.workspace.language),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'attachment; filename="{pdf.filename(report)}"'
    return response


@workspace_view("analytics.view")
@require_POST
def report_commentary(request: WorkspaceRequest, pk: int, section: int) -> HttpResponse:
    _edit_check(request)
    report = _report(request, pk)
    found = get_object_or_404(ReportSection, pk=section, report=report)
    set_commentary(found, request.POST.get("commentary", "")[:20000])
    Report.objects.filter(pk=report.pk).update(updated_at=timezone.now())
    messages.success(request, _("The commentary is saved."))
    return redirect(f"{_page_url(report)}#section-{found.pk}")


@workspace_view("analytics.view")
@require_POST
def report_delete(request: WorkspaceRequest, pk: int) -> HttpResponse:
    _edit_check(request)
    _report(request, pk).delete()
    messages.success(request, _("The report is deleted."))
    return redirect(_list_url(request))


@workspace_view("analytics.view")
@require_POST
def template_use(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """A report for one week, month or quarter, made from a template."""
    _edit_check(request)
    template = get_object_or_404(Report, pk=pk, workspace=request.workspace, is_template=True)
    day = parse_date(request.POST.get("day", "") or "")
    if day is None:
        messages.error(request, _("Choose a day of the period the report is about."))
        return redirect(_list_url(request))
    report = make_from(template, span_of(template.period, day), request.user)
    messages.success(request, _("The report is made: write the commentary of each section."))
    return redirect(_page_url(report))


def _schedule_edit(request: WorkspaceRequest, schedule: ReportSchedule) -> HttpResponse:
    form = ScheduleForm(request.POST or None, instance=schedule, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The schedule is saved."))
        return redirect(_list_url(request) + "#schedules")
    return render(request, "analytics/schedule_form.html", {"form": form, "schedule": schedule})


@workspace_view("analytics.view")
def schedule_new(request: WorkspaceRequest) -> HttpResponse:
    _edit_check(request)
    return _schedule_edit(request, ReportSchedule(workspace=request.workspace))


@workspace_view("analytics.view")
def schedule_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    _edit_check(request)
    schedule = get_object_or_404(ReportSchedule, pk=pk, workspace=request.workspace)
    return _schedule_edit(request, schedule)


@workspace_view("analytics.view")
@require_POST
def schedule_delete(request: WorkspaceRequest, pk: int) -> HttpResponse:
    _edit_check(request)
    get_object_or_404(ReportSchedule, pk=pk, workspace=request.workspace).delete()
    messages.success(request, _("The schedule is deleted."))
    return redirect(_list_url(request) + "#schedules")
