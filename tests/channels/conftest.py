from __future__ import annotations

import pytest

from liant.connectors import registry


@pytest.fixture
def example_network(monkeypatch):
    """Registers tests/channels/oauth_example.py as the network "example"."""
    from tests.channels.oauth_example import ExampleConnector

    monkeypatch.setitem(
        registry.KINDS, "example", ("Example", "tests.channels.oauth_example.ExampleConnector")
    )
    registry.connector_class.cache_clear()
    ExampleConnector.refresh_answer = None
    yield ExampleConnector
    registry.connector_class.cache_clear()
