"""The author's edit page of a post (/p/<id>/edit/): a plain form with CSRF, no JavaScript.

Only the post's author sees it (anyone else gets a 404, as for a post that does not exist);
a visitor is sent to sign in. The rules of what may be edited are editing.py's.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from liant.space import editing, permissions, posting
from liant.space.forms import MAX_BODY, EditPostForm
from liant.space.models import CHAT_MAX_LENGTH, Category, Post
from liant.space.notifications import held_in_channel
from liant.space.public_views import open_space, page, post_url, too_fast


def edit_post(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    space, account = open_space(request, slug)
    post = get_object_or_404(
        Post.objects.select_related("topic__category__space", "author"),
        pk=pk,
        topic__category__space=space,
    )
    if account is None:
        return redirect("space_signin", slug=slug)
    topic = post.topic
    if closed := permissions.refuse(topic.category, account):
        return closed
    if post.author_id != account.pk or post.author.staff:
        raise Http404
    held = space.channel_id is not None and bool(held_in_channel(space.channel_id, [post.pk]))
    chat = topic.category.kind == Category.Kind.CHAT
    opening = editing.is_opening(post)
    form = EditPostForm(
        request.POST if request.method == "POST" else None,
        with_title=opening and not chat,
        max_body=CHAT_MAX_LENGTH if chat else MAX_BODY,
        initial={"title": topic.title, "body": post.body},
    )
    context = {"post": post, "topic": topic, "category": topic.category, "form": form}
    if refused := editing.refusal(account, post, held=held):
        return page(
            request, "space/edit_post.html", space, account, refused=refused, status=403, **context
        )
    if request.method == "POST" and form.is_valid():
        try:
            changed = editing.edit(
                account, post, form.cleaned_data["body"], form.cleaned_data.get("title")
            )
        except posting.TooFast as exc:
            form.add_error(None, too_fast(exc))
        else:
            if changed:
                messages.success(request, _("Your message is saved: it shows as edited."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect(post_url(post))
    status = 400 if request.method == "POST" else 200
    return page(request, "space/edit_post.html", space, account, status=status, **context)
