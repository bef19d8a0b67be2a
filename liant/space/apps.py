from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpaceConfig(AppConfig):
    name = "liant.space"
    label = "space"
    verbose_name = _("Community space")

    def ready(self) -> None:
        # GDPR export and erasure of space accounts answer the members app's signals.
        from liant.space import erasure  # noqa: F401
