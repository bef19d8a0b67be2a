"""Inbox pages: the queue, a conversation, and what people do on it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from liant.channels.models import Channel
from liant.core import audit, csvexport
from liant.core.access import WorkspaceRequest, workspace_view
from liant.inbox import bulk, notify, replies, search
from liant.inbox.forms import ConversationForm, NoteForm, ReplyForm, inbox_people
from liant.inbox.models import (
    BulkAction,
    Conversation,
    Label,
    Message,
    Note,
    Notification,
    Presence,
    Priority,
    SavedReply,
    SendState,
    Sentiment,
    Status,
)
from liant.webhooks.events import conversation_changed

PAGE = 50
PRESENCE_TTL = timedelta(seconds=30)  # a marker older than this is someone who left
SLA_RISK = timedelta(hours=1)  # "at risk": a deadline passed or less than this away
ACTIVE = [Status.OPEN, Status.PENDING]
FILTERS = (
    "status",
    "channel",
    "assignee",
    "label",
    "priority",
    "sentiment",
    "language",
    "unanswered",
    "sla",
    "q",
)
UNDO_FOR = timedelta(minutes=10)  # how long a bulk action offers its undo button


def conversation_of(request: WorkspaceRequest, pk: int) -> Conversation:
    return get_object_or_404(
        Conversation.objects.select_related("channel", "assignee", "department", "workspace"),
        pk=pk,
        workspace=request.workspace,
    )


def filtered(request: WorkspaceRequest) -> tuple[QuerySet[Conversation], dict[str, str]]:
    """The queue with the filters of the query string; unknown values are ignored."""
    get = request.GET
    chosen = {name: get.get(name, "").strip() for name in FILTERS}
    rows = Conversation.objects.filter(workspace=request.workspace)
    status = chosen["status"]
    if status in Status.values:
        rows = rows.filter(status=status)
    elif status != "all":
        rows = rows.filter(status__in=ACTIVE)
    if chosen["channel"].isdigit():
        rows = rows.filter(channel_id=int(chosen["channel"]))
    assignee = chosen["assignee"]
    if assignee == "me":
        rows = rows.filter(assignee=request.user)
    elif assignee == "none":
        rows = rows.filter(assignee__isnull=True)
    elif assignee.isdigit():
        rows = rows.filter(assignee_id=int(assignee))
    if chosen["label"].isdigit():
        rows = rows.filter(labels__id=int(chosen["label"]))
    if chosen["priority"].isdigit():
        rows = rows.filter(priority=int(chosen["priority"]))
    if chosen["sentiment"] in Sentiment.values:
        rows = rows.filter(sentiment=chosen["sentiment"])
    if chosen["language"] in ("fr", "en"):
        rows = rows.filter(language=chosen["language"])
    if chosen["unanswered"] == "1":
        rows = rows.filter(awaiting_reply=True)
    if chosen["sla"] == "risk":
        rows = at_risk(rows)
    if chosen["q"]:
        rows = search.matching(rows, chosen["q"], request.workspace.pk)
    return rows.order_by("-last_activity_at", "-id"), chosen


def at_risk(rows: QuerySet[Conversation]) -> QuerySet[Conversation]:
    """Open work whose running deadline is passed or falls within SLA_RISK."""
    soon = timezone.now() + SLA_RISK
    return rows.exclude(status=Status.CLOSED).filter(
        Q(first_response_at__isnull=True, first_response_due__lte=soon)
        | Q(awaiting_reply=True, next_response_due__lte=soon)
        | Q(resolution_due__lte=soon)
    )


def page_of(rows: QuerySet[Conversation], request: WorkspaceRequest) -> tuple[list, int, bool]:
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    # One row more than shown says whether there is a next page, without counting them all.
    start = (page - 1) * PAGE
    found = list(
        # to_attr: a plain list per row, not a related manager built for each one.
        rows.select_related("channel", "assignee").prefetch_related(
            Prefetch("labels", queryset=Label.objects.order_by("name"), to_attr="label_list")
        )[start : start + PAGE + 1]
    )
    return found[:PAGE], page, len(found) > PAGE


@workspace_view("inbox.view")
def queue(request: WorkspaceRequest) -> HttpResponse:
    rows, chosen = filtered(request)
    conversations, page, more = page_of(rows, request)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "conversations": conversations,
        "chosen": chosen,
        "page": page,
        "more": more,
        "query": query.urlencode(),
        "statuses": Status.choices,
        "priorities": Priority.choices,
        "sentiments": Sentiment.choices,
        "channels": Channel.objects.filter(workspace=request.workspace),
        "labels": Label.objects.filter(workspace=request.workspace),
        "people": inbox_people(request.workspace),
        "unread": Notification.objects.filter(
            workspace=request.workspace, user=request.user, read_at__isnull=True
        ).count(),
        "now": timezone.now(),
        "can_manage": request.membership.can("inbox.manage"),
        "can_reply": request.membership.can("inbox.reply"),
        "last_bulk": BulkAction.objects.filter(
            workspace=request.workspace,
            actor=request.user,
            undone_at__isnull=True,
            created_at__gte=timezone.now() - UNDO_FOR,
        )
        .order_by("-created_at")
        .first(),
    }
    template = "inbox/queue_rows.html" if request.headers.get("HX-Request") else "inbox/queue.html"
    with timezone.override(ZoneInfo(request.workspace.timezone)):
        return render(request, template, context)


@workspace_view("inbox.view")
def queue_csv(request: WorkspaceRequest) -> StreamingHttpResponse:
    """The queue's conversations for its filters, every page."""
    rows, _chosen = filtered(request)
    rows = rows.select_related("channel", "assignee", "department").prefetch_related("labels")
    header = [
        _("Last activity"), _("Channel"), _("Contact"), _("Handle"), _("Subject"), _("Status"),
        _("Priority"), _("Assigned to"), _("Department"), _("Labels"), _("Language"),
        _("Sentiment"), _("Messages"), _("Awaiting a reply"), _("First response"),
        _("Opened"), _("Closed"), _("Link"),
    ]  # fmt: skip
    base = request.build_absolute_uri(reverse("inbox", kwargs={"ws": request.workspace.slug}))
    lines = (
        [
            c.last_activity_at, c.channel.name, c.contact_name, c.contact_handle, c.subject,
            c.get_status_display(), c.get_priority_display(),
            str(c.assignee) if c.assignee else "", c.department.name if c.department else "",
            ", ".join(label.name for label in c.labels.all()), c.language,
            c.get_sentiment_display() if c.sentiment else "", c.message_count,
            _("yes") if c.awaiting_reply else _("no"), c.first_response_at, c.created_at,
            c.closed_at, f"{base}{c.pk}/",
        ]
        for c in rows.iterator(chunk_size=1000)
    )  # fmt: skip
    return csvexport.response(request.workspace, "conversations", header, lines)


@workspace_view("inbox.view")
def conversation(request: WorkspaceRequest, pk: int) -> HttpResponse:
    conv = conversation_of(request, pk)
    Notification.objects.filter(user=request.user, conversation=conv, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return render_conversation(request, conv)


def render_conversation(
    request: WorkspaceRequest,
    conv: Conversation,
    *,
    form: ConversationForm | None = None,
    reply_form: ReplyForm | None = None,
    note_form: NoteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    history = conv.messages.select_related("sent_by", "event").order_by("occurred_at", "id")
    with timezone.override(ZoneInfo(request.workspace.timezone)):
        context: dict[str, Any] = {
            "conversation": conv,
            "history": history,
            "notes": conv.notes.select_related("author"),
            "form": form
            or ConversationForm(
                workspace=request.workspace,
                initial={
                    "status": conv.status,
                    "snoozed_until": conv.snoozed_until,
                    "priority": conv.priority,
                    "assignee": conv.assignee_id,
                    "labels": list(conv.labels.values_list("pk", flat=True)),
                },
            ),
            "reply_form": reply_form or ReplyForm(),
            "note_form": note_form or NoteForm(prefix="note"),
            "saved_replies": SavedReply.objects.filter(workspace=request.workspace),
            "can_reply": request.membership.can("inbox.reply"),
            "others": others_writing(conv, request.user),
            "sla": conv.sla_due(),
            "now": timezone.now(),
            "breaches": conv.breaches.all(),
            "person_history": person_history(conv),
            **person_panel(conv),
        }
        return render(request, "inbox/conversation.html", context, status=status)


def person_panel(conv: Conversation) -> dict[str, Any]:
    """Who this is, from the members module: their level, what they did lately on every
    channel, and their conversations from all their accounts."""
    from liant.members import lookup  # noqa: PLC0415 - members reads inbox models too
    from liant.members.views import conversations_of, related_rows  # noqa: PLC0415

    person = lookup.member_for(conv.workspace_id, conv.channel.kind, conv.contact_remote_id)
    if person is None:
        return {}
    return {
        "person": person,
        "person_activity": lookup.recent_activity(person),
        "person_conversations": [c for c in conversations_of(person) if c.pk != conv.pk],
        "person_related": related_rows(person),
    }


def person_history(conv: Conversation) -> QuerySet[Conversation]:
    """The same person's other conversations on this workspace's channels (by identity)."""
    if not conv.contact_remote_id:
        return Conversation.objects.none()
    return (
        Conversation.objects.filter(
            workspace_id=conv.workspace_id, contact_remote_id=conv.contact_remote_id
        )
        .exclude(pk=conv.pk)
        .select_related("channel")
        .order_by("-last_activity_at")[:20]
    )


@workspace_view("inbox.reply")
@require_POST
def update(request: WorkspaceRequest, pk: int) -> HttpResponse:
    conv = conversation_of(request, pk)
    with timezone.override(ZoneInfo(request.workspace.timezone)):
        form = ConversationForm(request.POST, workspace=request.workspace)
        valid = form.is_valid()
    if not valid:
        return render_conversation(request, conv, form=form, status=400)
    data = form.cleaned_data
    before = {"status": conv.status, "assignee": conv.assignee_id, "priority": conv.priority}
    with transaction.atomic():
        conv.status = data["status"]
        conv.snoozed_until = data["snoozed_until"] if conv.status == Status.SNOOZED else None
        conv.priority = data["priority"]
        conv.assignee = data["assignee"]
        if conv.status == Status.CLOSED and before["status"] != Status.CLOSED:
            conv.closed_at = timezone.now()
        elif conv.status != Status.CLOSED:
            conv.closed_at = None
        conv.save(update_fields=["status", "snoozed_until", "priority", "assignee", "closed_at"])
        labels = list(data["labels"])
        if data["new_label"].strip():
            label, _created = Label.objects.get_or_create(
                workspace=request.workspace, name=data["new_label"].strip()
            )
            labels.append(label)
        conv.labels.set(labels)
        conversation_changed(
            conv.workspace_id,
            conv.pk,
            closed=conv.status == Status.CLOSED and before["status"] != Status.CLOSED,
            assigned=conv.assignee_id is not None and conv.assignee_id != before["assignee"],
            assignee_id=conv.assignee_id,
        )
        audit.record(
            request,
            "inbox.conversation_updated",
            target=conv,
            before=before,
            after={"status": conv.status, "assignee": conv.assignee_id, "priority": conv.priority},
        )
    messages.success(request, _("The conversation is updated."))
    return redirect("conversation", ws=request.workspace.slug, pk=conv.pk)


@workspace_view("inbox.view")
@require_POST
def add_note(request: WorkspaceRequest, pk: int) -> HttpResponse:
    conv = conversation_of(request, pk)
    form = NoteForm(request.POST, prefix="note")  # the reply box owns "text"
    if not form.is_valid():
        return render_conversation(request, conv, note_form=form, status=400)
    with transaction.atomic():
        note = Note.objects.create(
            conversation=conv, author=request.user, text=form.cleaned_data["text"]
        )
        told = notify.notify_mentions(note)
        if told:
            note_id = note.pk
            transaction.on_commit(lambda: notify.mail_mentions(note_id))
    messages.success(request, _("The note is added."))
    return redirect("conversation", ws=request.workspace.slug, pk=conv.pk)


@workspace_view("inbox.reply")
@require_POST
def reply(request: WorkspaceRequest, pk: int) -> HttpResponse:
    conv = conversation_of(request, pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return render_conversation(request, conv, reply_form=form, status=400)
    with transaction.atomic():
        message = replies.queue_reply(conv, form.cleaned_data["text"], user=request.user)
        Presence.objects.filter(conversation=conv, user=request.user).delete()
        audit.record(request, "inbox.reply_queued", target=conv, message=message.pk)
    messages.success(request, _("The reply is on its way."))
    return redirect("conversation", ws=request.workspace.slug, pk=conv.pk)


@workspace_view("inbox.reply")
@require_POST
def retry_message(request: WorkspaceRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(Message, pk=pk, workspace=request.workspace, state=SendState.FAILED)
    with transaction.atomic():
        if replies.retry(message):
            audit.record(request, "inbox.reply_retried", target=message.conversation)
            messages.success(request, _("The reply is sent again."))
    return redirect("conversation", ws=request.workspace.slug, pk=message.conversation_id)


@workspace_view("inbox.reply")
def saved_reply_preview(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """The chosen saved reply, filled for this conversation, as the reply box (htmx)."""
    conv = conversation_of(request, pk)
    saved = SavedReply.objects.filter(
        workspace=request.workspace, pk=request.GET.get("saved") or 0
    ).first()
    text = replies.saved_reply_text(saved, conv, request.user) if saved else ""
    form = ReplyForm(initial={"text": text})
    return render(request, "inbox/reply_box.html", {"reply_form": form, "conversation": conv})


def others_writing(conv: Conversation, user: Any) -> list[Any]:
    fresh = timezone.now() - PRESENCE_TTL
    return [
        p.user
        for p in Presence.objects.filter(conversation=conv, seen_at__gte=fresh)
        .exclude(user=user)
        .select_related("user")
    ]


@workspace_view("inbox.reply")
@require_POST
def presence(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Polled by the reply box: marks whether I am writing, answers who else is."""
    conv = conversation_of(request, pk)
    if request.POST.get("text", "").strip():
        Presence.objects.update_or_create(
            conversation=conv, user=request.user, defaults={"seen_at": timezone.now()}
        )
    else:
        Presence.objects.filter(conversation=conv, user=request.user).delete()
    return render(request, "inbox/presence.html", {"others": others_writing(conv, request.user)})


@workspace_view("inbox.reply")
@require_POST
def bulk_action(request: WorkspaceRequest) -> HttpResponse:
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()]
    action = request.POST.get("action", "")
    people = inbox_people(request.workspace)
    assignee = people.filter(pk=request.POST.get("assignee") or 0).first()
    label = Label.objects.filter(
        workspace=request.workspace, pk=request.POST.get("label") or 0
    ).first()
    if (action == "label" and label is None) or action not in bulk.ACTIONS:
        messages.error(request, _("Choose an action (and its label)."))
        return redirect("inbox", ws=request.workspace.slug)
    done = bulk.apply(request.workspace, request.user, action, ids, assignee=assignee, label=label)
    if done is None:
        messages.error(request, _("Select at least one conversation."))
    else:
        audit.record(request, "inbox.bulk", target=done, verb=action, count=len(done.before))
        messages.success(
            request,
            ngettext(
                "%(n)d conversation changed.", "%(n)d conversations changed.", len(done.before)
            )
            % {"n": len(done.before)},
        )
    # Back to the same filtered queue; only the known filters are carried over.
    back = QueryDict(request.POST.get("back", ""))
    kept = urlencode({k: back[k] for k in FILTERS if back.get(k)})
    return redirect(f"{reverse('inbox', kwargs={'ws': request.workspace.slug})}?{kept}")


@workspace_view("inbox.reply")
@require_POST
def bulk_undo(request: WorkspaceRequest, pk: int) -> HttpResponse:
    done = get_object_or_404(BulkAction, pk=pk, workspace=request.workspace)
    restored = bulk.undo(done)
    audit.record(request, "inbox.bulk_undone", target=done, restored=restored)
    messages.success(
        request,
        ngettext("%(n)d conversation restored.", "%(n)d conversations restored.", restored)
        % {"n": restored},
    )
    return redirect("inbox", ws=request.workspace.slug)


@workspace_view("inbox.view")
def notifications(request: WorkspaceRequest) -> HttpResponse:
    rows = Notification.objects.filter(
        workspace=request.workspace, user=request.user
    ).select_related("conversation__channel", "note__author")[:100]
    return render(request, "inbox/notifications.html", {"notifications": rows})
