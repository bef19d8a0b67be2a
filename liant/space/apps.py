from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpaceConfig(AppConfig):
    name = "liant.space"
    label = "space"
    verbose_name = _("Community space")
