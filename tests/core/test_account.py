"""Signing in and out, lockout, password reset, language, two-factor authentication, settings."""

from __future__ import annotations

import base64
import html
import re
from datetime import timedelta

import pytest
from axes.utils import reset as reset_lockouts
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from liant.core.models import AuditEvent, Membership, User
from tests.conftest import PASSWORD, client_for, make_user

pytestmark = pytest.mark.django_db

IP = "203.0.113.7"
NEW_PASSWORD = "torrefaction-lente-2026"
EVIL_TARGETS = [
    "https://evil.example/",
    "//evil.example/",
    "http://evil.example/w/brand/",
    "/\\evil.example/",
    "javascript:alert(1)",
]


@pytest.fixture(autouse=True)
def no_lockouts():
    reset_lockouts()
    yield
    reset_lockouts()


@pytest.fixture
def no_code_throttling(settings):
    """django-otp makes each try after a wrong code wait 1 s, 2 s, 4 s... on the wall clock.

    Tests about what a code does switch that off; throttling has its own tests below.
    """
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def sign_in(client: Client, email: str, password: str = PASSWORD, next_url: str = "", **extra):
    data = {"username": email, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post("/account/login/", data, **extra)


def signed_in_user(client: Client, path: str = "/account/"):
    return client.get(path).wsgi_request.user


# --- Signing in and out ---------------------------------------------------------------------


def test_signing_in_opens_the_workspace(owner, workspace):
    client = Client()
    response = sign_in(client, owner.email, REMOTE_ADDR=IP)
    assert response.status_code == 302 and response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 302 and home["Location"] == f"/w/{workspace.slug}/"
    assert client.get(f"/w/{workspace.slug}/").status_code == 200
    event = AuditEvent.objects.get(action="account.signed_in")
    assert (event.actor, event.ip_address) == (owner, IP)


@pytest.mark.parametrize(
    "typed", ["OWNER@BRAND.EXAMPLE", "Owner@Brand.Example", "owner@BRAND.example"]
)
def test_the_address_may_be_typed_in_any_case(typed, owner, workspace):
    client = Client()
    assert sign_in(client, typed).status_code == 302
    assert signed_in_user(client) == owner


def test_a_wrong_password_says_so_and_is_recorded(owner):
    client = Client()
    response = sign_in(client, owner.email, "wrong", REMOTE_ADDR=IP)
    assert response.status_code == 200
    assert b"This e-mail address and password do not match an account." in response.content
    assert not signed_in_user(client).is_authenticated
    event = AuditEvent.objects.get(action="account.sign_in_failed")
    assert event.data == {"email": owner.email}  # never the password
    assert (event.actor, event.ip_address) == (None, IP)
    assert not AuditEvent.objects.filter(action="account.signed_in").exists()


def test_an_unknown_address_gets_the_same_answer_as_a_wrong_password(owner):
    wrong_password = sign_in(Client(), owner.email, "wrong")
    unknown = sign_in(Client(), "nobody@nowhere.example", PASSWORD)
    assert unknown.status_code == 200
    assert b"do not match an account" in unknown.content
    assert wrong_password.context["form"].errors == unknown.context["form"].errors


def test_the_sign_in_page_honours_a_next_page_on_this_site(owner, workspace):
    response = sign_in(Client(), owner.email, next_url=f"/w/{workspace.slug}/team/")
    assert response["Location"] == f"/w/{workspace.slug}/team/"


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_the_sign_in_page_never_sends_people_to_another_site(target, owner):
    response = sign_in(Client(), owner.email, next_url=target)
    assert response.status_code == 302 and response["Location"] == "/"


def test_a_signed_in_person_is_not_shown_the_sign_in_page_again(owner_client):
    assert owner_client.get("/account/login/").status_code == 302


def test_five_failures_lock_the_account_even_with_the_right_password(owner, member):
    client = Client()
    for _ in range(4):
        assert sign_in(client, owner.email, "wrong").status_code == 200
    assert sign_in(client, owner.email, "wrong").status_code == 429  # the fifth locks
    locked = sign_in(client, owner.email)
    assert locked.status_code == 429
    assert b"Too many attempts" in locked.content
    assert not signed_in_user(client).is_authenticated
    assert not AuditEvent.objects.filter(action="account.signed_in").exists()
    # Another account from the same address is unaffected.
    other = Client()
    assert sign_in(other, member.email).status_code == 302
    assert signed_in_user(other) == member


def test_four_failures_do_not_lock_the_account(owner):
    client = Client()
    for _ in range(4):
        sign_in(client, owner.email, "wrong")
    assert sign_in(client, owner.email).status_code == 302


def test_failures_count_whatever_the_case_of_the_address(owner):
    client = Client()
    for typed in [
        "owner@brand.example",
        "OWNER@brand.example",
        "Owner@Brand.example",
        "owner@BRAND.EXAMPLE",
        "OwNeR@brand.example",
    ]:
        sign_in(client, typed, "wrong")
    assert sign_in(client, owner.email).status_code == 429


def test_a_forged_forwarded_for_header_does_not_escape_the_lockout(owner):
    client = Client()
    for n in range(5):
        sign_in(client, owner.email, "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    assert sign_in(client, owner.email, HTTP_X_FORWARDED_FOR="198.51.100.99").status_code == 429


def test_the_lockout_is_per_address_so_the_owner_can_still_sign_in_from_elsewhere(owner):
    attacker = Client()
    for _ in range(5):
        sign_in(attacker, owner.email, "wrong", REMOTE_ADDR="198.51.100.66")
    assert sign_in(attacker, owner.email, REMOTE_ADDR="198.51.100.66").status_code == 429
    assert sign_in(Client(), owner.email, REMOTE_ADDR=IP).status_code == 302


def test_a_success_clears_earlier_failures(owner):
    client = Client()
    for _ in range(4):
        sign_in(client, owner.email, "wrong")
    assert sign_in(client, owner.email).status_code == 302
    fresh = Client()
    for _ in range(4):
        sign_in(fresh, owner.email, "wrong")
    assert sign_in(fresh, owner.email).status_code == 302


def test_signing_out_ends_the_session(owner, owner_client, workspace):
    response = owner_client.post("/account/logout/", REMOTE_ADDR=IP)
    assert response.status_code == 302 and response["Location"] == "/account/login/"
    assert owner_client.get(f"/w/{workspace.slug}/").status_code == 302
    event = AuditEvent.objects.get(action="account.signed_out")
    assert (event.actor, event.ip_address) == (owner, IP)


def test_signing_out_takes_a_post(owner_client):
    assert owner_client.get("/account/logout/").status_code == 405
    assert signed_in_user(owner_client).is_authenticated


# --- Password reset -------------------------------------------------------------------------


def reset_link(email: str) -> str:
    Client().post("/account/password/reset/", {"email": email})
    [message] = mail.outbox
    return re.search(r"http://testserver(/account/password/reset/\S+/)", message.body).group(1)


def test_a_password_reset_mail_arrives_with_a_link(owner):
    response = Client().post("/account/password/reset/", {"email": owner.email}, follow=True)
    assert b"Check your e-mail" in response.content
    [message] = mail.outbox
    assert message.to == [owner.email]
    assert "Liant" in message.subject or "password" in message.subject.lower()
    assert re.search(r"http://testserver/account/password/reset/\S+/\S+/", message.body)


def test_the_reset_link_sets_a_new_password(owner):
    path = reset_link(owner.email)
    client = Client()
    form_page = client.get(path, follow=True)
    assert b"Choose a new password" in form_page.content
    set_url = form_page.redirect_chain[-1][0]
    assert "set-password" in set_url  # the token left the address bar (and the Referer)
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/account/password/reset/done/"
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)
    assert sign_in(Client(), owner.email, PASSWORD).status_code == 200  # old one is gone
    assert sign_in(Client(), owner.email, NEW_PASSWORD).status_code == 302


def test_the_reset_link_cannot_be_used_twice(owner):
    path = reset_link(owner.email)
    client = Client()
    set_url = client.get(path, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    again = Client().get(path, follow=True)
    assert b"This link no longer works" in again.content
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)


def test_the_reset_link_refuses_a_weak_or_mismatched_password(owner):
    path = reset_link(owner.email)
    client = Client()
    set_url = client.get(path, follow=True).redirect_chain[-1][0]
    assert client.post(set_url, {"new_password1": "123", "new_password2": "123"}).status_code == 200
    mismatch = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"}
    assert client.post(set_url, mismatch).status_code == 200
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)


def test_a_made_up_reset_link_does_not_work(owner):
    page = Client().get("/account/password/reset/MQ/abc-123/", follow=True)
    assert b"This link no longer works" in page.content


def test_an_unknown_address_gets_the_same_answer_and_no_mail(owner):
    known = Client().post("/account/password/reset/", {"email": owner.email}, follow=True)
    mail.outbox.clear()
    unknown = Client().post(
        "/account/password/reset/", {"email": "nobody@nowhere.example"}, follow=True
    )
    assert b"Check your e-mail" in unknown.content
    assert unknown.redirect_chain == known.redirect_chain
    assert mail.outbox == []


def test_a_reset_asked_in_another_case_reaches_the_account(owner):
    Client().post("/account/password/reset/", {"email": "Owner@BRAND.example"})
    [message] = mail.outbox
    assert message.to == [owner.email]


# --- Language -------------------------------------------------------------------------------


def test_the_language_switch_keeps_the_choice_on_the_profile(owner, owner_client, workspace):
    response = owner_client.post(
        "/i18n/setlang/", {"language": "fr", "next": f"/w/{workspace.slug}/"}
    )
    assert response.status_code == 302 and response["Location"] == f"/w/{workspace.slug}/"
    assert response.cookies["django_language"].value == "fr"
    owner.refresh_from_db()
    assert owner.language == "fr"
    page = owner_client.get(f"/w/{workspace.slug}/")
    assert page["Content-Language"] == "fr"
    assert page.wsgi_request.LANGUAGE_CODE == "fr"
    assert "Se déconnecter" in page.content.decode()
    assert '<html lang="fr">' in page.content.decode()


def test_the_profile_language_wins_over_the_browser(owner, workspace):
    User.objects.filter(pk=owner.pk).update(language="fr")
    fresh = client_for(owner)  # a new browser, no cookie, asking for English
    page = fresh.get(f"/w/{workspace.slug}/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert page["Content-Language"] == "fr"
    assert page.wsgi_request.LANGUAGE_CODE == "fr"
    assert "Se déconnecter" in page.content.decode()


def test_switching_back_to_english_is_kept_too(owner, owner_client, workspace):
    owner_client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    owner_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    owner.refresh_from_db()
    assert owner.language == "en"
    page = client_for(owner).get(f"/w/{workspace.slug}/", HTTP_ACCEPT_LANGUAGE="fr")
    assert page["Content-Language"] == "en"


def test_a_visitor_gets_their_browsers_language(db):
    page = Client().get("/account/login/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9,en;q=0.5")
    assert page["Content-Language"] == "fr"
    assert page.wsgi_request.LANGUAGE_CODE == "fr"
    assert "Se connecter à Liant" in page.content.decode()
    english = Client().get("/account/login/", HTTP_ACCEPT_LANGUAGE="en-GB")
    assert english["Content-Language"] == "en"
    assert "Sign in to Liant" in english.content.decode()


def test_a_visitor_who_switches_language_keeps_it_by_cookie(db):
    visitor = Client()
    response = visitor.post("/i18n/setlang/", {"language": "fr", "next": "/account/login/"})
    assert response["Location"] == "/account/login/"
    assert response.cookies["django_language"].value == "fr"
    page = visitor.get("/account/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.wsgi_request.LANGUAGE_CODE == "fr"
    assert "Se connecter à Liant" in page.content.decode()


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_the_language_switch_never_sends_people_to_another_site(target, owner, owner_client):
    response = owner_client.post("/i18n/setlang/", {"language": "fr", "next": target})
    assert response.status_code == 302 and response["Location"] == "/"
    owner.refresh_from_db()
    assert owner.language == "fr"  # the choice itself still counts


def test_the_language_switch_uses_the_referer_never(owner_client):
    response = owner_client.post(
        "/i18n/setlang/", {"language": "fr"}, HTTP_REFERER="https://evil.example/"
    )
    assert response["Location"] == "/"


def test_an_unknown_language_changes_nothing(owner, owner_client):
    response = owner_client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert "django_language" not in response.cookies
    owner.refresh_from_db()
    assert owner.language == ""


def test_the_language_switch_takes_a_post(owner, owner_client):
    assert owner_client.get("/i18n/setlang/?language=fr&next=/").status_code == 405
    owner.refresh_from_db()
    assert owner.language == ""


# --- Two-factor authentication --------------------------------------------------------------


def code_for(device: TOTPDevice, offset: int = 0) -> str:
    """The code the authenticator shows, `offset` steps from now.

    django-otp refuses a code at or before the last one used (no replay), so a second use in
    the same test takes the next step's code; the device's tolerance accepts it.
    """
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    right = {code_for(device, offset) for offset in (-1, 0, 1, 2)}
    return next(c for c in ("000000", "111111", "222222", "333333", "444444") if c not in right)


def enable_2fa(client: Client, user: User) -> list[str]:
    client.get("/account/2fa/")
    device = TOTPDevice.objects.get(user=user)
    done = client.post("/account/2fa/", {"token": code_for(device)})
    codes = re.findall(r"<li><code>(\w+)</code></li>", done.content.decode())
    assert len(codes) == 10
    return codes


def half_signed_in(user: User) -> Client:
    """A browser that gave the right password but not yet the second factor."""
    client = Client()
    assert sign_in(client, user.email).status_code == 302
    return client


def test_the_setup_page_shows_a_qr_code_and_the_secret(owner, owner_client):
    page = owner_client.get("/account/2fa/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "<svg" in text
    device = TOTPDevice.objects.get(user=owner)
    assert not device.confirmed
    secret = re.search(r'class="secret">([A-Z2-7]+)<', text).group(1)
    assert len(secret) >= 32
    assert base64.b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key
    assert "otpauth://totp/" in device.config_url and "issuer=Liant" in device.config_url


def test_reloading_the_setup_page_keeps_the_same_secret(owner, owner_client):
    first = re.search(r'class="secret">(\w+)<', owner_client.get("/account/2fa/").content.decode())
    again = re.search(r'class="secret">(\w+)<', owner_client.get("/account/2fa/").content.decode())
    assert first.group(1) == again.group(1)
    assert TOTPDevice.objects.filter(user=owner).count() == 1


def test_a_wrong_code_does_not_turn_two_factor_on(owner, owner_client, no_code_throttling):
    owner_client.get("/account/2fa/")
    device = TOTPDevice.objects.get(user=owner)
    refused = owner_client.post("/account/2fa/", {"token": wrong_code(device)})
    assert refused.status_code == 200
    assert b"This code is not valid" in refused.content
    assert not TOTPDevice.objects.get(user=owner).confirmed
    assert not StaticDevice.objects.filter(user=owner).exists()
    assert not AuditEvent.objects.filter(action="account.2fa_enabled").exists()


def test_the_right_code_turns_two_factor_on_and_shows_ten_recovery_codes(
    owner, owner_client, workspace
):
    owner_client.get("/account/2fa/")
    device = TOTPDevice.objects.get(user=owner)
    done = owner_client.post("/account/2fa/", {"token": code_for(device)}, REMOTE_ADDR=IP)
    assert done.status_code == 200
    codes = re.findall(r"<li><code>(\w+)</code></li>", done.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert TOTPDevice.objects.get(user=owner).confirmed
    stored = StaticToken.objects.filter(device__user=owner).values_list("token", flat=True)
    assert sorted(stored) == sorted(codes)
    event = AuditEvent.objects.get(action="account.2fa_enabled")
    assert (event.actor, event.ip_address) == (owner, IP)
    # The browser that set it up stays in: it just proved the second factor.
    assert owner_client.get(f"/w/{workspace.slug}/").status_code == 200
    assert owner_client.get("/account/2fa/")["Location"] == "/account/"  # already on


def test_the_setup_code_is_throttled_after_a_wrong_one(owner, owner_client):
    owner_client.get("/account/2fa/")
    device = TOTPDevice.objects.get(user=owner)
    # As if five wrong codes had just been typed: the next try must wait 16 seconds.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=5, throttling_failure_timestamp=timezone.now()
    )
    too_soon = owner_client.post("/account/2fa/", {"token": code_for(device)})
    assert b"wait a few seconds" in too_soon.content
    assert not TOTPDevice.objects.get(user=owner).confirmed


@pytest.mark.parametrize(
    "path", ["/", "/w/brand/", "/w/brand/team/", "/account/", "/account/2fa/", "/account/password/"]
)
def test_after_two_factor_is_on_every_page_asks_for_the_code_first(
    path, owner, owner_client, workspace
):
    enable_2fa(owner_client, owner)
    client = half_signed_in(owner)
    blocked = client.get(path)
    assert blocked.status_code == 302
    assert blocked["Location"].startswith("/account/2fa/verify/?next=")


def test_the_second_step_page_and_signing_out_stay_open(owner, owner_client):
    enable_2fa(owner_client, owner)
    client = half_signed_in(owner)
    page = client.get("/account/2fa/verify/")
    assert page.status_code == 200 and b"Second step" in page.content
    assert client.post("/account/logout/").status_code == 302
    assert not signed_in_user(client, "/account/login/").is_authenticated


def test_the_authenticator_code_completes_the_sign_in(
    owner, owner_client, workspace, no_code_throttling
):
    enable_2fa(owner_client, owner)
    device = TOTPDevice.objects.get(user=owner)
    client = half_signed_in(owner)
    assert (
        b"not valid" in client.post("/account/2fa/verify/", {"token": wrong_code(device)}).content
    )
    assert client.get(f"/w/{workspace.slug}/").status_code == 302  # still blocked
    ok = client.post(
        "/account/2fa/verify/",
        {"token": code_for(device, offset=1), "next": f"/w/{workspace.slug}/"},
    )
    assert ok.status_code == 302 and ok["Location"] == f"/w/{workspace.slug}/"
    assert client.get(f"/w/{workspace.slug}/").status_code == 200
    assert client.get("/account/").status_code == 200


def test_the_code_used_to_turn_two_factor_on_cannot_be_replayed(
    owner, owner_client, no_code_throttling
):
    owner_client.get("/account/2fa/")
    device = TOTPDevice.objects.get(user=owner)
    used = code_for(device)
    owner_client.post("/account/2fa/", {"token": used})
    client = half_signed_in(owner)
    assert b"not valid" in client.post("/account/2fa/verify/", {"token": used}).content
    assert client.get("/account/").status_code == 302


def test_a_wrong_second_step_code_is_recorded(owner, owner_client, no_code_throttling):
    enable_2fa(owner_client, owner)
    client = half_signed_in(owner)
    client.post("/account/2fa/verify/", {"token": "12345678"}, REMOTE_ADDR=IP)
    event = AuditEvent.objects.get(action="account.2fa_failed")
    assert (event.actor, event.ip_address) == (owner, IP)


def test_a_recovery_code_completes_the_sign_in_once(
    owner, owner_client, workspace, no_code_throttling
):
    codes = enable_2fa(owner_client, owner)
    first = half_signed_in(owner)
    ok = first.post("/account/2fa/verify/", {"token": codes[3], "next": f"/w/{workspace.slug}/"})
    assert ok["Location"] == f"/w/{workspace.slug}/"
    assert first.get(f"/w/{workspace.slug}/").status_code == 200
    assert AuditEvent.objects.filter(action="account.recovery_code_used", actor=owner).exists()
    second = half_signed_in(owner)
    refused = second.post("/account/2fa/verify/", {"token": codes[3]})
    assert b"not valid" in refused.content
    assert second.get(f"/w/{workspace.slug}/").status_code == 302
    assert StaticToken.objects.filter(device__user=owner).count() == 9
    # The other codes still work.
    assert second.post("/account/2fa/verify/", {"token": codes[4]}).status_code == 302


def test_a_recovery_code_may_be_typed_with_spaces(owner, owner_client, no_code_throttling):
    codes = enable_2fa(owner_client, owner)
    client = half_signed_in(owner)
    spaced = " ".join([codes[0][:4], codes[0][4:]])
    assert client.post("/account/2fa/verify/", {"token": spaced}).status_code == 302


def test_the_second_step_is_throttled_after_wrong_codes(owner, owner_client):
    codes = enable_2fa(owner_client, owner)
    client = half_signed_in(owner)
    for device in devices_for_user(owner):
        type(device).objects.filter(pk=device.pk).update(
            throttling_failure_count=5, throttling_failure_timestamp=timezone.now()
        )
    too_soon = client.post("/account/2fa/verify/", {"token": codes[0]})
    assert b"wait a few seconds" in too_soon.content
    assert client.get("/account/").status_code == 302
    assert StaticToken.objects.filter(device__user=owner, token=codes[0]).exists()  # not spent
    # Once the wait is over the code works.
    for device in devices_for_user(owner):
        type(device).objects.filter(pk=device.pk).update(
            throttling_failure_timestamp=timezone.now() - timedelta(minutes=5)
        )
    assert client.post("/account/2fa/verify/", {"token": codes[0]}).status_code == 302


def test_the_second_step_brings_back_the_page_asked_for_with_its_query(
    owner, owner_client, workspace, no_code_throttling
):
    codes = enable_2fa(owner_client, owner)
    client = half_signed_in(owner)
    wanted = f"/w/{workspace.slug}/audit/?action=team.invited&page=2"
    blocked = client.get(wanted)
    page = client.get(blocked["Location"]).content.decode()
    # What the browser sends: the hidden `next` of the form that asks for the code.
    form = page[page.index('name="token"') :]
    next_value = html.unescape(re.search(r'name="next" value="([^"]*)"', form).group(1))
    done = client.post(blocked["Location"], {"token": codes[0], "next": next_value})
    assert done["Location"] == wanted


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_the_second_step_never_sends_people_to_another_site(
    target, owner, owner_client, no_code_throttling
):
    codes = enable_2fa(owner_client, owner)
    client = half_signed_in(owner)
    done = client.post("/account/2fa/verify/", {"token": codes[0], "next": target})
    assert done.status_code == 302 and done["Location"] == "/"


def test_a_browser_signed_in_before_two_factor_was_turned_on_must_give_a_code(
    owner, owner_client, workspace
):
    laptop = half_signed_in(owner)  # fully signed in: no second factor existed yet
    assert laptop.get(f"/w/{workspace.slug}/").status_code == 200
    enable_2fa(owner_client, owner)
    assert laptop.get(f"/w/{workspace.slug}/")["Location"].startswith("/account/2fa/verify/")


def test_a_password_reset_does_not_skip_the_second_factor(owner, owner_client):
    enable_2fa(owner_client, owner)
    Client().post("/account/password/reset/", {"email": owner.email})
    path = re.search(r"http://testserver(\S+)", mail.outbox[-1].body).group(1)
    client = Client()
    set_url = client.get(path, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    fresh = Client()
    sign_in(fresh, owner.email, NEW_PASSWORD)
    assert fresh.get("/account/")["Location"].startswith("/account/2fa/verify/")


def test_turning_two_factor_off_needs_a_valid_code(
    owner, owner_client, workspace, no_code_throttling
):
    enable_2fa(owner_client, owner)
    device = TOTPDevice.objects.get(user=owner)
    for bad in ("", "nope", wrong_code(device)):
        refused = owner_client.post("/account/2fa/disable/", {"token": bad}, follow=True)
        assert b"Give a current code" in refused.content
        assert TOTPDevice.objects.filter(user=owner, confirmed=True).exists()
    assert not AuditEvent.objects.filter(action="account.2fa_disabled").exists()
    done = owner_client.post(
        "/account/2fa/disable/", {"token": code_for(device, offset=1)}, REMOTE_ADDR=IP
    )
    assert done.status_code == 302 and done["Location"] == "/account/"
    assert not TOTPDevice.objects.filter(user=owner).exists()
    assert not StaticDevice.objects.filter(user=owner).exists()
    event = AuditEvent.objects.get(action="account.2fa_disabled")
    assert (event.actor, event.ip_address) == (owner, IP)
    fresh = Client()
    sign_in(fresh, owner.email)
    assert fresh.get(f"/w/{workspace.slug}/").status_code == 200  # no second step any more


def test_a_recovery_code_also_turns_two_factor_off(owner, owner_client, no_code_throttling):
    codes = enable_2fa(owner_client, owner)
    owner_client.post("/account/2fa/disable/", {"token": codes[9]})
    assert not TOTPDevice.objects.filter(user=owner).exists()


def test_someone_elses_code_does_not_turn_two_factor_off(
    owner, owner_client, member, member_client, no_code_throttling
):
    enable_2fa(owner_client, owner)
    member_codes = enable_2fa(member_client, member)
    owner_client.post("/account/2fa/disable/", {"token": member_codes[0]})
    assert TOTPDevice.objects.filter(user=owner, confirmed=True).exists()


def test_turning_two_factor_off_takes_a_post(owner, owner_client):
    enable_2fa(owner_client, owner)
    assert owner_client.get("/account/2fa/disable/").status_code == 405


# --- Profile and password -------------------------------------------------------------------


def test_the_profile_saves_name_and_language(owner, owner_client):
    response = owner_client.post("/account/", {"name": "Camille L.", "language": "fr"})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert (owner.name, owner.language) == ("Camille L.", "fr")
    assert owner_client.get("/account/")["Content-Language"] == "fr"


def test_the_profile_refuses_an_unknown_language(owner, owner_client):
    response = owner_client.post("/account/", {"name": "Camille", "language": "xx"})
    assert response.status_code == 200
    owner.refresh_from_db()
    assert owner.language == ""


def test_the_profile_cannot_change_the_address(owner, owner_client):
    owner_client.post("/account/", {"name": "C", "language": "en", "email": "x@evil.example"})
    owner.refresh_from_db()
    assert owner.email == "owner@brand.example"


def test_account_pages_need_a_signed_in_person(db):
    for path in ("/account/", "/account/password/", "/account/2fa/", "/account/2fa/verify/"):
        response = Client().get(path)
        assert response.status_code == 302 and response["Location"].startswith("/account/login/")


def test_changing_the_password_keeps_the_session(owner, owner_client, workspace):
    response = owner_client.post(
        "/account/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "arabica-robusta-99",
            "new_password2": "arabica-robusta-99",
        },
        REMOTE_ADDR=IP,
    )
    assert response.status_code == 302
    assert owner_client.get(f"/w/{workspace.slug}/").status_code == 200
    event = AuditEvent.objects.get(action="account.password_changed")
    assert (event.actor, event.ip_address) == (owner, IP)
    assert sign_in(Client(), owner.email, "arabica-robusta-99").status_code == 302


def test_changing_the_password_signs_out_other_browsers(owner, owner_client, workspace):
    other_browser = client_for(owner)
    owner_client.post(
        "/account/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "arabica-robusta-99",
            "new_password2": "arabica-robusta-99",
        },
    )
    assert other_browser.get(f"/w/{workspace.slug}/").status_code == 302


def test_changing_the_password_needs_the_old_one(owner, owner_client):
    response = owner_client.post(
        "/account/password/",
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="account.password_changed").exists()


def test_a_new_person_without_workspace_is_told_so(db):
    loner = make_user("loner@nowhere.example")
    page = client_for(loner).get("/")
    assert page.status_code == 200
    assert b"You are not in any workspace yet" in page.content


def test_a_removed_person_is_not_sent_back_to_their_old_workspace(owner, member, workspace):
    client = client_for(member)
    client.get(f"/w/{workspace.slug}/")  # remembered as their last workspace
    Membership.objects.filter(user=member).delete()
    page = client.get("/")
    assert page.status_code == 200
    assert b"You are not in any workspace yet" in page.content


def test_a_password_reset_lifts_a_lockout(owner):
    client = Client()
    for _ in range(5):
        sign_in(client, owner.email, "wrong")
    assert sign_in(client, owner.email).status_code == 429
    client.post("/account/password/reset/", {"email": owner.email})
    path = re.search(r"http://testserver(\S+)", mail.outbox[-1].body).group(1)
    form_page = client.get(path, follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "torrefaction-lente-2026", "new_password2": "torrefaction-lente-2026"},
    )
    assert sign_in(Client(), owner.email, "torrefaction-lente-2026").status_code == 302
