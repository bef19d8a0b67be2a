"""The public pages of a space, at /space/<workspace slug>/: reading needs nothing, writing
needs an account signed in to this space (see accounts.py). A space that is not open answers
404 like one that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liant.channels.models import Event
from liant.leads.public_views import embedded
from liant.moderation import queue
from liant.moderation.charter import record_acceptance
from liant.moderation.models import Charter, Item, Reason, Report
from liant.space import accounts, limits, permissions, posting, quoting
from liant.space.connector import first_posts, post_id_of
from liant.space.forms import JoinForm, ReplyForm, ReportForm, SignInForm, TopicForm
from liant.space.markup import render as render_markdown
from liant.space.models import CHAT_MAX_LENGTH, Category, Post, Space, SpaceAccount, Topic
from liant.space.notifications import follows
from liant.space.pinning import ON_HOME, current_announcements

TOPICS_PER_PAGE = 50
POSTS_PER_PAGE = 50


def post_url(post: Post) -> str:
    """The page of its topic a post is on, scrolled to it (posts are in id order)."""
    before = Post.objects.filter(topic_id=post.topic_id, pk__lte=post.pk).count()
    number = max(1, -(-before // POSTS_PER_PAGE))
    query = f"?page={number}" if number > 1 else ""
    return f"{post.topic.get_absolute_url()}{query}#post-{post.pk}"


def posts_page(request: HttpRequest, topic: Topic, account: SpaceAccount | None = None) -> Any:
    from liant.space.people_views import mark_badges  # noqa: PLC0415
    from liant.space.reactions import counts  # noqa: PLC0415

    rows = Post.objects.filter(topic=topic).select_related("author", "parent__author")
    listing = Paginator(rows.order_by("pk"), POSTS_PER_PAGE).get_page(request.GET.get("page"))
    posts = list(listing.object_list)
    mark_held(topic, posts)
    counts(posts, account)
    mark_badges(topic.category.space, posts)
    listing.object_list = posts
    return listing


def mark_appeals(space: Space, account: SpaceAccount | None, posts: list[Post]) -> None:
    """The author of a removed post sees which article of the charter was cited and can
    contest the decision (the same signed appeal page a warning links to)."""
    from liant.moderation import appeals  # noqa: PLC0415
    from liant.moderation.models import LogEntry  # noqa: PLC0415

    mine = [p for p in posts if account is not None and p.author_id == account.pk and not p.visible]
    if not mine or space.channel_id is None:
        return
    names = [p.remote_id for p in mine]
    entries = (
        LogEntry.objects.filter(
            Q(event__remote_id__in=names) | Q(event__raw__edit_of__in=names),
            event__channel_id=space.channel_id,
        )
        .select_related("event")
        .order_by("-pk")
    )
    latest: dict[int | None, Any] = {}  # post id → its latest decision (an edit's included)
    for entry in entries:
        if entry.event is not None and appeals.appealable(entry):
            latest.setdefault(post_id_of(entry.event.remote_id), entry)
    for post in mine:
        decision = latest.get(post.pk)
        if decision is not None:
            post.appeal_path = appeals.appeal_path(decision)  # type: ignore[attr-defined]
            post.article = decision.article  # type: ignore[attr-defined]


def mark_held(topic: Topic, posts: list[Post]) -> None:
    """A post a moderation rule held waits for a moderator, unseen by others: on the space
    Liant controls, "hold" can mean hidden until approved. Approving (the item is dealt with)
    shows it; removing it goes through the connector like anywhere else. An edit a rule
    holds holds the post (its event names the post in `raw["edit_of"]`)."""
    from liant.space.notifications import held_in_channel  # noqa: PLC0415

    channel_id = topic.category.space.channel_id
    if channel_id is None:
        return
    held = held_in_channel(channel_id, [p.pk for p in posts]) if posts else set()
    for post in posts:
        post.held = post.pk in held  # type: ignore[attr-defined]


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def open_space(request: HttpRequest, slug: str) -> tuple[Space, SpaceAccount | None]:
    space = (
        Space.objects.select_related("workspace", "sidebar_form", "contact_form")
        .filter(workspace__slug=slug, enabled=True)
        .first()
    )
    if space is None:
        raise Http404
    account = accounts.current_account(request, space)
    if account is not None and account.language:
        # A signed-in member reads the space in the language they chose when joining.
        translation.activate(account.language)
        request.LANGUAGE_CODE = account.language
    return space, account


def page(
    request: HttpRequest,
    template: str,
    space: Space,
    account: SpaceAccount | None,
    status: int = 200,
    **context: Any,
) -> HttpResponse:
    from liant.space.notifications import unread_count  # noqa: PLC0415
    from liant.space.welcome import pending  # noqa: PLC0415

    unread = unread_count(account) if account is not None else 0
    welcome_note = pending(account)
    return render(
        request,
        template,
        {
            "space": space,
            "workspace": space.workspace,
            "account": account,
            "unread": unread,
            "welcome_note": welcome_note,
            **context,
        },
        status=status,
    )


def charter_to_accept(space: Space, account: SpaceAccount | None) -> Charter | None:
    """The current charter when this member has not accepted it yet (asked before posting)."""
    charter = Charter.current(space.workspace)
    if account is None or charter is None:
        return None
    return None if accounts.accepted_current_charter(account, charter) else charter


def home(request: HttpRequest, slug: str) -> HttpResponse:
    space, account = open_space(request, slug)
    categories = permissions.categories(space, account).annotate(
        topic_count=Count("topics", filter=Q(topics__hidden=False))
    )
    announcements = current_announcements(space, account)[:ON_HOME]
    welcome = mark_safe(render_markdown(space.welcome()))  # noqa: S308 - sanitized by nh3
    return page(
        request,
        "space/home.html",
        space,
        account,
        categories=categories,
        announcements=announcements,
        welcome=welcome,
        charter=Charter.current(space.workspace),
        sidebar=embedded(space.sidebar_form, space.workspace_id, get_language() or ""),
    )


def contact(request: HttpRequest, slug: str) -> HttpResponse:
    """The space's contact page: the chosen capture form, posting to its public endpoint."""
    space, account = open_space(request, slug)
    found = embedded(space.contact_form, space.workspace_id, get_language() or "")
    if found is None:
        raise Http404
    return page(request, "space/contact.html", space, account, capture=found)


def category(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    space, account = open_space(request, slug)
    found = get_object_or_404(Category, pk=pk, space=space)
    if closed := permissions.refuse(found, account):
        return closed
    if found.kind == Category.Kind.CHAT:
        return redirect(room_url(posting.chat_room(found)))
    topics = list(
        Topic.objects.filter(category=found, hidden=False)
        .select_related("author")
        .order_by("-pinned", "-last_activity_at", "-pk")[:TOPICS_PER_PAGE]
    )
    # Counted for the topics shown only: an annotation over the category counted the posts
    # of all its topics before keeping 50 (28 s p95 at 10,000 topics, see the README).
    counts = dict(
        Post.objects.filter(topic__in=topics, hidden=False)
        .order_by()
        .values("topic")
        .annotate(n=Count("pk"))
        .values_list("topic", "n")
    )
    for shown in topics:
        shown.replies = max(counts.get(shown.pk, 0) - 1, 0)  # type: ignore[attr-defined]
    return page(
        request,
        "space/category.html",
        space,
        account,
        category=found,
        topics=topics,
        following=follows(account, category=found),
    )


def topic(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    space, account = open_space(request, slug)
    found = get_object_or_404(
        Topic.objects.select_related("category__space", "author"),
        pk=pk,
        category__space=space,
        hidden=False,
    )
    if closed := permissions.refuse(found.category, account):
        return closed
    listing = posts_page(request, found, account)
    mark_appeals(space, account, list(listing.object_list))
    charter = charter_to_accept(space, account)
    form = ReplyForm(initial=quoting.initial(request, found, account))
    form.add_charter(charter)
    return page(
        request,
        "space/topic.html",
        space,
        account,
        topic=found,
        category=found.category,
        posts=listing.object_list,
        listing=listing,
        topic_first=first_posts({found.pk}).get(found.pk),
        form=form,
        following=follows(account, topic=found),
        last_id=last_post_id(found),
    )


def room_url(room: Topic) -> str:
    """A chat room opens on its last page: the newest messages, at the bottom."""
    count = Post.objects.filter(topic=room).count()
    number = max(1, -(-count // POSTS_PER_PAGE))
    return room.get_absolute_url() + (f"?page={number}" if number > 1 else "") + "#reply"


def last_post_id(topic: Topic) -> int:
    return (
        Post.objects.filter(topic=topic).order_by("-pk").values_list("pk", flat=True).first() or 0
    )


def topic_updates(request: HttpRequest, slug: str, pk: int, after: int) -> HttpResponse:
    """The posts of a topic after `after`, for the topic page's polling (every 10 s): only
    posts others can see, a held one only to its author. The answer replaces the polling
    element with these posts and a new one that asks from the newest id looked at."""
    from liant.space.people_views import mark_badges  # noqa: PLC0415
    from liant.space.reactions import counts  # noqa: PLC0415

    space, account = open_space(request, slug)
    found = get_object_or_404(
        Topic.objects.select_related("category__space"),
        pk=pk,
        category__space=space,
        hidden=False,
    )
    if closed := permissions.refuse(found.category, account):
        return closed
    rows = list(
        Post.objects.filter(topic=found, pk__gt=after)
        .select_related("author", "parent__author")
        .order_by("pk")[:POSTS_PER_PAGE]
    )
    newest = rows[-1].pk if rows else after
    posts: list[Post] = []
    if rows:  # the usual answer is "nothing new": no more queries for it
        mark_held(found, rows)
        mine = account.pk if account is not None else None
        posts = [
            p
            for p in rows
            if p.visible and (not p.held or p.author_id == mine)  # type: ignore[attr-defined]
        ]
        counts(posts, account)
        mark_badges(space, posts)
    return render(
        request,
        "space/topic_updates.html",
        {
            "space": space,
            "account": account,
            "topic": found,
            "posts": posts,
            "after": newest,
            "topic_first": first_posts({found.pk}).get(found.pk) if posts else None,
        },
    )


def new_topic(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    space, account = open_space(request, slug)
    found = get_object_or_404(Category, pk=pk, space=space)
    if closed := permissions.refuse(found, account):
        return closed
    if found.kind == Category.Kind.CHAT:  # one room, no topics of its own
        return redirect(found.get_absolute_url())
    if account is None:
        return redirect("space_signin", slug=slug)
    charter = charter_to_accept(space, account)
    form = TopicForm(request.POST or None)
    form.add_charter(charter)
    if request.method == "POST" and form.is_valid():
        if refused := cannot_post(request, account):
            form.add_error(None, refused)
        else:
            try:
                accept(request, account, charter)
                post = posting.start_topic(
                    account, found, form.cleaned_data["title"], form.cleaned_data["body"]
                )
            except (posting.TooFast, limits.OverLimit) as exc:
                form.add_error(None, too_fast(exc))
            else:
                return redirect(post.topic.get_absolute_url())
    return page(request, "space/new_topic.html", space, account, category=found, form=form)


@require_POST
def reply(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    space, account = open_space(request, slug)
    found = get_object_or_404(
        Topic.objects.select_related("category__space"), pk=pk, category__space=space, hidden=False
    )
    if account is None:
        return redirect("space_signin", slug=slug)
    if closed := permissions.refuse(found.category, account):
        return closed
    charter = charter_to_accept(space, account)
    form = ReplyForm(request.POST)
    form.add_charter(charter)
    if (
        form.is_valid()
        and found.category.kind == Category.Kind.CHAT
        and len(form.cleaned_data["body"]) > CHAT_MAX_LENGTH
    ):
        form.add_error(
            "body",
            _("Chat messages are short: at most %(count)s characters.")
            % {"count": CHAT_MAX_LENGTH},
        )
    if form.is_valid():
        if refused := cannot_post(request, account):
            form.add_error(None, refused)
        else:
            parent = None
            if form.cleaned_data.get("parent"):
                parent = Post.objects.filter(pk=form.cleaned_data["parent"], topic=found).first()
            try:
                accept(request, account, charter)
                post = posting.reply(account, found, form.cleaned_data["body"], parent)
            except (posting.TooFast, limits.OverLimit) as exc:
                form.add_error(None, too_fast(exc))
            else:
                return redirect(post_url(post))
    listing = posts_page(request, found, account)
    return page(
        request,
        "space/topic.html",
        space,
        account,
        topic=found,
        category=found.category,
        posts=listing.object_list,
        listing=listing,
        topic_first=first_posts({found.pk}).get(found.pk),
        form=form,
        following=follows(account, topic=found),
        last_id=last_post_id(found),
        status=400,
    )


def cannot_post(request: HttpRequest, account: SpaceAccount) -> str:
    if account.banned_at:
        return _("Your account can no longer post in this space.")
    if account.muted_at:
        return _("Your account cannot post for the moment: a moderator has muted it.")
    return ""


def too_fast(exc: posting.TooFast | limits.OverLimit) -> str:
    if isinstance(exc, limits.OverLimit):
        return exc.message()
    return ngettext(
        "You are posting quickly: please wait %(count)s second before posting again.",
        "You are posting quickly: please wait %(count)s seconds before posting again.",
        exc.wait,
    ) % {"count": exc.wait}


def accept(request: HttpRequest, account: SpaceAccount, charter: Charter | None) -> None:
    if charter is None:
        return
    member = accounts.link_member(account)
    if member is not None:
        record_acceptance(member, charter, source="community space", ip=client_ip(request))


@require_POST
def report(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A member reports a post: it goes to the moderators' review queue (an Item of the
    post's stored event, created when no rule had kept it)."""
    space, account = open_space(request, slug)
    post = get_object_or_404(
        Post.objects.select_related("topic__category__space", "author"),
        pk=pk,
        topic__category__space=space,
        hidden=False,
    )
    if account is None:
        return redirect("space_signin", slug=slug)
    if closed := permissions.refuse(post.topic.category, account):
        return closed
    form = ReportForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    event = stored_event(space, post)
    if event is None or post.author.staff:
        messages.info(request, _("Thank you: the moderators will look at it."))
        return redirect(post_url(post))
    item = item_for(event)
    reporter = accounts.NETWORK + ":" + account.remote_id
    if not Report.objects.filter(item=item, reporter=reporter).exists():
        queue.report(item, reporter, note)
    messages.success(request, _("Thank you: the moderators will look at it."))
    return redirect(post_url(post))


def stored_event(space: Space, post: Post) -> Event | None:
    """The post's event, stored now if the immediate path had missed it."""
    if space.channel_id is None:
        return None
    if post.edited_at is not None:
        # An edited post is reported as it reads now: the event of its latest edit.
        edit = (
            Event.objects.filter(channel_id=space.channel_id, raw__edit_of=post.remote_id)
            .order_by("-pk")
            .first()
        )
        if edit is not None:
            return edit
    found = Event.objects.filter(channel_id=space.channel_id, remote_id=post.remote_id).first()
    if found is None:
        posting.publish_to_modules(post)
        found = Event.objects.filter(channel_id=space.channel_id, remote_id=post.remote_id).first()
    return found


def item_for(event: Event) -> Item:
    item = Item.objects.filter(event=event).first()
    if item is not None:
        return item
    try:
        with transaction.atomic():
            return Item.objects.create(
                workspace_id=event.workspace_id,
                event=event,
                channel_id=event.channel_id,
                reason=Reason.REPORTED,
                text=event.text,
                author_remote_id=event.author_remote_id,
                author_handle=event.author_handle,
            )
    except IntegrityError:  # moderation judged it at the same moment
        return Item.objects.get(event=event)


# --- Joining and signing in -----------------------------------------------------------------


def join(request: HttpRequest, slug: str) -> HttpResponse:
    space, account = open_space(request, slug)
    charter = Charter.current(space.workspace)
    initial = {"language": (translation.get_language() or "fr")[:2]}
    form = JoinForm(request.POST or None, charter=charter, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        accounts.request_join(space, data["email"], data["display_name"], data["language"], charter)
        return page(request, "space/link_sent.html", space, account, email=data["email"])
    return page(request, "space/join.html", space, account, form=form, charter=charter)


def signin(request: HttpRequest, slug: str) -> HttpResponse:
    space, account = open_space(request, slug)
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accounts.request_sign_in(space, form.cleaned_data["email"])
        return page(
            request, "space/link_sent.html", space, account, email=form.cleaned_data["email"]
        )
    return page(request, "space/signin.html", space, account, form=form)


def link(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    space, account = open_space(request, slug)
    target = accounts.account_for_token(space, token)
    if target is None:
        return page(request, "space/link_invalid.html", space, account, status=400)
    if request.method == "POST":
        if not accounts.sign_in(request, target, client_ip(request)):
            return page(request, "space/link_invalid.html", space, account, status=400)
        messages.success(
            request, _("Welcome, %(name)s: you are signed in.") % {"name": target.display_name}
        )
        return redirect(space.get_absolute_url())
    return page(request, "space/link_confirm.html", space, account, target=target)


@require_POST
def signout(request: HttpRequest, slug: str) -> HttpResponse:
    space, _account = open_space(request, slug)
    accounts.sign_out(request, space)
    return redirect(space.get_absolute_url())
