"""Listening pages: the queries a workspace watches, and a tester on what is already stored."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from liant.channels.models import Event
from liant.core import audit, csvexport
from liant.core.access import WorkspaceRequest, workspace_view
from liant.listening import stats
from liant.listening.alerts import describe
from liant.listening.curation import (
    set_irrelevant,
    suggest_exclusions,
    to_conversations,
    to_ideas,
)
from liant.listening.matching import Document, Matcher
from liant.listening.models import Alert, ListeningSettings, Mention, Query, Sentiment
from liant.listening.query import QuerySyntaxError, parse

TESTED_EVENTS = 2000  # the most recent stored events a query is tried on
SHOWN_MATCHES = 50


class QueryForm(forms.ModelForm):
    class Meta:
        model = Query
        fields = ["name", "kind", "text", "active"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "spellcheck": "false"})}


@workspace_view("listening.view")
def query_list(request: WorkspaceRequest) -> HttpResponse:
    return render(
        request,
        "listening/list.html",
        {
            "queries": Query.objects.filter(workspace=request.workspace),
            "can_manage": request.membership.can("listening.manage"),
        },
    )


@workspace_view("listening.manage")
def query_edit(request: WorkspaceRequest, pk: int | None = None) -> HttpResponse:
    query = get_object_or_404(Query, pk=pk, workspace=request.workspace) if pk else None
    instance = query or Query(workspace=request.workspace, created_by=request.user)
    form = QueryForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # a savepoint: PostgreSQL can go on after the refusal
                saved = form.save()
        except IntegrityError:  # the name is the workspace's unique key
            form.add_error("name", _("Another query already has this name."))
        else:
            audit.record(
                request,
                "listening.query_saved",
                target=saved,
                created=query is None,
                text=saved.text,
            )
            messages.success(request, _("The query “%(name)s” is saved.") % {"name": saved.name})
            return redirect("listening_queries", ws=request.workspace.slug)
    return render(
        request,
        "listening/edit.html",
        {
            "form": form,
            "query": query,
            "exclusions": suggest_exclusions(query) if query else [],
        },
    )


@workspace_view("listening.manage")
@require_POST
def query_delete(request: WorkspaceRequest, pk: int) -> HttpResponse:
    query = get_object_or_404(Query, pk=pk, workspace=request.workspace)
    audit.record(request, "listening.query_deleted", target=query, text=query.text)
    query.delete()
    messages.success(request, _("The query “%(name)s” is deleted.") % {"name": query.name})
    return redirect("listening_queries", ws=request.workspace.slug)


@workspace_view("listening.manage")
@require_POST
def query_exclude(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Add `-term` to the query, from the words its irrelevant mentions have in common."""
    query = get_object_or_404(Query, pk=pk, workspace=request.workspace)
    term = " ".join(request.POST.get("term", "").split())[:100]
    if term:
        quoted = f'"{term}"' if " " in term else term
        candidate = f"({query.text}) -{quoted}"
        try:
            parse(candidate)
        except QuerySyntaxError as error:
            messages.error(request, error.translated())
        else:
            query.text = candidate
            query.save(update_fields=["text", "updated_at"])
            audit.record(request, "listening.query_saved", target=query, text=query.text)
            messages.success(request, _("“%(term)s” is now excluded.") % {"term": term})
    return redirect("query_edit", ws=request.workspace.slug, pk=query.pk)


@workspace_view("listening.view")
def tester(request: WorkspaceRequest) -> HttpResponse:
    """Try a query on the workspace's recent stored events before saving it."""
    text = request.GET.get("q", "")
    context: dict[str, object] = {"q": text}
    if text.strip():
        try:
            tree = parse(text)
        except QuerySyntaxError as error:
            context["error"] = error.translated()
            context["error_column"] = error.column
        else:
            matcher = Matcher({"q": tree})
            events = Event.objects.filter(workspace=request.workspace).select_related("channel")
            recent = list(events.order_by("-occurred_at")[:TESTED_EVENTS])
            found = []
            for event in recent:
                hit = matcher.match(
                    Document(
                        event.text,
                        language=event.language,
                        source=event.channel.kind,
                        author=event.author_handle,
                    )
                )
                if hit:
                    found.append((event, hit["q"]))
            context |= {
                "tree": str(tree),
                "tested": len(recent),
                "match_count": len(found),
                "matches": found[:SHOWN_MATCHES],
            }
    partial = request.headers.get("HX-Request") == "true"
    template = "listening/tester_results.html" if partial else "listening/tester.html"
    return render(request, template, context)


# --- dashboard, mentions, alerts ---------------------------------------------------------------

PERIODS = {"7": 7, "30": 30, "90": 90, "365": 365}
MENTIONS_PER_PAGE = 50


def _period(request: WorkspaceRequest) -> tuple[str, date, date]:
    key = request.GET.get("days", "30")
    key = key if key in PERIODS else "30"
    today = timezone.localdate()
    return key, today - timedelta(days=PERIODS[key] - 1), today


@workspace_view("listening.view")
def dashboard(request: WorkspaceRequest) -> HttpResponse:
    key, start, end = _period(request)
    queries = list(Query.objects.filter(workspace=request.workspace))
    series = stats.daily(request.workspace, start, end, queries)
    begin = datetime.combine(start, time.min, tzinfo=timezone.get_current_timezone())
    finish = datetime.combine(end + timedelta(days=1), time.min, tzinfo=begin.tzinfo)
    totals = stats.totals(request.workspace, queries, start, end)
    chart = {
        "days": [d.isoformat() for d in series.days],
        "queries": [{"name": q.name, "values": series.by_query[q.pk]} for q in queries if q.active],
        "sentiment": {
            "positive": series.positive,
            "neutral": series.neutral,
            "negative": series.negative,
        },
        "reputation": series.reputation,
        "labels": {
            "positive": _("Positive"),
            "neutral": _("Neutral"),
            "negative": _("Negative"),
            "reputation": _("E-reputation index"),
        },
    }
    return render(
        request,
        "listening/dashboard.html",
        {
            "days": key,
            "periods": PERIODS,
            "start": start,
            "end": end,
            "queries": queries,
            "share": stats.share_of_voice(queries, series),
            "totals": totals,
            "reputation": stats.reputation_index(
                totals["positive"], totals["negative"], totals["mentions"]
            ),
            "rising": stats.rising(request.workspace, begin, finish),
            "authors": stats.top_authors(request.workspace, begin, finish),
            "open_alerts": Alert.objects.filter(
                workspace=request.workspace, acknowledged_at=None
            ).count(),
            "chart": chart,
        },
    )


def filtered_mentions(request: WorkspaceRequest) -> QuerySet[Mention]:
    """The mentions the list shows for its filters (the page and its CSV export)."""
    mentions = Mention.objects.filter(workspace=request.workspace).select_related("channel")
    filters = request.GET
    if filters.get("query", "").isdigit():
        mentions = mentions.filter(matches__query_id=int(filters["query"]))
    if filters.get("sentiment") in Sentiment.values:
        mentions = mentions.filter(sentiment=filters["sentiment"])
    if filters.get("language"):
        mentions = mentions.filter(language=filters["language"][:8])
    if filters.get("source"):
        mentions = mentions.filter(source=filters["source"][:40])
    if filters.get("q"):
        mentions = mentions.filter(text__icontains=filters["q"][:200])
    if filters.get("show") == "irrelevant":
        mentions = mentions.filter(irrelevant=True)
    else:
        mentions = mentions.filter(irrelevant=False)
    if filters.get("copies") != "1":
        mentions = mentions.filter(duplicate_of=None)
    return mentions


@workspace_view("listening.view")
def mention_list(request: WorkspaceRequest) -> HttpResponse:
    mentions = filtered_mentions(request)
    filters = request.GET
    page = Paginator(mentions.order_by("-occurred_at"), MENTIONS_PER_PAGE).get_page(
        filters.get("page")
    )
    params = filters.copy()
    params.pop("page", None)
    return render(
        request,
        "listening/mentions.html",
        {
            "page": page,
            "queries": Query.objects.filter(workspace=request.workspace),
            "sources": Mention.objects.filter(workspace=request.workspace)
            .values_list("source", flat=True)
            .distinct()
            .order_by("source"),
            "sentiments": Sentiment.choices,
            "filters": filters,
            "params": params.urlencode(),
            "can_manage": request.membership.can("listening.manage"),
            "can_write_posts": request.membership.can("posts.write"),
            "can_reply": request.membership.can("inbox.reply"),
        },
    )


@workspace_view("listening.view")
def mention_csv(request: WorkspaceRequest) -> StreamingHttpResponse:
    mentions = filtered_mentions(request).order_by("-occurred_at")
    header = [
        _("Date"), _("Source"), _("Author"), _("Handle"), _("Followers"), _("Language"),
        _("Sentiment"), _("Text"), _("Link"),
    ]  # fmt: skip
    rows = (
        [
            m.occurred_at, m.source, m.author_name, m.author_handle, m.author_followers,
            m.language, m.get_sentiment_display() if m.sentiment else "", m.text, m.url,
        ]
        for m in mentions.iterator(chunk_size=2000)
    )  # fmt: skip
    return csvexport.response(request.workspace, "mentions", header, rows)


@workspace_view("listening.manage")
@require_POST
def mention_bulk(request: WorkspaceRequest) -> HttpResponse:
    ids = [int(i) for i in request.POST.getlist("mention") if i.isdigit()]
    action = request.POST.get("action")
    if action in ("irrelevant", "relevant") and ids:
        changed = set_irrelevant(request.workspace, ids, action == "irrelevant")
        if changed:
            audit.record(request, f"listening.mentions_{action}", count=changed)
        messages.success(
            request,
            ngettext("%(count)s mention updated.", "%(count)s mentions updated.", changed)
            % {"count": changed},
        )
    elif action == "idea" and ids:
        if not request.membership.can("posts.write"):
            raise PermissionDenied
        made = to_ideas(request.workspace, request.user, ids)
        audit.record(request, "listening.mentions_to_ideas", count=made)
        messages.success(
            request,
            ngettext(
                "%(count)s idea added to publishing.", "%(count)s ideas added to publishing.", made
            )
            % {"count": made},
        )
    elif action == "inbox" and ids:
        if not request.membership.can("inbox.reply"):
            raise PermissionDenied
        opened, refused = to_conversations(request.workspace, ids)
        audit.record(request, "listening.mentions_to_inbox", count=opened)
        messages.success(
            request,
            ngettext(
                "%(count)s mention is now in the inbox.",
                "%(count)s mentions are now in the inbox.",
                opened,
            )
            % {"count": opened},
        )
        if refused:
            messages.warning(
                request,
                ngettext(
                    "%(count)s mention came from a channel Liant cannot answer on (a feed).",
                    "%(count)s mentions came from channels Liant cannot answer on (feeds).",
                    refused,
                )
                % {"count": refused},
            )
    back = request.POST.get("next", "")
    if not back.startswith(f"/w/{request.workspace.slug}/"):
        back = reverse("listening_mentions", kwargs={"ws": request.workspace.slug})
    return redirect(back)


@workspace_view("listening.view")
def alert_list(request: WorkspaceRequest) -> HttpResponse:
    alerts = (
        Alert.objects.filter(workspace=request.workspace)
        .select_related("query", "acknowledged_by")
        .prefetch_related("mentions")[:100]
    )
    return render(
        request,
        "listening/alerts.html",
        {
            "alerts": [(a, describe(a)) for a in alerts],
            "can_manage": request.membership.can("listening.manage"),
        },
    )


@workspace_view("listening.manage")
@require_POST
def alert_acknowledge(request: WorkspaceRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(Alert, pk=pk, workspace=request.workspace)
    if Alert.objects.filter(pk=alert.pk, acknowledged_at=None).update(
        acknowledged_at=timezone.now(), acknowledged_by=request.user
    ):
        audit.record(request, "listening.alert_acknowledged", target=alert, kind=alert.kind)
    return redirect("listening_alerts", ws=request.workspace.slug)


class ListeningSettingsForm(forms.ModelForm):
    terms = forms.CharField(
        label=gettext_lazy("Your own sentiment words"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "One per line, a word or phrase then its polarity from -1 to 1, e.g. "
            "“cramé = -0.7” or “Maison Lumière = 0” for a brand name that contains a "
            "sentiment word. They win over the built-in French and English lexicons."
        ),
    )

    class Meta:
        model = ListeningSettings
        fields = ["crisis_terms", "spike_min_mentions", "influencer_followers"]
        widgets = {"crisis_terms": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["terms"].initial = "\n".join(
            f"{word} = {value:g}" for word, value in self.instance.sentiment_terms.items()
        )

    def clean_terms(self) -> dict[str, float]:
        terms: dict[str, float] = {}
        for number, line in enumerate(self.cleaned_data["terms"].splitlines(), start=1):
            if not line.strip():
                continue
            word, sep, value = line.rpartition("=")
            try:
                polarity = float(value.strip().replace(",", "."))
            except ValueError:
                polarity = None
            if not sep or not word.strip() or polarity is None or not -1 <= polarity <= 1:
                raise forms.ValidationError(
                    _("Line %(line)s: write a word, “=”, then a number from -1 to 1.")
                    % {"line": number}
                )
            terms[" ".join(word.split())] = polarity
        return terms

    def save(self, commit: bool = True) -> ListeningSettings:
        self.instance.sentiment_terms = self.cleaned_data["terms"]
        return super().save(commit)


@workspace_view("listening.manage")
def listening_settings(request: WorkspaceRequest) -> HttpResponse:
    form = ListeningSettingsForm(
        request.POST or None, instance=ListeningSettings.of(request.workspace)
    )
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        audit.record(
            request,
            "listening.settings_saved",
            crisis_terms=saved.crisis_list(),
            terms=saved.sentiment_terms,
        )
        messages.success(request, _("The listening settings are saved."))
        return redirect("listening_settings", ws=request.workspace.slug)
    return render(request, "listening/settings.html", {"form": form})
