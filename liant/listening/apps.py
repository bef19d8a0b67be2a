from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListeningConfig(AppConfig):
    name = "liant.listening"
    label = "listening"
    verbose_name = _("Listening")

    def ready(self) -> None:
        from liant.channels.signals import events_stored
        from liant.listening.signals import listen_after_fetch

        events_stored.connect(listen_after_fetch, dispatch_uid="listening.listen_after_fetch")
