from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewslettersConfig(AppConfig):
    name = "liant.newsletters"
    label = "newsletters"
    verbose_name = _("Newsletters")

    def ready(self) -> None:
        # Connects the GDPR export and erasure receivers (see erasure.py).
        from liant.newsletters import erasure  # noqa: F401
