from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "liant.inbox"
    label = "inbox"
    verbose_name = _("Inbox")

    def ready(self) -> None:
        from liant.channels.signals import events_stored
        from liant.inbox.signals import group_after_fetch

        events_stored.connect(group_after_fetch, dispatch_uid="inbox.group_after_fetch")
