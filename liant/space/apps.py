from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SpaceConfig(AppConfig):
    name = "liant.space"
    label = "space"
    verbose_name = _("Community space")

    def ready(self) -> None:
        # GDPR export and erasure of space accounts answer the members app's signals.
        # Approving a held change of name or presentation shows it (a LogEntry receiver).
        from liant.space import (
            erasure,  # noqa: F401
            profile_moderation,  # noqa: F401
        )
        from liant.space.search import repair_sqlite

        # A later migration that rebuilds a table on SQLite drops the search triggers.
        post_migrate.connect(repair_sqlite, sender=self)
