"""Members pages: the list (filters, segments), a member's profile, the to-do list, merges,
segments, the engagement settings with the formula written out, and the member graph."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from liant.core import audit, csvexport
from liant.core.access import WorkspaceRequest, workspace_view
from liant.core.permissions import role_has
from liant.members import graph, merging, segments
from liant.members.models import (
    LEVEL_ORDER,
    ActivityKind,
    Consent,
    EngagementSettings,
    Identity,
    Kind,
    Level,
    Member,
    MemberNote,
    Merge,
    MergeSuggestion,
    Segment,
    Tag,
    Task,
)

PER_PAGE = 50
SORTS = {
    "score": ("-score", "pk"),
    "recent": ("-last_active_at", "pk"),
    "name": ("name", "pk"),
    "new": ("-first_seen_at", "pk"),
}
REASONS = {
    "same_verified_email": gettext_lazy("same verified e-mail address"),
    "same_email": gettext_lazy("same e-mail address"),
    "same_handle": gettext_lazy("same handle on two networks"),
    "similar_name": gettext_lazy("similar name"),
    "same_language": gettext_lazy("same language"),
    "same_country": gettext_lazy("same country"),
    "same_city": gettext_lazy("same city"),
    "same_website": gettext_lazy("same website"),
}


def can_manage(request: WorkspaceRequest) -> bool:
    return role_has(request.membership.role, "members.manage")


def _member(request: WorkspaceRequest, pk: int) -> Member:
    return get_object_or_404(Member, pk=pk, workspace=request.workspace, erased_at__isnull=True)


def filters_from(query: QueryDict) -> dict[str, Any]:
    """The list's GET parameters in the shape segments store."""
    found: dict[str, Any] = {}
    for key in ("levels", "tags", "networks", "languages", "kinds"):
        values = [v for v in query.getlist(key) if v]
        if values:
            found[key] = values
    for key in ("active_within_days", "inactive_for_days", "min_score", "consent", "q"):
        if query.get(key):
            found[key] = query[key]
    fields = {}
    for line in query.get("fields", "").splitlines():
        if "=" in line:
            name, value = line.split("=", 1)
            fields[name.strip()] = value.strip()
    if fields:
        found["fields"] = fields
    return found


def chosen_members(
    request: WorkspaceRequest,
) -> tuple[QuerySet[Member], QuerySet[Member], Segment | None, dict[str, Any], str]:
    """The people the list shows for its segment or filters (the page and its CSV), with
    everyone, the segment, the filters and the error of a filter that cannot apply."""
    workspace = request.workspace
    base = segments.people(workspace.pk)
    segment = None
    if request.GET.get("segment"):
        segment = get_object_or_404(Segment, pk=request.GET["segment"], workspace=workspace)
        filters = segment.filters
    else:
        filters = filters_from(request.GET)
    error = ""
    try:
        chosen = segments.apply(base, filters)
    except segments.SegmentError as exc:
        error, chosen = str(exc), base.none()
    return chosen, base, segment, filters, error


@workspace_view("members.view")
def member_list(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    chosen, base, segment, filters, error = chosen_members(request)
    if request.method == "POST" and can_manage(request):
        name = request.POST.get("segment_name", "").strip()[:120]
        if name and not error:
            saved, _created = Segment.objects.update_or_create(
                workspace=workspace, name=name, defaults={"filters": segments.clean(filters)}
            )
            messages.success(request, _("Segment “%(name)s” saved.") % {"name": name})
            return redirect(f"{request.path}?segment={saved.pk}")
    sort = request.GET.get("sort", "score")
    ordered = chosen.order_by(*SORTS.get(sort, SORTS["score"]))
    page = Paginator(ordered.prefetch_related("identities", "tags"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    levels = dict(base.values_list("level").annotate(n=Count("pk")))
    return render(
        request,
        "members/list.html",
        {
            "page": page,
            "total": page.paginator.count,
            "filters": filters,
            "segment": segment,
            "segments": Segment.objects.filter(workspace=workspace),
            "error": error,
            "sort": sort,
            "sorts": list(SORTS),
            "level_counts": [(lv, Level(lv).label, levels.get(lv, 0)) for lv in LEVEL_ORDER],
            "level_choices": Level.choices,
            "kind_choices": Kind.choices,
            "consent_choices": Consent.Purpose.choices,
            "tags": Tag.objects.filter(workspace=workspace),
            "networks": list(
                Identity.objects.filter(workspace=workspace)
                .values_list("network", flat=True)
                .order_by("network")
                .distinct()
            ),
            "open_tasks": Task.objects.filter(workspace=workspace, state=Task.State.OPEN).count(),
            "open_suggestions": MergeSuggestion.objects.filter(
                workspace=workspace, state=MergeSuggestion.State.OPEN
            ).count(),
            "can_manage": can_manage(request),
            "query_string": request.GET.urlencode(),
        },
    )


@workspace_view("members.view")
def member_csv(request: WorkspaceRequest) -> StreamingHttpResponse:
    """The list's columns, for its segment or filters and its order, every page."""
    chosen, _base, _segment, _filters, _error = chosen_members(request)
    sort = request.GET.get("sort", "score")
    ordered = chosen.order_by(*SORTS.get(sort, SORTS["score"])).prefetch_related(
        "identities", "tags"
    )
    header = [
        _("Member"), _("Tags"), _("Level"), _("Score"), _("Active days (30 d)"),
        _("Accounts"), _("Last active"), _("Link"),
    ]  # fmt: skip
    base = request.build_absolute_uri(reverse("members", kwargs={"ws": request.workspace.slug}))
    rows = (
        [
            str(m), ", ".join(t.name for t in m.tags.all()), m.get_level_display(),
            round(m.score, 1), m.active_days_30,
            ", ".join(f"{i.network}: {i.handle or i.key}" for i in m.identities.all()),
            m.last_active_at, f"{base}{m.pk}/",
        ]
        for m in ordered.iterator(chunk_size=1000)
    )  # fmt: skip
    return csvexport.response(request.workspace, "members", header, rows)


class ProfileForm(forms.ModelForm):
    tag_names = forms.CharField(
        label=gettext_lazy("Tags"),
        required=False,
        help_text=gettext_lazy("Separated by commas."),
    )
    fields_text = forms.CharField(
        label=gettext_lazy("Custom fields"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One per line: name = value."),
    )

    class Meta:
        model = Member
        fields = ["name", "email", "language", "country", "kind", "bio"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 2})}

    def clean_fields_text(self) -> dict[str, str]:
        found = {}
        for number, line in enumerate(self.cleaned_data["fields_text"].splitlines(), 1):
            if not line.strip():
                continue
            if "=" not in line:
                raise forms.ValidationError(_("Line %(n)s: write name = value.") % {"n": number})
            name, value = line.split("=", 1)
            if not name.strip():
                raise forms.ValidationError(_("Line %(n)s: the name is empty.") % {"n": number})
            found[name.strip()[:60]] = value.strip()[:500]
        return found


def conversations_of(member: Member) -> Any:
    from liant.inbox.models import Conversation  # noqa: PLC0415 - inbox is optional here

    condition = Q()
    for identity in member.identities.all():
        if identity.remote_id:
            condition |= Q(channel__kind=identity.network, contact_remote_id=identity.remote_id)
    if not condition:
        return Conversation.objects.none()
    return (
        Conversation.objects.filter(condition, workspace_id=member.workspace_id)
        .select_related("channel")
        .order_by("-last_activity_at")[:20]
    )


@workspace_view("members.view")
def member_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    if member.merged_into_id:
        return redirect("member_detail", ws=request.workspace.slug, pk=member.merged_into_id)
    manage = can_manage(request)
    initial = {
        "tag_names": ", ".join(member.tags.values_list("name", flat=True)),
        "fields_text": "\n".join(f"{k} = {v}" for k, v in (member.custom_fields or {}).items()),
    }
    form = ProfileForm(request.POST or None, instance=member, initial=initial)
    if request.method == "POST":
        if not manage:
            raise Http404
        if "note" in request.POST:
            text = request.POST["note"].strip()
            if text:
                MemberNote.objects.create(member=member, author=request.user, text=text[:5000])
                messages.success(request, _("Note added."))
            return redirect("member_detail", ws=request.workspace.slug, pk=member.pk)
        if form.is_valid():
            saved = form.save(commit=False)
            saved.custom_fields = form.cleaned_data["fields_text"]
            saved.save()
            names = {n.strip()[:60] for n in form.cleaned_data["tag_names"].split(",")}
            tags = [
                Tag.objects.get_or_create(workspace=request.workspace, name=n)[0]
                for n in sorted(names)
                if n
            ]
            saved.tags.set(tags)
            audit.record(request, "members.member_edited", target=saved)
            messages.success(request, _("Member saved."))
            return redirect("member_detail", ws=request.workspace.slug, pk=member.pk)
    timeline = member.activities.select_related("event", "event__channel", "identity")[:50]
    merges = Merge.objects.filter(Q(kept=member) | Q(absorbed=member)).select_related(
        "kept", "absorbed", "by"
    )
    return render(
        request,
        "members/detail.html",
        {
            "member": member,
            "form": form,
            "identities": member.identities.select_related("channel"),
            "timeline": timeline,
            "kinds": dict(ActivityKind.choices),
            "conversations": conversations_of(member),
            "notes": member.notes.select_related("author"),
            "consents": member.consents.all(),
            "tasks": member.tasks.filter(state=Task.State.OPEN),
            "merges": merges,
            "related": related_rows(member),
            "can_manage": manage,
            "can_export": role_has(request.membership.role, "data.export"),
            "can_erase": role_has(request.membership.role, "data.erase"),
        },
    )


RELATED_SHOWN = 5


def related_rows(member: Member) -> list[tuple[str, int, list[str]]]:
    """What other modules hold about the member (contest entries, RSVPs, ideas…): a count
    per kind and the latest few, found through the model graph so each new module shows up
    by itself."""
    out = []
    for model, name in merging.member_links():
        if model._meta.app_label == "members":
            continue
        rows = model._default_manager.filter(**{name: member}).order_by("-pk")
        count = rows.count()
        if count:
            latest = [describe(row) for row in rows[:RELATED_SHOWN]]
            out.append((str(model._meta.verbose_name_plural), count, latest))
    return out


def describe(row: Any) -> str:
    """A row of another module in words: its own name, and what it belongs to when it has a
    contest, an event, a poll, an idea or a list."""
    for parent in ("contest", "meetup", "poll", "quiz", "idea", "newsletter_list", "list"):
        owner = getattr(row, parent, None)
        if owner is not None and not isinstance(owner, str):
            return f"{owner} — {row}" if str(row) != str(owner) else str(owner)
    return str(row)


@workspace_view("members.view")
def todo(request: WorkspaceRequest) -> HttpResponse:
    tasks = (
        Task.objects.filter(workspace=request.workspace, state=Task.State.OPEN)
        .select_related("member")
        .order_by("kind", "-created_at")
    )
    return render(
        request,
        "members/todo.html",
        {
            "slipping": [t for t in tasks if t.kind == Task.Kind.SLIPPING_AWAY],
            "ambassadors": [t for t in tasks if t.kind == Task.Kind.AMBASSADOR],
            "open_suggestions": MergeSuggestion.objects.filter(
                workspace=request.workspace, state=MergeSuggestion.State.OPEN
            ).count(),
            "settings": EngagementSettings.of(request.workspace.pk),
            "can_manage": can_manage(request),
        },
    )


@workspace_view("members.manage")
@require_POST
def task_close(request: WorkspaceRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(Task, pk=pk, workspace=request.workspace, state=Task.State.OPEN)
    task.state = Task.State.DONE if request.POST.get("done") else Task.State.DISMISSED
    task.closed_at = timezone.now()
    task.save(update_fields=["state", "closed_at"])
    if task.kind == Task.Kind.AMBASSADOR and request.POST.get("promote"):
        Member.objects.filter(pk=task.member_id).update(
            level=Level.AMBASSADOR, level_since=timezone.now(), below_level_since=None
        )
    return redirect("members_todo", ws=request.workspace.slug)


@workspace_view("members.view")
def merge_list(request: WorkspaceRequest) -> HttpResponse:
    suggestions = (
        MergeSuggestion.objects.filter(
            workspace=request.workspace,
            state=MergeSuggestion.State.OPEN,
            first__merged_into__isnull=True,
            second__merged_into__isnull=True,
        )
        .select_related("first", "second")
        .prefetch_related("first__identities", "second__identities")[:100]
    )
    rows = [(s, ", ".join(str(REASONS.get(r, r)) for r in s.reasons)) for s in suggestions]
    history = Merge.objects.filter(workspace=request.workspace).select_related(
        "kept", "absorbed", "by"
    )[:50]
    return render(
        request,
        "members/merges.html",
        {"rows": rows, "history": history, "can_manage": can_manage(request)},
    )


@workspace_view("members.manage")
@require_POST
def merge_do(request: WorkspaceRequest) -> HttpResponse:
    kept = _member(request, _int(request.POST.get("kept")))
    absorbed = _member(request, _int(request.POST.get("absorbed")))
    try:
        record = merging.merge(kept, absorbed, by=request.user)
    except merging.MergeRefused:
        messages.error(request, _("These two cannot be merged (one is already merged)."))
        return redirect("members_merges", ws=request.workspace.slug)
    audit.record(request, "members.merged", target=kept, absorbed=absorbed.pk, merge=record.pk)
    messages.success(
        request, _("%(absorbed)s merged into %(kept)s.") % {"absorbed": absorbed, "kept": kept}
    )
    if request.POST.get("from_profile"):
        return redirect("member_detail", ws=request.workspace.slug, pk=kept.pk)
    return redirect("members_merges", ws=request.workspace.slug)


@workspace_view("members.manage")
@require_POST
def merge_dismiss(request: WorkspaceRequest, pk: int) -> HttpResponse:
    MergeSuggestion.objects.filter(pk=pk, workspace=request.workspace).update(
        state=MergeSuggestion.State.DISMISSED
    )
    return redirect("members_merges", ws=request.workspace.slug)


@workspace_view("members.manage")
@require_POST
def merge_undo(request: WorkspaceRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(Merge, pk=pk, workspace=request.workspace)
    try:
        merging.undo(record, by=request.user)
    except merging.MergeRefused:
        messages.error(request, _("This merge was already undone."))
    else:
        audit.record(request, "members.merge_undone", target=record.kept, merge=record.pk)
        messages.success(request, _("Merge undone: both members are as they were."))
    return redirect("members_merges", ws=request.workspace.slug)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


class EngagementForm(forms.ModelForm):
    class Meta:
        model = EngagementSettings
        fields = [
            "monthly_decay",
            "participant_score",
            "participant_days",
            "contributor_score",
            "contributor_days",
            "ambassador_score",
            "ambassador_days",
            "grace_days",
            "silent_days",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        weights = {**EngagementSettings.DEFAULT_WEIGHTS, **(self.instance.weights or {})}
        for kind, label in ActivityKind.choices:
            self.fields[f"w_{kind}"] = forms.FloatField(
                label=label, min_value=0, max_value=1000, initial=weights.get(kind, 1)
            )
        self.fields["per_network"] = forms.CharField(
            label=_("Weights for one network"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
            help_text=_("One per line: network activity = weight, e.g. “mastodon comment = 4”."),
            initial="\n".join(
                f"{network} {kind} = {weight}"
                for network, kinds in sorted((self.instance.network_weights or {}).items())
                for kind, weight in sorted(kinds.items())
            ),
        )

    def clean_per_network(self) -> dict[str, dict[str, float]]:
        found: dict[str, dict[str, float]] = {}
        for number, line in enumerate(self.cleaned_data["per_network"].splitlines(), 1):
            if not line.strip():
                continue
            left, _sep, right = line.partition("=")
            words = left.split()
            try:
                weight = float(right.strip().replace(",", "."))
            except ValueError:
                weight = -1
            if len(words) != 2 or words[1] not in ActivityKind.values or not 0 <= weight <= 1000:
                raise forms.ValidationError(
                    _("Line %(n)s: write “network activity = weight” (activities: %(kinds)s).")
                    % {"n": number, "kinds": ", ".join(ActivityKind.values)}
                )
            found.setdefault(words[0].lower(), {})[words[1]] = weight
        return found

    def clean_monthly_decay(self) -> float:
        value = self.cleaned_data["monthly_decay"]
        if not 0 < value <= 1:
            raise forms.ValidationError(_("Between 0 (excluded) and 1."))
        return value

    def save(self, commit: bool = True) -> EngagementSettings:
        settings = super().save(commit=False)
        settings.weights = {k: self.cleaned_data[f"w_{k}"] for k in ActivityKind.values}
        settings.network_weights = self.cleaned_data["per_network"]
        if commit:
            settings.save()
        return settings

    def weight_fields(self) -> list:
        return [self[f"w_{k}"] for k in ActivityKind.values]


@workspace_view("members.view")
def engagement_settings(request: WorkspaceRequest) -> HttpResponse:
    settings = EngagementSettings.of(request.workspace.pk)
    form = EngagementForm(request.POST or None, instance=settings)
    if request.method == "POST":
        if not can_manage(request):
            raise Http404
        if form.is_valid():
            form.save()
            from liant.members.tasks import score_workspace  # noqa: PLC0415

            score_workspace(request.workspace.pk)
            audit.record(request, "members.engagement_changed")
            messages.success(request, _("Saved: scores are being computed again."))
            return redirect("members_engagement", ws=request.workspace.slug)
    return render(
        request,
        "members/engagement.html",
        {"form": form, "settings": settings, "can_manage": can_manage(request)},
    )


class SegmentForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    levels = forms.MultipleChoiceField(
        label=gettext_lazy("Levels"),
        choices=Level.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tags = forms.CharField(
        label=gettext_lazy("Tags (all of them)"),
        required=False,
        help_text=gettext_lazy("Separated by commas."),
    )
    networks = forms.CharField(label=gettext_lazy("Networks"), required=False)
    languages = forms.CharField(label=gettext_lazy("Languages"), required=False)
    active_within_days = forms.IntegerField(
        label=gettext_lazy("Active within (days)"), required=False, min_value=0
    )
    inactive_for_days = forms.IntegerField(
        label=gettext_lazy("Inactive for (days)"), required=False, min_value=0
    )
    min_score = forms.FloatField(label=gettext_lazy("Minimum score"), required=False, min_value=0)
    consent = forms.ChoiceField(
        label=gettext_lazy("Has consented to"),
        choices=[("", "—"), *Consent.Purpose.choices],
        required=False,
    )
    custom_fields = forms.CharField(
        label=gettext_lazy("Custom fields"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("One per line: name = value."),
    )

    def filters(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("name")
        found: dict[str, Any] = {}
        for key, value in data.items():
            if value in (None, "", []):
                continue
            if key == "custom_fields":
                pairs = [line.split("=", 1) for line in value.splitlines() if "=" in line]
                found["fields"] = {name.strip(): text.strip() for name, text in pairs}
            else:
                found[key] = value
        return segments.clean(found)


@workspace_view("members.view")
def segment_list(request: WorkspaceRequest) -> HttpResponse:
    rows = []
    for segment in Segment.objects.filter(workspace=request.workspace):
        try:
            count = segments.members_of(segment).count()
        except segments.SegmentError:
            count = None
        rows.append((segment, count))
    return render(
        request, "members/segments.html", {"rows": rows, "can_manage": can_manage(request)}
    )


@workspace_view("members.manage")
def segment_edit(request: WorkspaceRequest, pk: int | None = None) -> HttpResponse:
    segment = (
        get_object_or_404(Segment, pk=pk, workspace=request.workspace) if pk is not None else None
    )
    initial: dict[str, Any] = {}
    if segment:
        initial = {**segment.filters, "name": segment.name}
        for key in ("tags", "networks", "languages"):
            initial[key] = ", ".join(initial.get(key, []))
        initial["custom_fields"] = "\n".join(
            f"{k} = {v}" for k, v in initial.pop("fields", {}).items()
        )
    form = SegmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            filters = form.filters()
        except segments.SegmentError as exc:
            form.add_error(None, str(exc))
        else:
            if segment is None:
                segment = Segment(workspace=request.workspace)
            segment.name, segment.filters = form.cleaned_data["name"], filters
            if (
                Segment.objects.filter(workspace=request.workspace, name=segment.name)
                .exclude(pk=segment.pk)
                .exists()
            ):
                form.add_error("name", _("A segment already has this name."))
            else:
                segment.save()
                messages.success(request, _("Segment saved."))
                return redirect("members_segments", ws=request.workspace.slug)
    return render(request, "members/segment_edit.html", {"form": form, "segment": segment})


@workspace_view("members.manage")
@require_POST
def segment_delete(request: WorkspaceRequest, pk: int) -> HttpResponse:
    get_object_or_404(Segment, pk=pk, workspace=request.workspace).delete()
    messages.success(request, _("Segment deleted."))
    return redirect("members_segments", ws=request.workspace.slug)


@workspace_view("members.view")
def member_graph(request: WorkspaceRequest) -> HttpResponse:
    top = graph.edges(request.workspace.pk)[:30]
    ids = {e.a for e in top} | {e.b for e in top}
    names = Member.objects.in_bulk(list(ids))
    return render(
        request,
        "members/graph.html",
        {
            "edges": [
                (names.get(e.a), names.get(e.b), round(e.strength, 1), e.replies) for e in top
            ],
            "introductions": graph.introductions(request.workspace.pk),
            "settings": EngagementSettings.of(request.workspace.pk),
        },
    )
