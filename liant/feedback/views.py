"""Feedback pages: verbatims and their collections (printable, CSV), the idea box, the
departments' view of what was routed to them, and each person's private notebook.

Every page needs `feedback.manage`; every object is looked up within the workspace, and a
notebook note within its author's own notes too, so someone else's id answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from liant.core import audit, csvexport
from liant.core.access import WorkspaceRequest, workspace_view
from liant.feedback import ideas as idea_box
from liant.feedback import notify, sources, verbatims
from liant.feedback.forms import (
    CollectionForm,
    IdeaForm,
    MergeForm,
    NameForm,
    NewIdeaForm,
    NoteForm,
    StatusForm,
    VerbatimForm,
)
from liant.feedback.models import (
    Collection,
    Idea,
    IdeaStatus,
    NotebookNote,
    Sentiment,
    StatusNotice,
    Theme,
    Verbatim,
)
from liant.inbox.models import Department, Message
from liant.listening.models import Mention

PERMISSION = "feedback.manage"
PER_PAGE = 50


def _message(request: WorkspaceRequest, pk: int) -> Message:
    return get_object_or_404(
        Message.objects.select_related("conversation__channel", "event__channel"),
        workspace=request.workspace,
        pk=pk,
    )


def _mention(request: WorkspaceRequest, pk: int) -> Mention:
    return get_object_or_404(
        Mention.objects.select_related("channel", "event__channel"),
        workspace=request.workspace,
        pk=pk,
    )


# --- Verbatims -------------------------------------------------------------------------------


@workspace_view(PERMISSION)
def verbatim_list(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    rows = Verbatim.objects.filter(workspace=workspace).prefetch_related("themes", "departments")
    filters = {k: request.GET.get(k, "") for k in ("theme", "department", "sentiment", "q")}
    if filters["theme"].isdigit():
        rows = rows.filter(themes__id=int(filters["theme"]))
    if filters["department"].isdigit():
        rows = rows.filter(departments__id=int(filters["department"]))
    if filters["sentiment"] in Sentiment.values:
        rows = rows.filter(sentiment=filters["sentiment"])
    if filters["q"]:
        rows = rows.filter(Q(text__icontains=filters["q"]) | Q(author_name__icontains=filters["q"]))
    collections = Collection.objects.filter(workspace=workspace)
    if request.method == "POST":
        # Several verbatims go into one collection at once, for a report.
        collection = collections.filter(pk=request.POST.get("collection") or 0).first()
        chosen = Verbatim.objects.filter(
            workspace=workspace, pk__in=[p for p in request.POST.getlist("verbatim") if p.isdigit()]
        )
        if collection is not None:
            collection.verbatims.add(*chosen)
            messages.success(
                request, _("Added to the collection %(name)s.") % {"name": collection.name}
            )
        return redirect(request.get_full_path())
    page = Paginator(rows.distinct(), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/verbatims.html",
        {
            "page": page,
            "filters": filters,
            "themes": Theme.objects.filter(workspace=workspace),
            "departments": Department.objects.filter(workspace=workspace),
            "collections": collections,
            "sentiments": Sentiment.choices,
        },
    )


@workspace_view(PERMISSION)
def verbatim_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    workspace = request.workspace
    verbatim = get_object_or_404(
        Verbatim.objects.select_related("member", "message__conversation", "mention"),
        workspace=workspace,
        pk=pk,
    )
    form = VerbatimForm(request.POST or None, instance=verbatim, workspace=workspace)
    if request.method == "POST" and form.is_valid():
        form.save()
        for name in form.new_theme_names():
            theme, _created = Theme.objects.get_or_create(workspace=workspace, name=name)
            verbatim.themes.add(theme)
        messages.success(request, _("Saved."))
        return redirect("feedback_verbatim", ws=workspace.slug, pk=verbatim.pk)
    return render(request, "feedback/verbatim.html", {"verbatim": verbatim, "form": form})


@workspace_view(PERMISSION)
@require_POST
def verbatim_delete(request: WorkspaceRequest, pk: int) -> HttpResponse:
    verbatim = get_object_or_404(Verbatim, workspace=request.workspace, pk=pk)
    audit.record(request, "feedback.verbatim_deleted", target=verbatim)
    verbatim.delete()
    messages.success(request, _("The verbatim was deleted."))
    return redirect("feedback", ws=request.workspace.slug)


@workspace_view(PERMISSION)
@require_POST
def keep_message(request: WorkspaceRequest, pk: int) -> HttpResponse:
    said = sources.from_message(_message(request, pk))
    verbatim, created = verbatims.keep(request.workspace.pk, said, request.user)
    _kept(request, created)
    return redirect("feedback_verbatim", ws=request.workspace.slug, pk=verbatim.pk)


@workspace_view(PERMISSION)
@require_POST
def keep_mention(request: WorkspaceRequest, pk: int) -> HttpResponse:
    said = sources.from_mention(_mention(request, pk))
    verbatim, created = verbatims.keep(request.workspace.pk, said, request.user)
    _kept(request, created)
    return redirect("feedback_verbatim", ws=request.workspace.slug, pk=verbatim.pk)


def _kept(request: WorkspaceRequest, created: bool) -> None:
    if created:
        messages.success(request, _("Kept as a verbatim: tag it, route it, add it to a report."))
    else:
        messages.info(request, _("This was already kept as a verbatim."))


@workspace_view(PERMISSION)
def theme_list(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    form = NameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        Theme.objects.get_or_create(workspace=workspace, name=form.cleaned_data["name"].strip())
        return redirect("feedback_themes", ws=workspace.slug)
    themes = Theme.objects.filter(workspace=workspace).annotate(
        verbatim_count=Count("verbatims", distinct=True), idea_count=Count("ideas", distinct=True)
    )
    return render(request, "feedback/themes.html", {"themes": themes, "form": form})


# --- Collections -----------------------------------------------------------------------------


@workspace_view(PERMISSION)
def collection_list(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    form = CollectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["name"]
        collection, _created = Collection.objects.get_or_create(
            workspace=workspace,
            name=name,
            defaults={
                "description": form.cleaned_data["description"],
                "created_by": request.user,
            },
        )
        return redirect("feedback_collection", ws=workspace.slug, pk=collection.pk)
    collections = Collection.objects.filter(workspace=workspace).annotate(
        verbatim_count=Count("verbatims")
    )
    return render(request, "feedback/collections.html", {"collections": collections, "form": form})


def _collection(request: WorkspaceRequest, pk: int) -> Collection:
    return get_object_or_404(Collection, workspace=request.workspace, pk=pk)


def _collection_rows(collection: Collection) -> QuerySet[Verbatim]:
    return (
        collection.verbatims.select_related("member")
        .prefetch_related("themes", "departments")
        .order_by("said_at", "id")
    )


@workspace_view(PERMISSION)
def collection_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    collection = _collection(request, pk)
    if request.method == "POST" and request.POST.get("remove", "").isdigit():
        collection.verbatims.remove(int(request.POST["remove"]))
        return redirect("feedback_collection", ws=request.workspace.slug, pk=collection.pk)
    rows = list(_collection_rows(collection))
    counts = dict.fromkeys(Sentiment.values, 0)
    for v in rows:
        if v.sentiment in counts:
            counts[v.sentiment] += 1
    return render(
        request,
        "feedback/collection.html",
        {
            "collection": collection,
            "verbatims": rows,
            "sentiment_counts": [(label, counts[value]) for value, label in Sentiment.choices],
            "printed_at": timezone.now(),
        },
    )


@workspace_view(PERMISSION)
def collection_csv(request: WorkspaceRequest, pk: int) -> StreamingHttpResponse:
    collection = _collection(request, pk)
    return csvexport.response(
        request.workspace,
        collection.name or "verbatims",
        verbatims.csv_header(),
        verbatims.csv_rows(_collection_rows(collection)),
    )


# --- Ideas -----------------------------------------------------------------------------------


def filtered_ideas(request: WorkspaceRequest) -> tuple[QuerySet[Idea], dict[str, str]]:
    """The box's ideas, most voted first, filtered as the page and its CSV share."""
    rows = idea_box.visible(request.workspace.pk).annotate(
        proposer_count=Count("proposers", distinct=True)
    )
    filters = {k: request.GET.get(k, "") for k in ("status", "department")}
    if filters["status"] in IdeaStatus.values:
        rows = rows.filter(status=filters["status"])
    if filters["department"].isdigit():
        rows = rows.filter(department_id=int(filters["department"]))
    return rows.order_by(F("vote_count").desc(), "-created_at", "-id"), filters


@workspace_view(PERMISSION)
def idea_list(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    rows, filters = filtered_ideas(request)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/ideas.html",
        {
            "page": page,
            "filters": filters,
            "statuses": IdeaStatus.choices,
            "departments": Department.objects.filter(workspace=workspace),
        },
    )


@workspace_view(PERMISSION)
def idea_list_csv(request: WorkspaceRequest) -> StreamingHttpResponse:
    rows, _filters = filtered_ideas(request)
    header = [
        _("Idea"),
        _("Description"),
        _("Status"),
        _("Votes"),
        _("Proposers"),
        _("Department"),
        _("Public reason"),
        _("Status changed"),
        _("Created"),
        _("Source"),
    ]
    lines = (
        (
            idea.title,
            idea.text,
            idea.get_status_display(),
            idea.vote_count,  # type: ignore[attr-defined]  # annotated by filtered_ideas
            idea.proposer_count,  # type: ignore[attr-defined]
            idea.department.name if idea.department else "",
            idea.public_reason,
            idea.status_changed_at,
            idea.created_at,
            idea.source_url,
        )
        for idea in rows.iterator(chunk_size=2000)
    )
    return csvexport.response(request.workspace, "ideas", header, lines)


@workspace_view(PERMISSION)
def idea_new(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    form = NewIdeaForm(request.POST or None, workspace=workspace)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            idea = form.save(commit=False)
            idea.workspace = workspace
            idea.created_by = request.user
            idea.save()
            form.save_m2m()
            identity = form.cleaned_data["proposer"]
            if identity is not None:
                idea_box.propose(idea, identity.member, identity=identity, channel=identity.channel)
        return redirect("feedback_idea", ws=workspace.slug, pk=idea.pk)
    return render(request, "feedback/idea_new.html", {"form": form})


@workspace_view(PERMISSION)
@require_POST
def idea_from_message(request: WorkspaceRequest, pk: int) -> HttpResponse:
    said = sources.from_message(_message(request, pk))
    idea, created = idea_box.from_said(request.workspace.pk, said, request.user)
    _turned(request, created)
    return redirect("feedback_idea", ws=request.workspace.slug, pk=idea.pk)


@workspace_view(PERMISSION)
@require_POST
def idea_from_mention(request: WorkspaceRequest, pk: int) -> HttpResponse:
    said = sources.from_mention(_mention(request, pk))
    idea, created = idea_box.from_said(request.workspace.pk, said, request.user)
    _turned(request, created)
    return redirect("feedback_idea", ws=request.workspace.slug, pk=idea.pk)


def _turned(request: WorkspaceRequest, created: bool) -> None:
    if created:
        messages.success(request, _("Added to the idea box; its author is its proposer."))
    else:
        messages.info(request, _("This is already in the idea box."))


def _idea(request: WorkspaceRequest, pk: int) -> Idea:
    return get_object_or_404(
        Idea.objects.select_related("department", "merged_into", "message", "mention"),
        workspace=request.workspace,
        pk=pk,
    )


@workspace_view(PERMISSION)
def idea_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    workspace = request.workspace
    idea = _idea(request, pk)
    form = IdeaForm(request.POST or None, instance=idea, workspace=workspace)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return redirect("feedback_idea", ws=workspace.slug, pk=idea.pk)
    return render(
        request,
        "feedback/idea.html",
        {
            "idea": idea,
            "form": form,
            "status_form": StatusForm(
                initial={"status": idea.status, "public_reason": idea.public_reason}
            ),
            "merge_form": MergeForm(idea=idea),
            "proposers": idea.proposers.select_related("member", "channel"),
            "votes": idea.votes.filter(member__merged_into__isnull=True).select_related(
                "member", "channel"
            ),
            "notices": idea.notices.select_related("member", "channel"),
            "merged": idea.merged.all(),
        },
    )


@workspace_view(PERMISSION)
@require_POST
def idea_status(request: WorkspaceRequest, pk: int) -> HttpResponse:
    idea = _idea(request, pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        before = idea.status
        queued = idea_box.change_status(
            idea, form.cleaned_data["status"], form.cleaned_data["public_reason"]
        )
        audit.record(request, "feedback.idea_status", target=idea, before=before, after=idea.status)
        messages.success(
            request,
            ngettext(
                "Status saved; %(count)s person will be told through their channel.",
                "Status saved; %(count)s people will be told through their channel.",
                queued,
            )
            % {"count": queued},
        )
    return redirect("feedback_idea", ws=request.workspace.slug, pk=idea.pk)


@workspace_view(PERMISSION)
@require_POST
def idea_merge(request: WorkspaceRequest, pk: int) -> HttpResponse:
    idea = _idea(request, pk)
    form = MergeForm(request.POST, idea=idea)
    if not form.is_valid():
        messages.error(request, _("Choose the idea to keep."))
        return redirect("feedback_idea", ws=request.workspace.slug, pk=idea.pk)
    kept = form.cleaned_data["into"]
    try:
        idea_box.merge(kept, idea)
    except idea_box.MergeRefused:
        messages.error(request, _("These two ideas cannot be merged."))
        return redirect("feedback_idea", ws=request.workspace.slug, pk=idea.pk)
    audit.record(request, "feedback.idea_merged", target=kept, duplicate=idea.pk)
    messages.success(request, _("Merged: votes and proposers now count on this idea."))
    return redirect("feedback_idea", ws=request.workspace.slug, pk=kept.pk)


@workspace_view(PERMISSION)
@require_POST
def notice_retry(request: WorkspaceRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(StatusNotice, workspace=request.workspace, pk=pk)
    if notify.retry(notice):
        messages.success(request, _("Sending again."))
    return redirect("feedback_idea", ws=request.workspace.slug, pk=notice.idea_id)


# --- Departments -----------------------------------------------------------------------------


@workspace_view(PERMISSION)
def department_list(request: WorkspaceRequest) -> HttpResponse:
    departments = Department.objects.filter(workspace=request.workspace).annotate(
        verbatim_count=Count("verbatims", distinct=True),
        idea_count=Count("ideas", filter=Q(ideas__merged_into__isnull=True), distinct=True),
    )
    return render(request, "feedback/departments.html", {"departments": departments})


@workspace_view(PERMISSION)
def department_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    department = get_object_or_404(Department, workspace=request.workspace, pk=pk)
    ideas = idea_box.visible(request.workspace.pk).filter(department=department)
    by_status: dict[str, list[Idea]] = {value: [] for value in IdeaStatus.values}
    for idea in ideas.order_by(F("vote_count").desc(), "-created_at"):
        by_status[idea.status].append(idea)
    return render(
        request,
        "feedback/department.html",
        {
            "department": department,
            "verbatims": department.verbatims.filter(workspace=request.workspace)
            .prefetch_related("themes")
            .order_by("-said_at")[:200],
            "ideas_by_status": [(label, by_status[value]) for value, label in IdeaStatus.choices],
        },
    )


# --- Notebook --------------------------------------------------------------------------------


def _own_notes(request: WorkspaceRequest) -> QuerySet[NotebookNote]:
    return NotebookNote.objects.filter(workspace=request.workspace, author=request.user)


@workspace_view(PERMISSION)
def notebook(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    form = NoteForm(request.POST or None)
    source = {k: request.GET.get(k) or request.POST.get(k) or "" for k in ("message", "mention")}
    message = (
        Message.objects.filter(workspace=workspace, pk=source["message"]).first()
        if source["message"].isdigit()
        else None
    )
    mention = (
        Mention.objects.filter(workspace=workspace, pk=source["mention"]).first()
        if source["mention"].isdigit()
        else None
    )
    if request.method == "POST" and form.is_valid():
        note = form.save(commit=False)
        note.workspace = workspace
        note.author = request.user
        note.message = message
        note.mention = mention
        note.save()
        return redirect("feedback_notebook", ws=workspace.slug)
    return render(
        request,
        "feedback/notebook.html",
        {
            "form": form,
            "notes": _own_notes(request).select_related("message__conversation", "mention"),
            "my_ideas": idea_box.visible(workspace.pk).filter(created_by=request.user)[:50],
            "source_message": message,
            "source_mention": mention,
        },
    )


@workspace_view(PERMISSION)
def notebook_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    note = get_object_or_404(_own_notes(request), pk=pk)
    form = NoteForm(request.POST or None, instance=note)
    if request.method == "POST" and form.is_valid():
        form.save()
        return redirect("feedback_notebook", ws=request.workspace.slug)
    return render(request, "feedback/note_edit.html", {"form": form, "note": note})


@workspace_view(PERMISSION)
@require_POST
def notebook_delete(request: WorkspaceRequest, pk: int) -> HttpResponse:
    get_object_or_404(_own_notes(request), pk=pk).delete()
    return redirect("feedback_notebook", ws=request.workspace.slug)


@workspace_view(PERMISSION)
@require_POST
def notebook_to_idea(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """A private idea, once ripe, goes into the idea box (the note itself stays private)."""
    note = get_object_or_404(_own_notes(request), pk=pk)
    idea = Idea.objects.create(
        workspace=request.workspace,
        title=idea_box.title_from(note.text),
        text=note.text,
        message=note.message,
        mention=note.mention,
        created_by=request.user,
    )
    return redirect("feedback_idea", ws=request.workspace.slug, pk=idea.pk)
