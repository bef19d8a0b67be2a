"""Publishing pages: the list, the composer, a post with its history, and the actions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liant.channels.models import Channel, Health
from liant.channels.sanitize import clean_url
from liant.core import audit, csvexport
from liant.core.access import WorkspaceRequest, check, workspace_view
from liant.media.library import alt_text_problems, visible_items
from liant.publishing import approval, editorial, preview, publisher, tasks
from liant.publishing.forms import PostForm, PublishingSettingsForm, VariantForm
from liant.publishing.models import Post, PublishingSettings, Variant, VariantMedia, move
from liant.publishing.states import EDITABLE, NEEDS_ATTENTION, State, allowed
from liant.publishing.validation import can_publish, check_variant, join_thread, split_thread
from liant.strategy.models import Pillar

# A time typed in the composer may be a minute behind by the time it is sent.
PAST_TOLERANCE = timedelta(minutes=5)


def workspace_zone(request: WorkspaceRequest) -> ZoneInfo:
    return ZoneInfo(request.workspace.timezone)


def post_of(request: WorkspaceRequest, pk: int) -> Post:
    return get_object_or_404(Post, pk=pk, workspace=request.workspace)


def with_variants(posts: QuerySet[Post]) -> QuerySet[Post]:
    return posts.prefetch_related(
        Prefetch("variants", queryset=Variant.objects.select_related("channel"))
    )


def listed_posts(request: WorkspaceRequest) -> tuple[QuerySet[Post], str]:
    """The posts of the list for its state filter (the page and its CSV export)."""
    posts = Post.objects.filter(workspace=request.workspace).select_related("owner")
    state = request.GET.get("state", "")
    if state in State.values:
        posts = posts.filter(state=state)
    return posts, state


@workspace_view("posts.view")
def post_list(request: WorkspaceRequest) -> HttpResponse:
    posts, state = listed_posts(request)
    posts = with_variants(posts)
    attention = (
        Variant.objects.filter(post__workspace=request.workspace, state__in=NEEDS_ATTENTION)
        .select_related("post", "channel")
        .order_by("-id")
    )
    with timezone.override(workspace_zone(request)):
        return render(
            request,
            "publishing/list.html",
            {
                "posts": posts[:200],
                "attention": attention,
                "states": State.choices,
                "state": state,
                "can_write": request.membership.can("posts.write"),
                "can_manage": request.membership.can("workspace.manage"),
            },
        )


@workspace_view("posts.view")
def post_csv(request: WorkspaceRequest) -> StreamingHttpResponse:
    """Every post of the list (not only the 200 shown), one row per channel it goes to."""
    posts, _state = listed_posts(request)
    posts = posts.prefetch_related(
        Prefetch("variants", queryset=Variant.objects.select_related("channel", "metrics"))
    )
    header = [
        _("ID"), _("Title"), _("Content pillar"), _("Campaign"), _("Tags"), _("State"),
        _("Owner"), _("Channel"), _("State on the channel"), _("Scheduled for"),
        _("Published"), _("Interactions"), _("Text"), _("Link"),
    ]  # fmt: skip

    def rows() -> Any:
        for post in posts.iterator(chunk_size=500):
            common = [
                post.pk, post.title, post.pillar, post.campaign,
                ", ".join(str(t) for t in post.tags or []), post.get_state_display(),
                str(post.owner) if post.owner else "",
            ]  # fmt: skip
            variants = list(post.variants.all())
            if not variants:
                yield [*common, "", "", "", "", "", "", ""]
            for v in variants:
                metrics = getattr(v, "metrics", None)
                yield [
                    *common, v.channel.name, v.get_state_display(), v.scheduled_at,
                    v.published_at, metrics.engagement if metrics else "", v.text, v.remote_url,
                ]  # fmt: skip

    return csvexport.response(request.workspace, "posts", header, rows())


def publishable_channels(request: WorkspaceRequest, post: Post | None) -> list[Channel]:
    used = set(post.variants.values_list("channel_id", flat=True)) if post else set()
    channels = Channel.objects.filter(workspace=request.workspace).order_by("name")
    return [
        c for c in channels if c.pk in used or (can_publish(c) and c.health != Health.DISCONNECTED)
    ]


@workspace_view("posts.write")
def post_new(request: WorkspaceRequest) -> HttpResponse:
    return compose(request, None)


@workspace_view("posts.write")
def post_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    post = post_of(request, pk)
    if post.state not in EDITABLE:
        messages.error(request, _("This post is scheduled or done; take it back to draft first."))
        return redirect("post_detail", ws=request.workspace.slug, pk=post.pk)
    return compose(request, post)


def compose(request: WorkspaceRequest, post: Post | None) -> HttpResponse:
    with timezone.override(workspace_zone(request)):
        channels = publishable_channels(request, post)
        existing = {v.channel_id: v for v in post.variants.all()} if post else {}
        if request.method == "POST":
            form = PostForm(request.POST, instance=post)
            forms = [VariantForm(request.POST, request.FILES, channel=c) for c in channels]
            schedule = request.POST.get("action") == "schedule"
            if schedule:
                check(request.membership, "posts.publish")
            if validate(form, forms, schedule):
                saved = save_post(request, form, forms, existing, schedule)
                if saved is not None:
                    return redirect("post_detail", ws=request.workspace.slug, pk=saved.pk)
        else:
            first = next(iter(existing.values()), None)
            form = PostForm(
                instance=post, initial={"scheduled_at": first.scheduled_at if first else None}
            )
            forms = [
                VariantForm(channel=c, initial=initial_of(existing.get(c.pk), post is None))
                for c in channels
            ]
        for variant_form in forms:
            variant = existing.get(variant_form.channel.pk)
            variant_form.media_items = (
                list(variant.media.select_related("library_item")) if variant else []
            )
            variant_form.preview = preview_of(
                request, variant_form.channel, variant, variant_form.data or None
            )
        # The strategy's pillars are offered as you type; another name is still accepted.
        form.fields["pillar"].widget.attrs["list"] = "pillar-choices"
        return render(
            request,
            "publishing/compose.html",
            {
                "post": post,
                "form": form,
                "variant_forms": forms,
                "zone": request.workspace.timezone,
                "can_schedule": request.membership.can("posts.publish"),
                "pillars": Pillar.objects.filter(workspace=request.workspace).values_list(
                    "name", flat=True
                ),
            },
        )


def initial_of(variant: Variant | None, new: bool) -> dict:
    if variant is None:
        return {"include": new}
    return {
        "include": True,
        "text": variant.text,
        "link": variant.link,
        "content_warning": variant.content_warning,
        "thread": join_thread(variant.thread),
        "space_category": variant.extras.get("category"),
    }


def validate(form: PostForm, forms: list[VariantForm], schedule: bool) -> bool:
    checked = [form.is_valid()] + [f.is_valid() for f in forms]  # every form gets its errors
    valid = all(checked)
    chosen = [f for f in forms if f.included]
    if not chosen:
        form.add_error(None, _("Choose at least one channel."))
        return False
    if not valid or not schedule:
        return valid
    at = form.cleaned_data.get("scheduled_at")
    if at is None:
        form.add_error("scheduled_at", _("Say when to publish it."))
    elif at < timezone.now() - PAST_TOLERANCE:
        form.add_error("scheduled_at", _("This time has passed."))
    for variant_form in chosen:
        for problem in variant_form.check.problems:
            variant_form.add_error(None, problem)
    return not form.errors and not any(f.errors for f in chosen)


def save_post(
    request: WorkspaceRequest,
    form: PostForm,
    forms: list[VariantForm],
    existing: dict[int, Variant],
    schedule: bool,
) -> Post | None:
    with transaction.atomic():
        post = form.save(commit=False)
        created = post.pk is None
        post.workspace = request.workspace
        post.owner = post.owner or request.user
        post.tags = form.cleaned_data["tags_text"]
        post.save()
        for variant_form in forms:
            variant = existing.get(variant_form.channel.pk)
            if not variant_form.included:
                if variant is not None and variant.state == State.DRAFT:
                    variant.delete()
                continue
            if variant is None:
                variant = Variant(post=post, channel=variant_form.channel)
            elif variant.state != State.DRAFT:
                continue  # out, going out or unconfirmed: its text is what the network has
            variant.text = variant_form.cleaned_data["text"]
            variant.link = variant_form.cleaned_data["link"]
            variant.content_warning = variant_form.cleaned_data["content_warning"]
            variant.thread = split_thread(variant_form.cleaned_data["thread"])
            if variant_form.offers_space_category:
                chosen = variant_form.cleaned_data.get("space_category")
                extras = {k: v for k, v in variant.extras.items() if k != "category"}
                variant.extras = extras | ({"category": chosen.pk} if chosen else {})
            variant.scheduled_at = form.cleaned_data.get("scheduled_at")
            variant.save()
            save_media(request, variant, variant_form)
        audit.record(request, "post.created" if created else "post.changed", target=post)
        if schedule:
            problems = editorial.schedule_post(
                post, form.cleaned_data["scheduled_at"], request.user
            )
            if problems:
                # Keep the edits, say why it is not scheduled.
                for problem in problems:
                    messages.error(request, problem)
                return post
            audit.record(request, "post.scheduled", target=post)
            messages.success(request, _("Scheduled."))
        else:
            messages.success(request, _("Saved."))
        warn_alt_text(request, post, schedule)
    return post


def save_media(request: WorkspaceRequest, variant: Variant, variant_form: VariantForm) -> None:
    """Images ticked for removal go; a new one is added after the others."""
    remove = [
        int(pk)
        for pk in request.POST.getlist(variant_form.add_prefix("remove_media"))
        if pk.isdigit()
    ]
    if remove:
        for item in variant.media.filter(pk__in=remove):
            item.file.delete(save=False)
            item.delete()
    upload = variant_form.cleaned_data.get("image")
    if upload:
        last = variant.media.order_by("-position").first()
        VariantMedia.objects.create(
            variant=variant,
            file=upload,
            content_type=variant_form.image_type,
            size=upload.size,
            alt_text=variant_form.cleaned_data["image_alt"],
            position=(last.position + 1) if last else 0,
        )
    chosen = variant_form.cleaned_data.get("library_item")
    if chosen:  # media library hook: no copy of the file, the item itself is attached
        last = variant.media.order_by("-position").first()
        VariantMedia.objects.create(
            variant=variant,
            library_item=chosen,
            content_type=chosen.content_type,
            size=chosen.size,
            alt_text="" if upload else variant_form.cleaned_data["image_alt"],
            position=(last.position + 1) if last else 0,
        )


def warn_alt_text(request: WorkspaceRequest, post: Post, scheduling: bool) -> None:
    """Media library hook: images without a description, as a warning (when the workspace
    blocks instead, a refused scheduling has already said so as an error)."""
    variants = post.variants.select_related("channel").prefetch_related("media__library_item")
    blocking, missing = alt_text_problems(variants, request.workspace)
    if blocking and scheduling:
        return
    for problem in missing:
        messages.warning(request, problem)


@workspace_view("posts.write")
@require_POST
def check_text(request: WorkspaceRequest, channel_pk: int) -> HttpResponse:
    """The composer asks (htmx, as you type) how a variant fits its network's rules."""
    channel = get_object_or_404(Channel, pk=channel_pk, workspace=request.workspace)
    prefix = f"c{channel.pk}-"
    result = check_variant(
        channel,
        request.POST.get(prefix + "text", ""),
        request.POST.get(prefix + "link", ""),
        request.POST.get(prefix + "content_warning", ""),
        split_thread(request.POST.get(prefix + "thread", "")),
    )
    return render(request, "publishing/_check.html", {"check": result})


def preview_of(
    request: WorkspaceRequest, channel: Channel, variant: Variant | None, data: Any
) -> preview.Preview:
    """The preview of one channel's part of the composer, from what is typed (`data`, the
    POST) or else from the stored variant."""
    prefix = f"c{channel.pk}-"
    if data is None:
        values = {
            "text": variant.text if variant else "",
            "link": variant.link if variant else "",
            "content_warning": variant.content_warning if variant else "",
            "thread": join_thread(variant.thread) if variant else "",
        }
        removed: set[str] = set()
        chosen = ""
    else:
        values = {name: str(data.get(prefix + name, "") or "") for name in preview.FIELDS}
        removed = set(data.getlist(prefix + "remove_media")) if hasattr(data, "getlist") else set()
        chosen = str(data.get(prefix + "library_item", "") or "")
    attached = [
        m
        for m in (variant.media.select_related("library_item") if variant else [])
        if str(m.pk) not in removed
    ]
    items = [m.library_item for m in attached if m.library_item is not None]
    media = [(m.content_type, m.size) for m in attached]
    if chosen.isdigit():
        # Only what the workspace may attach: another organisation's item id shows nothing.
        item = visible_items(request.workspace).filter(pk=int(chosen)).first()
        if item is not None:
            items.append(item)
            media.append((item.content_type, item.size))
    return preview.build(
        channel,
        values["text"],
        values["link"],
        values["content_warning"],
        split_thread(values["thread"]),
        items=items,
        media=media,
        language=request.workspace.language or "fr",
    )


@workspace_view("posts.write")
@require_POST
def post_preview(request: WorkspaceRequest, channel_pk: int) -> HttpResponse:
    """The composer asks (htmx, debounced as you type) how a variant will look."""
    channel = get_object_or_404(Channel, pk=channel_pk, workspace=request.workspace)
    variant = None
    post_pk = request.GET.get("post", "")
    if post_pk.isdigit():
        variant = Variant.objects.filter(
            post__pk=int(post_pk), post__workspace=request.workspace, channel=channel
        ).first()
    shown = preview_of(request, channel, variant, request.POST)
    poll = request.POST.get("poll", "0")
    polls = min(int(poll), preview.MAX_POLLS) + 1 if poll.isdigit() else preview.MAX_POLLS
    return render(
        request,
        "publishing/preview/_preview.html",
        {
            "preview": shown,
            "channel": channel,
            "post": variant.post if variant else None,
            "polls": polls,
        },
    )


@workspace_view("posts.view")
def post_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    post = post_of(request, pk)
    membership = request.membership
    with timezone.override(workspace_zone(request)):
        return render(
            request,
            "publishing/detail.html",
            {
                "post": post,
                "variants": post.variants.select_related("channel", "short_link").prefetch_related(
                    "media"
                ),
                "history": post.history.select_related("actor", "variant__channel"),
                "editable": post.state in EDITABLE,
                "problems": editorial.problems_of(post) if post.state in EDITABLE else [],
                "zone": request.workspace.timezone,
                "can_write": membership.can("posts.write"),
                "can_approve": membership.can("posts.approve"),
                "can_publish": membership.can("posts.publish"),
                "comments": post.comments.select_related("author"),
                "comment_form": approval.CommentForm(),
                "links": approval.links_of(post) if membership.can("posts.write") else [],
                "link_form": approval.LinkForm(),
            },
        )


# Which permission each move of a whole post needs.
POST_MOVES: dict[str, str] = {
    State.IN_REVIEW: "posts.write",
    State.APPROVED: "posts.approve",
    State.DRAFT: "posts.write",
    State.SCHEDULED: "posts.publish",
    State.CANCELLED: "posts.write",
}


@workspace_view("posts.view")
@require_POST
def post_move(request: WorkspaceRequest, pk: int) -> HttpResponse:
    post = post_of(request, pk)
    to = request.POST.get("to", "")
    if to not in POST_MOVES:
        raise Http404
    check(request.membership, POST_MOVES[to])
    back = redirect("post_detail", ws=request.workspace.slug, pk=post.pk)
    with timezone.override(workspace_zone(request)):
        if to == State.SCHEDULED:
            form = PostForm(request.POST, instance=post)
            form.is_valid()
            at = form.cleaned_data.get("scheduled_at")
            if at is None or at < timezone.now() - PAST_TOLERANCE:
                messages.error(request, _("Say when to publish it, in the future."))
                return back
            problems = editorial.schedule_post(post, at, request.user)
            done = not problems
            for problem in problems:
                messages.error(request, problem)
        elif to == State.DRAFT and post.state == State.SCHEDULED:
            done = editorial.unschedule_post(post, request.user)
        elif to == State.CANCELLED:
            done = post.state != State.CANCELLED and editorial.cancel_post(post, request.user)
        else:
            done = allowed(post.state, to) and move(post, to, actor=request.user)
    if done:
        audit.record(request, f"post.{to}", target=post)
        messages.success(request, _("The post is now: %(state)s.") % {"state": State(to).label})
    elif to != State.SCHEDULED:
        messages.error(request, _("This cannot be done from its current state."))
    return back


VARIANT_ACTIONS = {"retry": "posts.publish", "confirm": "posts.publish", "cancel": "posts.write"}


@workspace_view("posts.view")
@require_POST
def variant_action(request: WorkspaceRequest, pk: int, action: str) -> HttpResponse:
    variant = get_object_or_404(
        Variant.objects.select_related("post", "channel"),
        pk=pk,
        post__workspace=request.workspace,
    )
    if action not in VARIANT_ACTIONS:
        raise Http404
    check(request.membership, VARIANT_ACTIONS[action])
    with timezone.override(workspace_zone(request)):
        if action == "retry":
            done = variant.state in NEEDS_ATTENTION and publisher.retry(variant, request.user)
            if done:
                # The periodic task would take it within a minute; waking a worker now is faster.
                tasks.publish_variant(variant.pk)
        elif action == "confirm":
            done = variant.state == State.UNCONFIRMED and publisher.confirm_published(
                variant, request.user, clean_url(request.POST.get("url", ""))
            )
        else:
            done = allowed(variant.state, State.CANCELLED) and editorial.cancel_variant(
                variant, request.user
            )
    if done:
        audit.record(request, f"variant.{action}", target=variant.post, channel=variant.channel_id)
        messages.success(request, _("Done."))
    else:
        messages.error(request, _("This cannot be done from its current state."))
    return redirect("post_detail", ws=request.workspace.slug, pk=variant.post_id)


@workspace_view("workspace.manage")
def publishing_settings(request: WorkspaceRequest) -> HttpResponse:
    current = PublishingSettings.of(request.workspace.pk)
    form = PublishingSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        form.save()
        audit.record(
            request,
            "publishing.settings_changed",
            publish_late_minutes=form.cleaned_data["publish_late_minutes"],
            evergreen_days=form.cleaned_data["evergreen_days"],
            link_shortener=form.cleaned_data["link_shortener"],
        )
        messages.success(request, _("Saved."))
        return redirect("posts", ws=request.workspace.slug)
    return render(request, "publishing/settings.html", {"form": form})
