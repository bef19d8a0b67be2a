from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from liant.core import audit


@receiver(user_logged_in)
def on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.record(request, "account.signed_in", actor=user, target=user)


@receiver(user_logged_out)
def on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record(request, "account.signed_out", actor=user, target=user)


@receiver(user_login_failed)
def on_login_failed(sender: Any, credentials: Any, request: Any = None, **kwargs: Any) -> None:
    # The password is never recorded; the address typed is, to spot attacks on an account.
    audit.record(
        request, "account.sign_in_failed", email=str(credentials.get("username", ""))[:254]
    )
