from __future__ import annotations

from typing import Any

from django.db import models

from liant.core import crypto


class EncryptedTextField(models.TextField):
    """A text column whose content is encrypted with Fernet before it reaches the database.

    Lookups other than isnull cannot work on ciphertext, so they are not offered.
    """

    description = "Text encrypted at rest"

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)
