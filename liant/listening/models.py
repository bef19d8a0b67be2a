"""Listening queries: what a workspace watches (its brand, products, people, competitors)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from liant.core.models import Workspace
from liant.listening.query import Node, QuerySyntaxError, parse


class QueryKind(models.TextChoices):
    BRAND = "brand", _("Our brand")
    PRODUCT = "product", _("A product")
    PERSON = "person", _("A person")
    COMPETITOR = "competitor", _("A competitor")
    TOPIC = "topic", _("A topic")


class Query(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="queries")
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("what it watches"), max_length=20, choices=QueryKind.choices)
    text = models.TextField(
        _("query"),
        max_length=2000,
        help_text=_(
            'Words, "exact phrases", #hashtags and @mentions; AND, OR, NOT (or ET, OU, SAUF), '
            "-word to exclude, parentheses, lang:fr, source:mastodon, author:@name."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="query_name_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def tree(self) -> Node:
        return parse(self.text)

    def clean(self) -> None:
        try:
            parse(self.text)
        except QuerySyntaxError as error:
            raise ValidationError({"text": error.translated()}) from error
