"""Connector messages: English where they are raised, the reader's language where they are shown."""

from __future__ import annotations

import json

from django.utils import translation
from django.utils.translation import gettext_noop as _

from liant.connectors.base import ConnectorError, ErrorKind, Problem, Rules, render_detail


def nested() -> ConnectorError:
    inner = ConnectorError(_("%(host)s is a private address and cannot be used."), host="10.0.0.1")
    return ConnectorError(
        _("The feed is not well-formed: %(problem)s"), ErrorKind.TRANSIENT, problem=inner
    )


def test_translated_renders_a_nested_error_in_the_active_language():
    error = nested()
    with translation.override("fr"):
        assert error.translated() == (
            "Le flux est mal formé : 10.0.0.1 est une adresse privée et ne peut pas servir."
        )
        # The English text stays English whatever the language: logs and the exchange log.
        assert error.message == (
            "The feed is not well-formed: 10.0.0.1 is a private address and cannot be used."
        )
        assert str(error) == error.message
    with translation.override("en"):
        assert error.translated() == error.message
    assert error.kind is ErrorKind.TRANSIENT


def test_the_networks_own_words_are_not_translated():
    error = ConnectorError(_("Bluesky refused the request: %(detail)s"), detail="Publier")
    with translation.override("fr"):
        assert error.translated() == "Bluesky a refusé la requête : Publier"


def test_the_detail_survives_json_and_renders_in_any_language():
    stored = json.loads(json.dumps(nested().detail()))
    assert stored["params"]["problem"]["params"] == {"host": "10.0.0.1"}
    with translation.override("fr"):
        assert render_detail(stored, "fallback").startswith("Le flux est mal formé : 10.0.0.1 est")
    with translation.override("en"):
        assert render_detail(stored, "fallback") == nested().message


def test_a_list_of_skipped_items_renders_joined():
    problems = [
        Problem(_("item %(number)s: %(problem)s"), number=2, problem=Problem(_("not an object"))),
        Problem(_("and %(count)s more"), count=3),
    ]
    with translation.override("fr"):
        assert render_detail([p.detail() for p in problems]) == (
            "élément 2 : ce n'est pas un objet; et 3 de plus"
        )


def test_a_missing_or_garbled_detail_falls_back_to_the_stored_english():
    for garbled in (None, {}, [], "text", {"template": 3}, {"template": "x", "params": [1]}):
        assert render_detail(garbled, "The stored English.") == "The stored English."
    unfilled = {"template": "%(a)s and %(b)s", "params": {"a": 1}}
    assert render_detail(unfilled, "The stored English.") == "The stored English."
    # Raised by hand with values that do not fit: the template still says something.
    assert ConnectorError("%(a)s and %(b)s", a=1).message == "%(a)s and %(b)s"


def test_a_plain_message_without_values_keeps_its_percent_signs():
    assert ConnectorError("100% refused").message == "100% refused"


def test_rules_speak_the_active_language_with_plurals():
    rules = Rules(max_length=10, max_media=1, media_types=frozenset({"image/png"}))
    with translation.override("fr"):
        assert rules.check("x" * 11) == ["1 caractère de trop"]
        assert rules.check("x" * 12, [("image/gif", 1)] * 2) == [
            "2 caractères de trop",
            "au plus 1 média",
            "image/gif n'est pas accepté",
            "image/gif n'est pas accepté",
        ]
    assert rules.check("x" * 12) == ["2 characters too long"]
