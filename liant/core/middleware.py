from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.http import urlencode
from django_otp.plugins.otp_totp.models import TOTPDevice


class UserLanguageMiddleware:
    """A signed-in person's saved language wins over the cookie and Accept-Language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user and user.is_authenticated else ""
        if language and language in dict(settings.LANGUAGES):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if language:
            response.headers.setdefault("Content-Language", language)
        return response


# Paths a half-signed-in person (password ok, second factor not yet) may reach.
OTP_EXEMPT_PREFIXES = ("/account/2fa/verify/", "/account/logout/", "/static/", "/i18n/")


class TwoFactorMiddleware:
    """Someone with an authenticator must pass the second factor before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(OTP_EXEMPT_PREFIXES)
            # Recovery codes only exist next to an authenticator, so one query suffices.
            and TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        ):
            # Encoded, or the page's own query string (`&page=2`) would be lost on the way back.
            return redirect(f"/account/2fa/verify/?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
