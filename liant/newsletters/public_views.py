"""Public newsletter pages: sign-up, confirmation and unsubscribe.

None needs an account. Each takes a token (the list's random token, or a value signed with
the server's secret), and shows nothing but the list's name and the visitor's own address.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from liant.core.audit import client_ip
from liant.newsletters import rendering, subscriptions
from liant.newsletters.models import Click, MailingList, Send, Subscriber, SubscriberState


class SignupForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Your e-mail address"))
    name = forms.CharField(label=gettext_lazy("Your name"), required=False, max_length=150)
    agree = forms.BooleanField(label=gettext_lazy("I agree"), required=True)
    # A field hidden from people: a bot that fills every input gives itself away.
    website = forms.CharField(required=False, widget=forms.HiddenInput)


def signup(request: HttpRequest, token: str) -> HttpResponse:
    mailing_list = get_object_or_404(MailingList.objects.select_related("workspace"), token=token)
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request)
        if not form.cleaned_data["website"] and not subscriptions.too_many_from(ip):
            language = (get_language() or mailing_list.workspace.language)[:2]
            subscriptions.request_subscription(
                mailing_list,
                form.cleaned_data["email"],
                form.cleaned_data["name"],
                language,
                ip,
            )
        # The same answer whether the address was new, pending or already subscribed, so the
        # form cannot be used to learn who is on the list.
        return render(
            request, "newsletters/public_signup_done.html", {"mailing_list": mailing_list}
        )
    return render(
        request, "newsletters/public_signup.html", {"mailing_list": mailing_list, "form": form}
    )


def confirm(request: HttpRequest, signed: str) -> HttpResponse:
    """GET shows a button, POST confirms: mail scanners that open every link in a message
    must not be able to subscribe someone on their own."""
    try:
        subscriber_id = subscriptions.read_confirm_token(signed)
    except signing.SignatureExpired:
        return render(request, "newsletters/public_message.html", {
            "title": _("This link has expired"),
            "text": _("Sign up again from the form: a new link will be sent to you."),
        }, status=410)  # fmt: skip
    except signing.BadSignature:
        raise Http404 from None
    subscriber = get_object_or_404(
        Subscriber.objects.select_related("mailing_list", "member"), pk=subscriber_id
    )
    if request.method == "POST":
        subscriptions.confirm(subscriber)
    return render(
        request,
        "newsletters/public_confirm.html",
        {"subscriber": subscriber, "done": subscriber.state == SubscriberState.SUBSCRIBED},
    )


# RFC 8058: a one-click unsubscribe is a POST sent by the mail provider, not by a browser on
# our site; it carries no session and no CSRF token and cannot. CSRF protection exists to stop
# another site from acting with the visitor's session; this view uses no session and the only
# thing a POST can do is what the signed token already allows: unsubscribe that one address.
@csrf_exempt
def unsubscribe(request: HttpRequest, signed: str) -> HttpResponse:
    try:
        subscriber_id, send_id = rendering.read_unsubscribe_token(signed)
    except (signing.BadSignature, ValueError, TypeError):
        raise Http404 from None
    subscriber = get_object_or_404(
        Subscriber.objects.select_related("mailing_list", "member"), pk=subscriber_id
    )
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        subscriptions.unsubscribe(
            subscriber,
            send_id,
            _("one-click unsubscribe (mail client)") if one_click else _("unsubscribe link"),
        )
        if one_click:
            # The caller is a mail provider's robot: an empty 200 is all it needs.
            return HttpResponse(status=200)
        subscriber.state = SubscriberState.UNSUBSCRIBED
    return render(
        request,
        "newsletters/public_unsubscribe.html",
        {
            "subscriber": subscriber,
            "done": subscriber.state == SubscriberState.UNSUBSCRIBED,
            "site": settings.SITE_URL,
        },
    )


# A 1x1 transparent GIF, the smallest image every mail client shows.
PIXEL = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00"
    b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def tracked_open(request: HttpRequest, token: str) -> HttpResponse:
    """The pixel of a campaign that measures opens (see tracking.py for why it is opt-in)."""
    Send.objects.filter(token=token, campaign__track=True, opened_at__isnull=True).update(
        opened_at=timezone.now()
    )
    response = HttpResponse(PIXEL, content_type="image/gif")
    response["Cache-Control"] = "no-store"
    return response


def tracked_click(request: HttpRequest, token: str, n: int) -> HttpResponse:
    send = get_object_or_404(
        Send.objects.select_related("campaign"), token=token, campaign__track=True
    )
    urls = (send.campaign.tracked_links or {}).get(send.language) or []
    if n >= len(urls):
        raise Http404
    now = timezone.now()
    Click.objects.create(send=send, url=urls[n], at=now)
    Send.objects.filter(pk=send.pk, clicked_at__isnull=True).update(clicked_at=now)
    Send.objects.filter(pk=send.pk, opened_at__isnull=True).update(opened_at=now)  # a click
    # The address is one the campaign itself contains (stored when sending started), so
    # this cannot be used as an open redirect.
    return HttpResponseRedirect(urls[n])
