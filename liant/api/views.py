"""The workspace settings page where admins make, list and revoke API tokens."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from liant.api.models import ApiToken
from liant.api.scopes import Scope
from liant.core import audit
from liant.core.access import WorkspaceRequest, workspace_view

EXPIRY_CHOICES = [
    ("30", gettext_lazy("In 30 days")),
    ("90", gettext_lazy("In 90 days")),
    ("365", gettext_lazy("In a year")),
    ("", gettext_lazy("Never")),
]


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What uses it: “CRM sync”, “website”…"),
    )
    scope = forms.ChoiceField(label=gettext_lazy("Scope"), choices=Scope.choices)
    expires = forms.ChoiceField(
        label=gettext_lazy("Expires"), choices=EXPIRY_CHOICES, initial="90", required=False
    )


@never_cache  # the page that shows a new token must not be kept by any cache
@workspace_view("workspace.manage")
def token_list(request: WorkspaceRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    clear = ""
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["expires"]
        token, clear = ApiToken.issue(
            request.workspace,
            request.user,
            form.cleaned_data["name"],
            form.cleaned_data["scope"],
            expires_at=timezone.now() + timedelta(days=int(days)) if days else None,
        )
        audit.record(request, "api.token_created", target=token, scope=token.scope)
        form = TokenForm()
    tokens = ApiToken.objects.filter(workspace=request.workspace).select_related("created_by")
    return render(
        request,
        "api/tokens.html",
        {"form": form, "clear": clear, "tokens": tokens, "now": timezone.now()},
    )


@workspace_view("workspace.manage")
@require_POST
def token_revoke(request: WorkspaceRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, workspace=request.workspace)
    if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    ):
        audit.record(request, "api.token_revoked", target=token)
        messages.success(request, _("The token is revoked; calls made with it now fail."))
    return redirect("api_tokens", ws=request.workspace.slug)
