from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "liant.leads"
    label = "leads"
    verbose_name = _("Leads")

    def ready(self) -> None:
        # Connects the GDPR export and erasure receivers (see erasure.py).
        from liant.leads import erasure  # noqa: F401
