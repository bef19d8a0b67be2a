"""The workspace's outgoing webhooks: addresses, the events each gets, the delivery log with
each answer, sending again, switching back on, and the recipe to check signatures."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from liant.connectors.base import ConnectorError
from liant.connectors.urlsafety import check_url
from liant.core import audit
from liant.core.access import WorkspaceRequest, workspace_view
from liant.webhooks import delivery as sending
from liant.webhooks import tasks
from liant.webhooks.events import EVENTS
from liant.webhooks.models import Delivery, DeliveryState, Endpoint, new_secret


class EndpointForm(forms.ModelForm):
    url = forms.URLField(label=gettext_lazy("Address"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events"),
        choices=list(EVENTS.items()),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Endpoint
        fields = ["url", "description", "events"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            check_url(url)  # said now, not only when the first delivery fails
        except ConnectorError as exc:
            raise forms.ValidationError(exc.translated()) from None
        return url


def endpoint_of(request: WorkspaceRequest, pk: int) -> Endpoint:
    return get_object_or_404(Endpoint, pk=pk, workspace=request.workspace)


@workspace_view("workspace.manage")
def endpoint_list(request: WorkspaceRequest) -> HttpResponse:
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        endpoint = form.save(commit=False)
        endpoint.workspace = request.workspace
        endpoint.created_by = request.user
        endpoint.save()
        audit.record(request, "webhook.created", target=endpoint, url=endpoint.url)
        messages.success(request, _("The webhook is saved. Copy its secret now."))
        return redirect("webhook_detail", ws=request.workspace.slug, pk=endpoint.pk)
    endpoints = Endpoint.objects.filter(workspace=request.workspace)
    return render(
        request,
        "webhooks/list.html",
        {"endpoints": endpoints, "form": form, "events": EVENTS},
        status=400 if form.errors else 200,
    )


@workspace_view("workspace.manage")
def endpoint_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    endpoint = endpoint_of(request, pk)
    form = EndpointForm(request.POST or None, instance=endpoint)
    if request.method == "POST" and form.is_valid():
        form.save()
        audit.record(request, "webhook.changed", target=endpoint, url=endpoint.url)
        messages.success(request, _("The webhook is saved."))
        return redirect("webhook_detail", ws=request.workspace.slug, pk=endpoint.pk)
    deliveries = endpoint.deliveries.all()[:100]
    return render(
        request,
        "webhooks/detail.html",
        {
            "endpoint": endpoint,
            "form": form,
            "deliveries": deliveries,
            "event_labels": EVENTS,
        },
        status=400 if form.errors else 200,
    )


@workspace_view("workspace.manage")
@require_POST
def endpoint_action(request: WorkspaceRequest, pk: int) -> HttpResponse:
    endpoint = endpoint_of(request, pk)
    action = request.POST.get("action", "")
    if action == "enable":
        Endpoint.objects.filter(pk=endpoint.pk).update(
            active=True, disabled_reason="", failures=0, failing_since=None
        )
        messages.success(request, _("The webhook is on again; waiting deliveries go out now."))
    elif action == "disable":
        Endpoint.objects.filter(pk=endpoint.pk).update(active=False, disabled_reason="by hand")
        messages.success(request, _("The webhook is off: nothing is sent until it is on again."))
    elif action == "rotate":
        endpoint.secret = new_secret()
        endpoint.save(update_fields=["secret"])
        messages.success(request, _("A new secret signs the deliveries from now on."))
    elif action == "ping":
        ping(endpoint)
        messages.success(request, _("A test delivery is on its way; its answer shows below."))
    elif action == "delete":
        audit.record(request, "webhook.deleted", target=endpoint, url=endpoint.url)
        endpoint.delete()
        messages.success(request, _("The webhook is deleted."))
        return redirect("webhooks", ws=request.workspace.slug)
    if action in ("enable", "disable", "rotate", "ping"):
        audit.record(request, f"webhook.{action}", target=endpoint)
    return redirect("webhook_detail", ws=request.workspace.slug, pk=endpoint.pk)


def ping(endpoint: Endpoint) -> Delivery:
    event_id = uuid.uuid4()
    body: dict[str, Any] = {
        "id": str(event_id),
        "type": "ping",
        "created_at": timezone.now().isoformat(),
        "data": {"webhook": endpoint.pk},
    }
    with transaction.atomic():
        row = Delivery.objects.create(
            endpoint=endpoint, event="ping", event_id=event_id, body=json.dumps(body)
        )
        transaction.on_commit(lambda: tasks.deliver(row.pk))
    return row


@workspace_view("workspace.manage")
@require_POST
def redeliver(request: WorkspaceRequest, pk: int, delivery_pk: int) -> HttpResponse:
    endpoint = endpoint_of(request, pk)
    row = get_object_or_404(Delivery, pk=delivery_pk, endpoint=endpoint)
    if row.state == DeliveryState.SENDING:
        messages.error(request, _("This delivery is being sent right now."))
    else:
        sending.redeliver(row)
        transaction.on_commit(lambda: tasks.deliver(row.pk))
        messages.success(request, _("The delivery is sent again."))
    return redirect("webhook_detail", ws=request.workspace.slug, pk=endpoint.pk)
