"""Moderation pages: the review queue, decisions with undo, rules with a dry run, the charter
(edited as new versions, published on a public page) and the action log."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import markdown
import nh3
from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liant.channels.models import Channel, Event
from liant.connectors.base import render_detail
from liant.core import audit, csvexport
from liant.core.access import WorkspaceRequest, workspace_view
from liant.core.audit import client_ip
from liant.core.models import Workspace
from liant.members.models import Member, Segment
from liant.moderation import appeals, engine, lifting, queue
from liant.moderation import charter as acceptance
from liant.moderation import report as moderation_report
from liant.moderation.models import (
    Appeal,
    AppealState,
    Charter,
    Decision,
    Item,
    ItemState,
    LogEntry,
    Outcome,
    Rule,
)

DRY_RUN_DAYS = 30
DRY_RUN_EVENTS = 5000  # the most recent stored events of the 30 days a dry run reads
SHOWN = 100
# Markdown written in Liant is still sanitized: a charter is shown to the public.
CHARTER_TAGS = {
    "h1", "h2", "h3", "h4", "p", "ul", "ol", "li", "strong", "em", "a", "blockquote", "code",
    "pre", "hr", "br",
}  # fmt: skip


class RuleForm(forms.ModelForm):
    class Meta:
        model = Rule
        fields = [
            "name", "article", "severity", "action", "words", "pattern", "min_links",
            "denied_domains", "allowed_domains", "min_mentions", "all_caps", "wave_size",
            "new_member_days", "max_previous_messages", "up_to_level", "segment",
            "charter_not_accepted", "rate_messages", "rate_minutes", "min_toxicity",
            "min_spam", "channels",
            "warning", "mute_minutes", "label",
        ]  # fmt: skip
        widgets = {
            "words": forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
            "denied_domains": forms.Textarea(attrs={"rows": 2}),
            "allowed_domains": forms.Textarea(attrs={"rows": 2}),
            "warning": forms.Textarea(attrs={"rows": 3}),
            "channels": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: object, workspace: Workspace, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["channels"].queryset = Channel.objects.filter(workspace=workspace)  # type: ignore[attr-defined]
        self.fields["segment"].queryset = Segment.objects.filter(workspace=workspace)  # type: ignore[attr-defined]


class CharterForm(forms.Form):
    body_fr = forms.CharField(
        label=_("Charter in French (Markdown)"), widget=forms.Textarea(attrs={"rows": 16}),
        required=False,
    )  # fmt: skip
    body_en = forms.CharField(
        label=_("Charter in English (Markdown)"), widget=forms.Textarea(attrs={"rows": 16}),
        required=False,
    )  # fmt: skip


def render_charter(text: str) -> str:
    html = markdown.markdown(text)
    return nh3.clean(
        html, tags=CHARTER_TAGS, attributes={"a": {"href"}}, link_rel="nofollow noopener"
    )


@workspace_view("moderation.view")
def review_queue(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    items = Item.objects.filter(workspace=workspace, state=ItemState.QUEUED).select_related(
        "channel", "rule", "event"
    )
    filters = {k: request.GET.get(k, "") for k in ("channel", "rule", "language")}
    if filters["channel"].isdigit():
        items = items.filter(channel_id=int(filters["channel"]))
    if filters["rule"].isdigit():
        items = items.filter(rule_id=int(filters["rule"]))
    if filters["language"]:
        items = items.filter(language=filters["language"])
    pending = LogEntry.objects.filter(
        workspace=workspace, outcome=Outcome.PENDING, apply_after__gt=timezone.now()
    ).select_related("item")
    shown = list(items.order_by("-risk", "created_at")[:SHOWN])
    for item in shown:
        item.why_shown = render_detail(item.why_detail, item.why)  # type: ignore[attr-defined]
    return render(
        request,
        "moderation/queue.html",
        {
            "items": shown,
            "filters": filters,
            "channels": Channel.objects.filter(workspace=workspace),
            "rules": Rule.objects.filter(workspace=workspace),
            "decisions": Decision.choices,
            "pending": pending,
            "appeals": Appeal.objects.filter(workspace=workspace, state=AppealState.OPEN)
            .select_related("entry", "entry__actor", "entry__rule", "entry__charter")
            .order_by("created_at")[:SHOWN],
            "can_act": request.membership.can("moderation.act"),
        },
    )


@workspace_view("moderation.act")
@require_POST
def decide(request: WorkspaceRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Item, pk=pk, workspace=request.workspace, state=ItemState.QUEUED)
    decision = request.POST.get("decision", "")
    if decision not in Decision.values:
        raise Http404
    entry = queue.decide(item, decision, request.user)
    from liant.moderation.tasks import send_decision

    send_decision.schedule((entry.pk,), delay=queue.UNDO_SECONDS + 1)
    audit.record(request, "moderation.decided", target=item, decision=decision)
    messages.success(
        request,
        _("“%(decision)s” recorded; it is sent in %(seconds)s seconds unless you undo it.")
        % {"decision": Decision(decision).label, "seconds": queue.UNDO_SECONDS},
    )
    return redirect("moderation", ws=request.workspace.slug)


@workspace_view("moderation.act")
@require_POST
def undo(request: WorkspaceRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(LogEntry, pk=pk, workspace=request.workspace)
    if queue.undo(entry):
        audit.record(request, "moderation.undone", target=entry)
        messages.success(request, _("Undone: nothing was sent, the item is back in the queue."))
    else:
        messages.error(request, _("Too late to undo: the decision was already sent."))
    return redirect("moderation", ws=request.workspace.slug)


@workspace_view("moderation.view")
def action_log(request: WorkspaceRequest) -> HttpResponse:
    entries = list(
        LogEntry.objects.filter(workspace=request.workspace).select_related("rule", "actor")[:200]
    )
    for entry in entries:
        entry.detail_shown = render_detail(entry.detail_json, entry.detail)  # type: ignore[attr-defined]
        # The link a notice to the author would carry, for a notice sent some other way.
        entry.appeal_link = appeals.appeal_url(entry) if appeals.appealable(entry) else ""  # type: ignore[attr-defined]
    return render(request, "moderation/log.html", {"entries": entries})


@workspace_view("moderation.view")
def action_log_csv(request: WorkspaceRequest) -> StreamingHttpResponse:
    """The whole log (the page shows the last 200). Appeal links are left out: each carries
    the author's token, and a file travels further than a page."""
    entries = LogEntry.objects.filter(workspace=request.workspace).select_related(
        "rule", "actor", "charter"
    )
    header = [
        _("When"), _("Action"), _("By"), _("Rule"), _("Article"), _("Charter version"),
        _("Message at the time"), _("Author"), _("Outcome"), _("Detail"), _("Sent"),
        _("Muted until"), _("Lifted"),
    ]  # fmt: skip
    rows = (
        [
            e.created_at, e.action_label, str(e.actor) if e.actor else "",
            e.rule.name if e.rule else "", e.article if e.article is not None else "",
            e.charter.version if e.charter else "", e.text, e.author_remote_id,
            e.get_outcome_display(), render_detail(e.detail_json, e.detail), e.sent,
            e.mute_until, e.lifted_at,
        ]
        for e in entries.iterator(chunk_size=1000)
    )  # fmt: skip
    return csvexport.response(request.workspace, "moderation-log", header, rows)


@workspace_view("moderation.view")
def rule_list(request: WorkspaceRequest) -> HttpResponse:
    return render(
        request,
        "moderation/rules.html",
        {
            "rules": Rule.objects.filter(workspace=request.workspace),
            "can_manage": request.membership.can("moderation.manage"),
        },
    )


@workspace_view("moderation.manage")
def rule_edit(request: WorkspaceRequest, pk: int | None = None) -> HttpResponse:
    rule = get_object_or_404(Rule, pk=pk, workspace=request.workspace) if pk else None
    instance = rule or Rule(workspace=request.workspace, created_by=request.user)
    form = RuleForm(request.POST or None, instance=instance, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        audit.record(request, "moderation.rule_saved", target=saved, created=rule is None)
        messages.success(request, _("The rule “%(name)s” is saved.") % {"name": saved.name})
        return redirect("moderation_rules", ws=request.workspace.slug)
    return render(request, "moderation/rule_edit.html", {"form": form, "rule": rule})


@workspace_view("moderation.manage")
@require_POST
def rule_toggle(request: WorkspaceRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(Rule, pk=pk, workspace=request.workspace)
    rule.active = not rule.active
    rule.save(update_fields=["active", "updated_at"])
    audit.record(request, "moderation.rule_switched", target=rule, active=rule.active)
    return redirect("moderation_rules", ws=request.workspace.slug)


@workspace_view("moderation.manage")
def rule_dry_run(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """What the rule would have done on the last 30 days of stored messages; nothing is
    written and nothing is sent."""
    rule = get_object_or_404(Rule, pk=pk, workspace=request.workspace)
    since = timezone.now() - timedelta(days=DRY_RUN_DAYS)
    events = list(
        Event.objects.filter(
            workspace=request.workspace, occurred_at__gte=since, kind__in=engine.MODERATED_KINDS
        )
        .exclude(text="")
        .select_related("channel")
        .order_by("-pk")[:DRY_RUN_EVENTS]
    )
    events.reverse()
    judged = engine.judge(request.workspace, events, [rule])
    hits = [(j.event, [r.translated() for r in j.reasons(rule)]) for j in judged if j.matched]
    timed_out = sum(1 for j in judged if j.timed_out)
    return render(
        request,
        "moderation/dry_run.html",
        {
            "rule": rule,
            "hits": hits[-SHOWN:][::-1],
            "found": len(hits),
            "read": len(events),
            "timed_out": timed_out,
            "days": DRY_RUN_DAYS,
        },
    )


@workspace_view("moderation.manage")
def charter_edit(request: WorkspaceRequest) -> HttpResponse:
    current = Charter.current(request.workspace)
    initial = {"body_fr": current.body_fr, "body_en": current.body_en} if current else {}
    form = CharterForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        version = (current.version + 1) if current else 1
        charter = Charter.objects.create(
            workspace=request.workspace,
            version=version,
            body_fr=form.cleaned_data["body_fr"],
            body_en=form.cleaned_data["body_en"],
            created_by=request.user,
        )
        audit.record(request, "moderation.charter_published", target=charter, version=version)
        messages.success(request, _("Version %(n)s of the charter is published.") % {"n": version})
        return redirect("moderation_charter", ws=request.workspace.slug)
    query = request.GET.get("q", "").strip()[:100]
    found = (
        list(
            Member.objects.filter(
                Q(name__icontains=query) | Q(email__icontains=query),
                workspace=request.workspace,
                merged_into__isnull=True,
                erased_at__isnull=True,
            )[:20]
        )
        if query
        else []
    )
    return render(
        request,
        "moderation/charter_edit.html",
        {
            "form": form,
            "current": current,
            "counts": acceptance.acceptance_counts(request.workspace),
            "q": query,
            "found": found,
            "versions": Charter.objects.filter(workspace=request.workspace)[:20],
        },
    )


def public_charter(request: HttpRequest, slug: str) -> HttpResponse:
    """The charter members agree to: public, like the community it governs."""
    workspace = get_object_or_404(Workspace, slug=slug)
    charter = Charter.current(workspace)
    if charter is None:
        raise Http404
    # Written in Liant by the workspace's managers, rendered from Markdown and sanitized with
    # nh3 before it is marked safe; nothing from outside reaches it.
    html = mark_safe(render_charter(charter.body()))  # noqa: S308
    return render(
        request,
        "moderation/charter_public.html",
        {"workspace": workspace, "charter": charter, "html": html},
    )


def charter_accept(request: HttpRequest, signed: str) -> HttpResponse:
    """The public charter with an "I accept" for the one person the signed link names. It
    shows nothing about them but whether they accepted this version: a forwarded link tells
    its reader nothing else."""
    person = acceptance.member_of(signed)
    workspace = person.workspace
    current = Charter.current(workspace)
    if current is None:
        raise Http404
    accepted = acceptance.accepted_at(person, current)
    if request.method == "POST" and accepted is None:
        acceptance.record_acceptance(
            person, current, source="public charter page", ip=client_ip(request)
        )
        messages.success(request, _("Thank you: your acceptance is recorded."))
        return redirect(request.path)
    html = mark_safe(render_charter(current.body()))  # noqa: S308 - sanitized as above
    return render(
        request,
        "moderation/charter_public.html",
        {"workspace": workspace, "charter": current, "html": html, "accepting": True,
         "accepted": accepted},
    )  # fmt: skip


@workspace_view("moderation.manage")
def member_charter(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """One member's charter acceptance: the link to send them, and recording an acceptance
    given some other way (on paper, at an event, by e-mail) with who recorded it."""
    person = get_object_or_404(Member, pk=pk, workspace=request.workspace, merged_into__isnull=True)
    current = Charter.current(request.workspace)
    if request.method == "POST":
        if current is None:
            raise Http404
        if request.POST.get("do") == "send":
            if not person.email:
                raise Http404
            try:
                acceptance.send_link(person)
            except Exception:  # a mail server down: say so, the link is on the page to copy
                logging.getLogger(__name__).exception("charter link to member %s", person.pk)
                messages.error(request, _("The e-mail could not be sent; copy the link instead."))
            else:
                audit.record(request, "moderation.charter_link_sent", target=person)
                messages.success(
                    request, _("The link is sent to %(email)s.") % {"email": person.email}
                )
        elif acceptance.accepted_at(person, current) is None:
            acceptance.record_acceptance(
                person, current, source=f"recorded by {request.user.email}"
            )
            audit.record(
                request, "moderation.charter_accepted", target=person, version=current.version
            )
            messages.success(
                request,
                _("Recorded: %(name)s accepted version %(n)s of the charter.")
                % {"name": str(person), "n": current.version},
            )
        return redirect("moderation_member_charter", ws=request.workspace.slug, pk=person.pk)
    history = person.consents.filter(purpose="charter")[:20]
    return render(
        request,
        "moderation/member_charter.html",
        {
            "person": person,
            "current": current,
            "accepted": acceptance.accepted_at(person, current) if current else None,
            "history": history,
            "link": acceptance.accept_url(person),
        },
    )


# --- Appeals ------------------------------------------------------------------------------

# What the author is told happened, per decision (a rule's action or a person's).
WHAT_HAPPENED = {
    "hold": gettext_lazy("Your message is held: the moderators will look at it."),
    "hide": gettext_lazy("Your message was removed."),
    "delete": gettext_lazy("Your message was removed."),
    "remove": gettext_lazy("Your message was removed."),
    "remove_warn": gettext_lazy("Your message was removed."),
    "mute": gettext_lazy("You were muted."),
    "remove_mute": gettext_lazy("Your message was removed and you were muted."),
    "ban": gettext_lazy("You were banned from the community."),
}


class AppealForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Why should the moderators change this decision?"),
        max_length=appeals.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


def appeal_page(request: HttpRequest, signed: str) -> HttpResponse:
    """Public: what was decided about one message and why (the charter article, in the
    reader's language), and a form to contest it. It shows the author's own message and the
    decision, nothing about anyone else; the moderator who decided is not named."""
    entry = appeals.entry_of(signed)
    workspace = entry.workspace
    existing = Appeal.objects.filter(entry=entry).first()
    form = AppealForm(request.POST or None)
    if request.method == "POST" and existing is None and form.is_valid():
        appeals.submit(entry, form.cleaned_data["text"], get_language() or workspace.language)
        messages.success(request, _("Your appeal is sent: a moderator will look at it."))
        return redirect(request.path)
    charter = entry.charter or Charter.current(workspace)
    language = get_language()
    article = None
    if charter is not None and entry.article is not None:
        text = charter.article_text(entry.article, language)
        # Sanitized like the public charter: the managers' Markdown, nothing from outside.
        article = mark_safe(render_charter(text)) if text else None  # noqa: S308
    return render(
        request,
        "moderation/appeal_public.html",
        {
            "workspace": workspace,
            "entry": entry,
            "what": WHAT_HAPPENED.get(entry.action, ""),
            "number": entry.article,
            "article": article,
            "charter": charter,
            "appeal": existing,
            "form": form,
        },
    )


@workspace_view("moderation.act")
@require_POST
def appeal_decide(request: WorkspaceRequest, pk: int) -> HttpResponse:
    appeal = get_object_or_404(
        Appeal.objects.select_related("entry"),
        pk=pk,
        workspace=request.workspace,
        state=AppealState.OPEN,
    )
    decision = request.POST.get("decision", "")
    if decision not in (appeals.UPHOLD, appeals.REVERSE):
        raise Http404
    try:
        entry = appeals.decide(appeal, decision, request.user, request.POST.get("answer", ""))
    except appeals.SameModerator:
        messages.error(
            request, _("You took this decision: another moderator must judge its appeal.")
        )
        return redirect("moderation", ws=request.workspace.slug)
    if entry is not None:
        audit.record(request, "moderation.appeal_decided", target=appeal, decision=decision)
        if decision == appeals.REVERSE:
            messages.success(request, _("Reversed: %(outcome)s.") % {
                "outcome": entry.get_outcome_display()})  # fmt: skip
        else:
            messages.success(request, _("The decision is upheld."))
    return redirect("moderation", ws=request.workspace.slug)


# --- Mutes and bans -----------------------------------------------------------------------


@workspace_view("moderation.view")
def sanctions(request: WorkspaceRequest) -> HttpResponse:
    """Mutes and bans in force, with when each ends, and the recent lifts."""
    active = list(
        lifting.in_force(request.workspace).select_related("rule", "actor").order_by("mute_until")
    )
    lifted = list(
        LogEntry.objects.filter(
            workspace=request.workspace, action__in=[lifting.UNMUTE, lifting.UNBAN]
        ).select_related("actor")[:50]
    )
    for entry in lifted:
        entry.detail_shown = render_detail(entry.detail_json, entry.detail)  # type: ignore[attr-defined]
    return render(
        request,
        "moderation/sanctions.html",
        {
            "active": active,
            "lifted": lifted,
            "can_act": request.membership.can("moderation.act"),
        },
    )


@workspace_view("moderation.act")
@require_POST
def sanction_lift(request: WorkspaceRequest, pk: int) -> HttpResponse:
    sanction = get_object_or_404(LogEntry, pk=pk, workspace=request.workspace)
    entry = lifting.lift(sanction.pk, actor=request.user)
    if entry is None:
        messages.error(request, _("This mute or ban is no longer in force."))
    else:
        audit.record(request, "moderation.lifted", target=sanction)
        if entry.outcome == Outcome.APPLIED:
            messages.success(request, _("Lifted on the network."))
        else:
            messages.warning(
                request,
                _("Recorded as lifted; the network still needs it: %(reason)s")
                % {"reason": render_detail(entry.detail_json, entry.detail)},
            )
    return redirect("moderation_sanctions", ws=request.workspace.slug)


# --- Report -------------------------------------------------------------------------------


@workspace_view("moderation.view")
def report_page(request: WorkspaceRequest) -> HttpResponse:
    """The weekly report the owners get by e-mail, for any week (?week=2026-11-23)."""
    try:
        day = date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = None
    start, end = moderation_report.week_of(request.workspace, day)
    found = moderation_report.build(request.workspace, start, end)
    following = end.date() if end <= timezone.now() else None
    return render(
        request,
        "moderation/report.html",
        {
            "report": found,
            "wait": moderation_report.duration(found.median_decision),
            "previous": (start - timedelta(days=7)).date(),
            "next": following,
        },
    )
