"""The earlier versions of a topic's posts, for the moderators (`/w/<ws>/space/topics/<id>/
revisions/`, permission `moderation.view`): what an author changed by editing, and when.

Linked from the review queue when the item is an edit, and from the staff topics page. The
versions are shown as the Markdown typed, escaped: a moderator reads what was written, not
what it renders to. Hidden and held posts are listed too: this is the staff's view.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from liant.core.access import WorkspaceRequest, workspace_view
from liant.space.models import Post, PostRevision, Topic
from liant.space.posting import space_of

PERMISSION = "moderation.view"


@workspace_view(PERMISSION)
def topic_revisions(request: WorkspaceRequest, pk: int) -> HttpResponse:
    space = space_of(request.workspace)
    topic = get_object_or_404(
        Topic.objects.select_related("category", "author"), pk=pk, category__space=space
    )
    posts = list(
        Post.objects.filter(topic=topic, edited_at__isnull=False)
        .select_related("author")
        .order_by("pk")
    )
    earlier: dict[int, list[PostRevision]] = {}
    for revision in PostRevision.objects.filter(post__in=posts).order_by("pk"):
        earlier.setdefault(revision.post_id, []).append(revision)
    rows = [(post, list(reversed(earlier.get(post.pk, [])))) for post in posts]
    return render(
        request, "space/staff_revisions.html", {"space": space, "topic": topic, "rows": rows}
    )
