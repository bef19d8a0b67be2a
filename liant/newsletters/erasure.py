"""What newsletters hold about one member, for the GDPR export and erasure (members/gdpr.py).

Connected from NewslettersConfig.ready() (importing this module connects the receivers), so
the members app needs no line for it. Erasure keeps the rows, so a campaign's figures do not
change, and blanks the address, the IP of the sign-up and any SMTP error quoting the address.
An erased subscriber is marked unsubscribed: nothing is ever sent to a row that names nobody.
"""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from liant.members.gdpr import Section, Subject, collect_personal_data, erase_personal_data, rows
from liant.newsletters.models import Send, Subscriber, SubscriberState


@receiver(collect_personal_data)
def export_newsletters(sender: Any, subject: Subject, **kwargs: Any) -> list[Section]:
    members = subject.member_ids
    return [
        Section(
            "newsletter_subscriptions",
            _("Newsletter subscriptions"),
            rows(
                Subscriber.objects.filter(member_id__in=members)
                .annotate(ip=F("requested_ip"))
                .values(
                    "mailing_list__name",
                    "email",
                    "state",
                    "source",
                    "requested_at",
                    "ip",
                    "requested_text",
                    "subscribed_at",
                    "unsubscribed_at",
                    "soft_bounces",
                )  # fmt: skip
            ),
        ),
        Section(
            "newsletters_sent",
            _("Newsletters sent to them"),
            rows(
                Send.objects.filter(subscriber__member_id__in=members).values(
                    "campaign__name",
                    "email",
                    "state",
                    "sent_at",
                    "bounced_at",
                    "unsubscribed_at",
                    "opened_at",
                    "clicked_at",
                )
            ),
        ),
    ]


@receiver(erase_personal_data)
def erase_newsletters(sender: Any, subject: Subject, **kwargs: Any) -> dict[str, int]:
    members = subject.member_ids
    sends = Send.objects.filter(subscriber__member_id__in=members).update(
        # Unique per campaign and address: a placeholder that names nobody keeps it unique.
        email=Concat(Value("erased:"), Cast("pk", CharField())),
        error="",
    )
    subscribers = Subscriber.objects.filter(member_id__in=members).update(
        email="",
        requested_ip=None,
        state=SubscriberState.UNSUBSCRIBED,
    )
    return {"newsletter_subscriptions": subscribers, "newsletters_sent": sends}
