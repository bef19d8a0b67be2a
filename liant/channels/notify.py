from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from liant.channels.models import Channel
from liant.connectors.base import ConnectorError
from liant.core.models import Membership
from liant.core.permissions import Role


def tell_owners_auth_expired(channel: Channel, reason: ConnectorError) -> None:
    """The network no longer accepts the channel's sign-in: its owners must reconnect it.

    Each mail is written in its reader's language, the network's reason included."""

    def write(link: str) -> tuple[str, str]:
        return (
            _("Reconnect %(channel)s") % {"channel": channel.name},
            _(
                "Liant can no longer reach %(channel)s (%(network)s): %(reason)s\n\n"
                "Nothing is fetched or published on it until you reconnect it:\n%(link)s"
            )
            % {
                "channel": channel.name,
                "network": channel.kind_label,
                "reason": reason.translated(),
                "link": link,
            },
        )

    _tell_owners(channel, write)


def tell_owners_expiring(channel: Channel, expires: datetime) -> None:
    """The sign-in ends on a date and the network gives no way to renew it unattended."""

    def write(link: str) -> tuple[str, str]:
        return (
            _("%(channel)s must be reconnected before %(date)s")
            % {"channel": channel.name, "date": formats.date_format(expires, "DATE_FORMAT")},
            _(
                "The sign-in of %(channel)s (%(network)s) ends on %(date)s and the network "
                "does not let Liant renew it by itself. Reconnect it before then, or nothing "
                "will be fetched or published on it:\n%(link)s"
            )
            % {
                "channel": channel.name,
                "network": channel.kind_label,
                "date": formats.date_format(expires, "DATETIME_FORMAT"),
                "link": link,
            },
        )

    _tell_owners(channel, write)


def _tell_owners(channel: Channel, write: Callable[[str], tuple[str, str]]) -> None:
    people = {
        m.user
        for m in Membership.objects.filter(
            workspace=channel.workspace, role__in=[Role.OWNER, Role.ADMIN]
        ).select_related("user")
    }
    if channel.created_by is not None:
        people.add(channel.created_by)
    link = settings.SITE_URL + reverse(
        "channel_detail", kwargs={"ws": channel.workspace.slug, "pk": channel.pk}
    )
    for person in people:
        with translation.override(person.language or channel.workspace.language):
            subject, body = write(link)
            send_mail(subject, body, None, [person.email])
