from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from liant.core.models import Membership
from liant.core.permissions import Role
from liant.webhooks.models import Endpoint


def tell_owners_disabled(endpoint: Endpoint) -> None:
    """The endpoint failed every call for a day: it is off until someone turns it back on."""
    people = {
        m.user
        for m in Membership.objects.filter(
            workspace=endpoint.workspace, role__in=[Role.OWNER, Role.ADMIN]
        ).select_related("user")
    }
    if endpoint.created_by is not None:
        people.add(endpoint.created_by)
    link = settings.SITE_URL + reverse(
        "webhook_detail", kwargs={"ws": endpoint.workspace.slug, "pk": endpoint.pk}
    )
    for person in people:
        with translation.override(person.language or endpoint.workspace.language):
            send_mail(
                _("Liant stopped calling %(url)s") % {"url": endpoint.url},
                _(
                    "Every call to %(url)s failed for a day (%(count)s attempts), so Liant "
                    "switched this webhook off. Nothing is lost: the deliveries are kept and "
                    "can be sent again once the address answers. Turn it back on here:\n%(link)s"
                )
                % {"url": endpoint.url, "count": endpoint.failures, "link": link},
                None,
                [person.email],
            )
