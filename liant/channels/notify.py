from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from liant.channels.models import Channel
from liant.connectors.base import ConnectorError
from liant.core.models import Membership
from liant.core.permissions import Role


def tell_owners_auth_expired(channel: Channel, reason: ConnectorError) -> None:
    """The network no longer accepts the channel's sign-in: its owners must reconnect it.

    Each mail is written in its reader's language, the network's reason included."""
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
            send_mail(
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
                None,
                [person.email],
            )
