"""Models that exist only for tests of shared building blocks."""

from django.db import models

from liant.core.fields import EncryptedTextField


class Secretive(models.Model):
    label = models.CharField(max_length=50)
    token = EncryptedTextField(blank=True, default="")

    class Meta:
        app_label = "testapp"

    def __str__(self) -> str:
        return self.label
