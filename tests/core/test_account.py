"""Signing in and out, lockout, password reset, language, two-factor authentication."""

from __future__ import annotations

import re

import pytest
from axes.utils import reset as reset_lockouts
from django.core import mail
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from liant.core.models import AuditEvent
from tests.conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_lockouts():
    reset_lockouts()
    yield
    reset_lockouts()


def sign_in(client: Client, email: str, password: str = PASSWORD, **extra):
    return client.post("/account/login/", {"username": email, "password": password}, **extra)


def test_signing_in_with_the_address_in_any_case(owner, workspace):
    client = Client()
    response = sign_in(client, "OWNER@Brand.Example")
    assert response.status_code == 302
    assert client.get(f"/w/{workspace.slug}/").status_code == 200
    assert AuditEvent.objects.filter(action="account.signed_in", actor=owner).exists()


def test_a_wrong_password_says_so_and_is_recorded(owner):
    response = sign_in(Client(), owner.email, "wrong")
    assert response.status_code == 200
    assert b"do not match an account" in response.content
    event = AuditEvent.objects.get(action="account.sign_in_failed")
    assert event.data == {"email": owner.email}


def test_five_failures_lock_the_account_even_with_the_right_password(owner, member):
    client = Client()
    for _ in range(5):
        sign_in(client, owner.email, "wrong")
    locked = sign_in(client, owner.email)
    assert locked.status_code == 429
    assert b"Too many attempts" in locked.content
    assert sign_in(Client(), member.email).status_code == 302  # another account is unaffected


def test_signing_out_ends_the_session(owner_client, workspace):
    assert owner_client.post("/account/logout/").status_code == 302
    assert owner_client.get(f"/w/{workspace.slug}/").status_code == 302


def test_a_password_reset_link_sets_a_new_password_once(owner):
    client = Client()
    client.post("/account/password/reset/", {"email": owner.email})
    [message] = mail.outbox
    path = re.search(r"http://testserver(\S+)", message.body).group(1)
    form_page = client.get(path, follow=True)
    assert b"Choose a new password" in form_page.content
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(
        set_url,
        {"new_password1": "torrefaction-lente-2026", "new_password2": "torrefaction-lente-2026"},
    )
    assert done.status_code == 302
    assert sign_in(Client(), owner.email, "torrefaction-lente-2026").status_code == 302
    assert b"no longer works" in Client().get(path, follow=True).content


def test_an_unknown_address_gets_the_same_answer_and_no_mail(db):
    response = Client().post(
        "/account/password/reset/", {"email": "nobody@nowhere.example"}, follow=True
    )
    assert b"Check your e-mail" in response.content
    assert mail.outbox == []


def test_the_language_choice_is_kept_on_the_profile(owner, owner_client, workspace):
    response = owner_client.post(
        "/i18n/setlang/", {"language": "fr", "next": f"/w/{workspace.slug}/"}
    )
    assert response["Location"] == f"/w/{workspace.slug}/"
    assert response.cookies["django_language"].value == "fr"
    owner.refresh_from_db()
    assert owner.language == "fr"
    fresh = client_for(owner)  # a new browser, no cookie: the profile decides
    page = fresh.get(f"/w/{workspace.slug}/")
    assert page["Content-Language"] == "fr"
    assert "Se déconnecter" in page.content.decode()


def test_a_visitor_gets_their_browsers_language(db):
    page = Client().get("/account/login/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9,en;q=0.5")
    assert "Se connecter à Liant" in page.content.decode()
    english = Client().get("/account/login/", HTTP_ACCEPT_LANGUAGE="en-GB")
    assert "Sign in to Liant" in english.content.decode()


def test_the_language_switch_never_sends_people_to_another_site(owner_client):
    response = owner_client.post(
        "/i18n/setlang/", {"language": "fr", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_an_unknown_language_changes_nothing(owner, owner_client):
    owner_client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    owner.refresh_from_db()
    assert owner.language == ""


def reset_throttles(user) -> None:
    from django_otp import devices_for_user

    for device in devices_for_user(user):
        device.throttle_reset()


def code_for(device: TOTPDevice, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset * device.step
    return f"{totp.token():0{device.digits}d}"


def enable_2fa(client: Client, user) -> list[str]:
    page = client.get("/account/2fa/")
    assert b"<svg" in page.content
    device = TOTPDevice.objects.get(user=user)
    secret = re.search(r'class="secret">([A-Z2-7]+)<', page.content.decode()).group(1)
    assert len(secret) >= 32
    refused = client.post(
        "/account/2fa/", {"token": "000000" if code_for(device) != "000000" else "111111"}
    )
    assert b"not valid" in refused.content
    too_soon = client.post("/account/2fa/", {"token": code_for(device)})
    assert b"wait a few seconds" in too_soon.content  # guessing is slowed down
    device.refresh_from_db()
    device.throttle_reset()
    done = client.post("/account/2fa/", {"token": code_for(device)})
    codes = re.findall(r"<li><code>(\w+)</code></li>", done.content.decode())
    assert len(codes) == 10
    return codes


def test_two_factor_setup_then_every_page_asks_for_the_code(owner, owner_client, workspace):
    codes = enable_2fa(owner_client, owner)
    assert TOTPDevice.objects.get(user=owner).confirmed
    assert AuditEvent.objects.filter(action="account.2fa_enabled", actor=owner).exists()

    client = Client()
    assert sign_in(client, owner.email).status_code == 302
    blocked = client.get(f"/w/{workspace.slug}/")
    assert blocked.status_code == 302 and blocked["Location"].startswith("/account/2fa/verify/")
    assert client.get("/account/").status_code == 302
    assert b"not valid" in client.post("/account/2fa/verify/", {"token": "12345678"}).content
    too_soon = client.post("/account/2fa/verify/", {"token": codes[0]})
    assert b"wait a few seconds" in too_soon.content
    reset_throttles(owner)
    ok = client.post("/account/2fa/verify/", {"token": codes[0], "next": f"/w/{workspace.slug}/"})
    assert ok["Location"] == f"/w/{workspace.slug}/"
    assert client.get(f"/w/{workspace.slug}/").status_code == 200


def test_a_recovery_code_works_once(owner, owner_client):
    codes = enable_2fa(owner_client, owner)
    first = Client()
    sign_in(first, owner.email)
    assert first.post("/account/2fa/verify/", {"token": codes[3]}).status_code == 302
    second = Client()
    sign_in(second, owner.email)
    reset_throttles(owner)  # trying the code on the authenticator counted as a miss there
    assert b"not valid" in second.post("/account/2fa/verify/", {"token": codes[3]}).content


def test_the_authenticator_code_signs_in(owner, owner_client):
    enable_2fa(owner_client, owner)
    device = TOTPDevice.objects.get(user=owner)
    client = Client()
    sign_in(client, owner.email)
    assert (
        client.post("/account/2fa/verify/", {"token": code_for(device, offset=1)}).status_code
        == 302
    )


def test_turning_two_factor_off_needs_a_current_code(owner, owner_client):
    codes = enable_2fa(owner_client, owner)
    owner_client.post("/account/2fa/disable/", {"token": "nope"})
    assert TOTPDevice.objects.filter(user=owner).exists()
    reset_throttles(owner)
    owner_client.post("/account/2fa/disable/", {"token": codes[1]})
    assert not TOTPDevice.objects.filter(user=owner).exists()
    assert AuditEvent.objects.filter(action="account.2fa_disabled").exists()


def test_the_profile_saves_name_and_language(owner, owner_client):
    owner_client.post("/account/", {"name": "Camille L.", "language": "en"})
    owner.refresh_from_db()
    assert (owner.name, owner.language) == ("Camille L.", "en")


def test_changing_the_password_keeps_the_session(owner, owner_client, workspace):
    response = owner_client.post(
        "/account/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "arabica-robusta-99",
            "new_password2": "arabica-robusta-99",
        },
    )
    assert response.status_code == 302
    assert owner_client.get(f"/w/{workspace.slug}/").status_code == 200
    assert AuditEvent.objects.filter(action="account.password_changed").exists()
