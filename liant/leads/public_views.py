"""The public side of a form: its own page, the endpoint embedded snippets post to, the
thank-you page, and the small optional script for embedding sites.

No CSRF token here, on purpose. CSRF protection stops another site from making a visitor's
browser act with that visitor's session on Liant. This endpoint is meant to be posted to from
other sites (the snippet pasted into a brand's website cannot carry a token Liant issued), and
it uses no session and no login: a forged post can do nothing a visitor could not do by
filling the form. What it must resist is robots, and capture.py does that instead (honeypot,
signed time-to-submit, rate limit per IP, allowed origins).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from liant.core.audit import client_ip
from liant.leads import capture
from liant.leads.forms import FIELD_LABELS
from liant.leads.models import UTM_KEYS, Form

MAX_LENGTH = {"name": 300, "email": 254, "company": 200, "phone": 50, "message": 5000}


def fields_of(form: Form, language: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {
            "key": key,
            "label": FIELD_LABELS[key],
            "required": key == "email",
            "type": {"email": "email", "phone": "tel"}.get(key, "text"),
            "textarea": key == "message",
        }
        for key in form.asked()
    ]
    for n, label in enumerate(form.custom_labels, start=1):
        rows.append({"key": f"custom_{n}", "label": label, "required": False, "type": "text"})
    return rows


def language_of(request: HttpRequest, form: Form) -> str:
    asked = (request.POST.get("lang") or request.GET.get("lang") or "")[:2]
    if asked in ("fr", "en"):
        return asked
    return (get_language() or form.workspace.language or "fr")[:2]


def read(request: HttpRequest, form: Form, language: str) -> tuple[dict[str, str], dict]:
    """The values sent, trimmed to the fields the form asks, and what is wrong with them."""
    data: dict[str, str] = {}
    errors: dict[str, str] = {}
    for row in fields_of(form, language):
        value = request.POST.get(row["key"], "").strip()[: MAX_LENGTH.get(row["key"], 500)]
        if value:
            data[row["key"]] = value
    email = data.get("email", "")
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = _("Enter a valid e-mail address.")
    if form.consent_text(language) and not request.POST.get("consent"):
        errors["consent"] = _("Please tick the box to agree.")
    return data, errors


def embedded(form: Form | None, workspace_id: int, language: str) -> dict[str, Any] | None:
    """What leads/_form.html needs to show a form inside another Liant page (the community
    space): a fresh stamp, the fields. None for a form of another workspace, so a page
    never shows, and posts to, another brand's form."""
    if form is None or form.workspace_id != workspace_id:
        return None
    language = language if language in ("fr", "en") else "fr"
    return {
        "form": form,
        "rows": fields_of(form, language),
        "consent_text": form.consent_text(language),
        "language": language,
        "stamp": capture.stamp(),
        "utm": {},
    }


def page(
    request: HttpRequest,
    form: Form,
    language: str,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    values, errors = values or {}, errors or {}
    rows = fields_of(form, language)
    for row in rows:
        row["value"] = values.get(row["key"], "")
        row["error"] = errors.get(row["key"], "")
    return render(
        request,
        "leads/public_form.html",
        {
            "form": form,
            "rows": rows,
            "consent_error": errors.get("consent", ""),
            "notice": notice,
            "consent_text": form.consent_text(language),
            "language": language,
            "stamp": capture.stamp(),
            # On its own page the landing's UTM are in the address; through an embed, the
            # snippet's script or the first post carried them.
            "utm": {k: source.get(k, "")[:150] for k in UTM_KEYS if source.get(k)},
        },
        status=status,
    )


@csrf_exempt  # see the module's docstring for why, and what protects this endpoint instead
def public_form(request: HttpRequest, token: str) -> HttpResponse:
    form = get_object_or_404(
        Form.objects.select_related("workspace", "mailing_list", "contest", "meetup"), token=token
    )
    language = language_of(request, form)
    if request.method != "POST":
        return page(request, form, language)
    ip = client_ip(request)
    # The form's own page posts from Liant itself: as the configured site, or as this request
    # arrived (a proxy may present another scheme or host than SITE_URL says).
    own = {capture.origin_of(settings.SITE_URL), capture.origin_of(request.build_absolute_uri("/"))}
    try:
        origin = capture.check_origin(
            form, request.headers.get("Origin", ""), request.headers.get("Referer", ""), own
        )
        capture.check_rate(ip)
    except capture.Refused as refused:
        status = 429 if refused.reason == "rate" else 403
        return render(request, "leads/public_refused.html", {"form": form}, status=status)
    if request.POST.get(capture.HONEYPOT):
        # A robot: answered as if it worked, so it learns nothing to adapt to.
        return redirect("leads_public_thanks", token=form.token)
    data, errors = read(request, form, language)
    try:
        capture.check_stamp(request.POST.get(capture.STAMP, ""))
    except capture.Refused:
        # Too fast, or posted by a snippet without its script: the person sees their values
        # again on this page and sends them once more, which a real person does easily.
        return page(
            request,
            form,
            language,
            values=data,
            errors=errors,
            notice=_("Please check your details and send the form again."),
            status=400,
        )
    if errors:
        return page(request, form, language, values=data, errors=errors, status=400)
    try:
        capture.check_open(form)
    except capture.Closed:
        return page(
            request,
            form,
            language,
            values=data,
            notice=_("This form no longer accepts answers."),
            status=409,
        )
    utm = {k: request.POST.get(k, "")[:150] for k in UTM_KEYS}
    capture.record(form, data, utm, language, ip, origin)
    if form.redirect_url.lower().startswith(("http://", "https://")):
        return HttpResponseRedirect(form.redirect_url)
    return redirect("leads_public_thanks", token=form.token)


def thanks(request: HttpRequest, token: str) -> HttpResponse:
    form = get_object_or_404(Form, token=token)
    return render(request, "leads/public_thanks.html", {"form": form})


@require_GET
def embed_script(request: HttpRequest, token: str) -> HttpResponse:
    """Fills the snippet's hidden fields: a freshly signed time (so the time-to-submit check
    can pass without our page in between) and the landing page's utm_* parameters."""
    form = get_object_or_404(Form, token=token)
    script = render(
        request,
        "leads/embed.js",
        {"token": form.token, "stamp": capture.stamp(), "utm_keys": UTM_KEYS},
        content_type="text/javascript; charset=utf-8",
    )
    script["Cache-Control"] = "no-store"  # a cached stamp would age past its limit
    return script
