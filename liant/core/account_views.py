"""Signing in, the person's own settings, two-factor authentication and invitations."""

from __future__ import annotations

import base64
from typing import Any, cast

import segno
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import PasswordResetConfirmView, redirect_to_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import devices_for_user, match_token, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from liant.core import audit
from liant.core.access import AuthedRequest
from liant.core.forms import ProfileForm, SignupForm, TokenForm
from liant.core.models import Invitation, Membership, User

RECOVERY_CODES = 10


def safe_next(request: HttpRequest, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch language; a signed-in person keeps the choice on their profile."""
    language = request.POST.get("language", "")
    response = redirect(safe_next(request))
    if language not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated:
        request.user.language = language
        request.user.save(update_fields=["language"])
    translation.activate(language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )
    return response


@login_required
def profile(request: AuthedRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        if form.cleaned_data["language"]:
            translation.activate(form.cleaned_data["language"])
        messages.success(request, _("Your profile was saved."))
        return redirect("profile")
    return render(
        request,
        "core/account/profile.html",
        {"form": form, "has_2fa": user_has_device(request.user, confirmed=True)},
    )


@login_required
def password_change(request: AuthedRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        audit.record(request, "account.password_changed", target=user)
        messages.success(request, _("Your password was changed."))
        return redirect("profile")
    return render(request, "core/account/password_change.html", {"form": form})


@login_required
def two_factor_setup(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if user_has_device(user, confirmed=True):
        return redirect("profile")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _info = device.verify_is_allowed()
        if not allowed:
            # django-otp slows down guessing: after a wrong code the next try must wait.
            form.add_error("token", _("Too many wrong codes in a row: wait a few seconds."))
        elif device.verify_token(form.cleaned_data["token"]):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                codes = new_recovery_codes(user)
            otp_login(request, device)
            audit.record(request, "account.2fa_enabled", target=user)
            return render(request, "core/account/recovery_codes.html", {"codes": codes})
        else:
            form.add_error("token", _("This code is not valid. Check the time on your phone."))
    uri = device.config_url
    qr_svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#1b1b1f", light="#ffffff")
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "core/account/two_factor_setup.html",
        {"form": form, "qr_svg": qr_svg, "secret": secret},
    )


def throttled(user: User) -> bool:
    """After a wrong code django-otp makes each device wait (1 s, 2 s, 4 s...) before the next."""
    return any(not device.verify_is_allowed()[0] for device in devices_for_user(user))


def new_recovery_codes(user: User) -> list[str]:
    static, _created = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": "recovery", "confirmed": True}
    )
    static.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    return codes


@login_required
def two_factor_verify(request: AuthedRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and throttled(request.user):
        form.add_error("token", _("Too many wrong codes in a row: wait a few seconds."))
    elif request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                audit.record(request, "account.recovery_code_used", target=request.user)
            return redirect(safe_next(request))
        audit.record(request, "account.2fa_failed", target=request.user)
        form.add_error("token", _("This code is not valid."))
    return render(request, "core/account/two_factor_verify.html", {"form": form})


@require_POST
@login_required
def two_factor_disable(request: AuthedRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if not form.is_valid() or match_token(request.user, form.cleaned_data["token"]) is None:
        messages.error(request, _("Give a current code to turn two-factor authentication off."))
        return redirect("profile")
    TOTPDevice.objects.filter(user=request.user).delete()
    StaticDevice.objects.filter(user=request.user).delete()
    audit.record(request, "account.2fa_disabled", target=request.user)
    messages.success(request, _("Two-factor authentication is off."))
    return redirect("profile")


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = Invitation.find(token)
    if invitation is None:
        return render(request, "core/invitation_invalid.html", status=404)
    user = request.user
    if user.is_authenticated and user.email.lower() != invitation.email:
        return render(
            request, "core/invitation_other_account.html", {"invitation": invitation}, status=403
        )
    existing = User.objects.filter(email=invitation.email).first()
    if not user.is_authenticated and existing is not None:
        messages.info(request, _("Sign in to accept the invitation."))
        return redirect_to_login(request.path)
    form = None
    if not user.is_authenticated:
        form = SignupForm(
            request.POST or None,
            email=invitation.email,
            initial={"language": request.LANGUAGE_CODE},
        )
    if request.method == "POST" and (form is None or form.is_valid()):
        with transaction.atomic():
            # Claim the invitation first: a double submit must not create two memberships.
            claimed = (
                Invitation.objects.pending()
                .filter(pk=invitation.pk)
                .update(accepted_at=timezone.now())
            )
            if not claimed:
                return render(request, "core/invitation_invalid.html", status=404)
            account = cast(User, user)
            if form is not None:
                account = User.objects.create_user(
                    invitation.email,
                    form.cleaned_data["password"],
                    name=form.cleaned_data["name"],
                    language=form.cleaned_data["language"],
                )
            Membership.objects.get_or_create(
                workspace=invitation.workspace, user=account, defaults={"role": invitation.role}
            )
            Invitation.objects.filter(pk=invitation.pk).update(accepted_by=account)
            audit.record(
                request,
                "team.joined",
                workspace=invitation.workspace,
                target=invitation,
                actor=account,
                role=invitation.role,
            )
        if not request.user.is_authenticated:
            login(request, account, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request, _("Welcome to %(workspace)s.") % {"workspace": invitation.workspace}
        )
        return redirect("dashboard", ws=invitation.workspace.slug)
    return render(request, "core/invitation_accept.html", {"invitation": invitation, "form": form})


class ResetConfirmView(PasswordResetConfirmView):
    """A new password set through the e-mailed link also lifts a lockout on the account.

    The lockout page tells people to reset their password; that must then let them in.
    """

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        axes_reset(username=form.user.email)
        return response
