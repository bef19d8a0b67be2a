from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "liant.members"
    label = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        # New events attach to members as soon as the channels store them (see signals.py).
        from liant.members import signals  # noqa: F401
