from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "liant.moderation"
    label = "moderation"
    verbose_name = _("Moderation")

    def ready(self) -> None:
        # Rules run as soon as the channels store new events (see signals.py).
        from liant.moderation import signals  # noqa: F401
