"""Staff pages of the space (/w/<ws>/space/): open it, word its welcome, set its categories,
see who joined. Every page needs `space.manage`; every object is looked up within the
workspace's own space, so another workspace's id answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liant.core import audit
from liant.core.access import WorkspaceRequest, workspace_view
from liant.members.models import Identity
from liant.space.accounts import NETWORK
from liant.space.forms import AnnouncementForm, CategoryForm, SpaceForm
from liant.space.models import Category, Space, SpaceAccount, Topic
from liant.space.posting import announce, open_channel, space_of
from liant.space.theme import ThemeForm

RECENT_TOPICS = 30

PERMISSION = "space.manage"


def _category(space: Space, pk: int) -> Category:
    return get_object_or_404(Category, pk=pk, space=space)


@workspace_view(PERMISSION)
def home(request: WorkspaceRequest) -> HttpResponse:
    space = space_of(request.workspace)
    form = SpaceForm(request.POST or None, instance=space, prefix="space")
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            space = form.save()
            if space.enabled:
                open_channel(space, request.user)
        audit.record(request, "space.updated", target=space, enabled=space.enabled)
        messages.success(request, _("The space's settings are saved."))
        return redirect("space", ws=request.workspace.slug)
    categories = Category.objects.filter(space=space).annotate(
        topic_count=Count("topics", distinct=True)
    )
    return render(
        request,
        "space/staff_home.html",
        {
            "space": space,
            "form": form,
            "categories": categories,
            "new_category": CategoryForm(prefix="new"),
            "announcement": AnnouncementForm(space=space, prefix="announce"),
            "theme": ThemeForm(instance=space, prefix="theme"),
            "accounts": SpaceAccount.objects.filter(space=space, staff=False).count(),
            "topics": Topic.objects.filter(category__space=space)
            .select_related("category", "author")
            .order_by("-last_activity_at", "-pk")[:RECENT_TOPICS],
        },
    )


@workspace_view(PERMISSION)
@require_POST
def announcement_new(request: WorkspaceRequest) -> HttpResponse:
    space = space_of(request.workspace)
    form = AnnouncementForm(request.POST, space=space, prefix="announce")
    if not form.is_valid():
        messages.error(request, _("An announcement needs a category, a title and a message."))
        return redirect("space", ws=request.workspace.slug)
    data = form.cleaned_data
    topic = announce(
        space,
        data["category"],
        data["title"],
        data["body"],
        data["pinned"],
        signed_by=request.user.get_full_name(),
    )
    if data.get("until"):
        topic.announcement_until = data["until"]
        topic.save(update_fields=["announcement_until"])
    audit.record(request, "space.announced", target=topic)
    messages.success(request, _("The announcement is on the space."))
    return redirect("space", ws=request.workspace.slug)


@workspace_view(PERMISSION)
@require_POST
def topic_flag(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Pin or unpin a topic, mark it as an announcement or not."""
    space = space_of(request.workspace)
    topic = get_object_or_404(Topic, pk=pk, category__space=space)
    flag = request.POST.get("flag")
    if flag in ("pinned", "announcement"):
        setattr(topic, flag, not getattr(topic, flag))
        topic.save(update_fields=[flag])
        audit.record(request, f"space.topic_{flag}", target=topic, value=getattr(topic, flag))
    return redirect("space", ws=request.workspace.slug)


@workspace_view(PERMISSION)
@require_POST
def category_new(request: WorkspaceRequest) -> HttpResponse:
    space = space_of(request.workspace)
    form = CategoryForm(request.POST, prefix="new")
    if form.is_valid():
        last = Category.objects.filter(space=space).order_by("-position").first()
        created = form.save(commit=False)
        created.space = space
        created.position = (last.position + 1) if last else 0
        created.save()
        audit.record(request, "space.category_created", target=created)
        messages.success(request, _("Category added."))
    else:
        messages.error(request, _("A category needs a name."))
    return redirect("space", ws=request.workspace.slug)


@workspace_view(PERMISSION)
def category_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    space = space_of(request.workspace)
    found = _category(space, pk)
    form = CategoryForm(request.POST or None, instance=found)
    if request.method == "POST" and form.is_valid():
        form.save()
        audit.record(request, "space.category_updated", target=found)
        messages.success(request, _("Category saved."))
        return redirect("space", ws=request.workspace.slug)
    return render(
        request, "space/category_edit.html", {"space": space, "category": found, "form": form}
    )


@workspace_view(PERMISSION)
@require_POST
def category_move(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Up or down by one: the whole order is written again, 0…n, so positions never tie."""
    space = space_of(request.workspace)
    found = _category(space, pk)
    ordered = list(Category.objects.filter(space=space).order_by("position", "pk"))
    index = ordered.index(found)
    step = -1 if request.POST.get("direction") == "up" else 1
    other = index + step
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
        with transaction.atomic():
            for position, category in enumerate(ordered):
                if category.position != position:
                    Category.objects.filter(pk=category.pk).update(position=position)
    return redirect("space", ws=request.workspace.slug)


@workspace_view(PERMISSION)
@require_POST
def category_delete(request: WorkspaceRequest, pk: int) -> HttpResponse:
    space = space_of(request.workspace)
    found = _category(space, pk)
    if found.topics.exists():
        # Members' words are never deleted with a category: move or moderate them first.
        messages.error(request, _("Only an empty category can be deleted."))
    else:
        audit.record(request, "space.category_deleted", target=found, name=found.name)
        found.delete()
        messages.success(request, _("Category deleted."))
    return redirect("space", ws=request.workspace.slug)


@workspace_view(PERMISSION)
def account_list(request: WorkspaceRequest) -> HttpResponse:
    space = space_of(request.workspace)
    rows = list(
        SpaceAccount.objects.filter(space=space, staff=False)
        .annotate(post_count=Count("posts", filter=Q(posts__hidden=False)))
        .order_by("-created_at", "-pk")[:500]
    )
    # Each account's person in Members, in one query (the Identity carries the link).
    members = dict(
        Identity.objects.filter(
            workspace=request.workspace,
            network=NETWORK,
            key__in=[a.remote_id for a in rows],
        ).values_list("key", "member_id")
    )
    for account in rows:
        account.member_id = members.get(account.remote_id)  # type: ignore[attr-defined]
    return render(request, "space/staff_accounts.html", {"space": space, "rows": rows})
