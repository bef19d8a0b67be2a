"""The network status page is generated from each connector's declarations."""

from __future__ import annotations

import pytest

from liant.channels.networks import rows
from liant.connectors import registry
from liant.connectors.base import Capability, ModerationAction

pytestmark = pytest.mark.django_db


def test_every_network_is_listed_with_what_its_connector_declares(owner_client, workspace):
    response = owner_client.get(f"/w/{workspace.slug}/channels/networks/")

    assert response.status_code == 200
    text = response.content.decode()
    for kind in registry.KINDS:
        assert f'id="network-{kind}"' in text
    mastodon = next(row for row in rows() if row.kind == "mastodon")
    cls = registry.connector_class("mastodon")
    assert dict(mastodon.capabilities)["Publish"] is (Capability.PUBLISH in cls.capabilities)
    assert len(mastodon.actions) == len(cls.moderation_actions & set(ModerationAction))


def test_a_declared_capability_changes_the_page(example_network, owner_client, workspace):
    row = next(row for row in rows() if row.kind == "example")
    assert dict(row.capabilities)["Pushed events"] is True
    assert dict(row.capabilities)["Publish"] is False
    assert row.oauth_ready is False  # no application set up on this Liant


def test_another_workspace_gets_nothing(outsider_client, workspace):
    assert outsider_client.get(f"/w/{workspace.slug}/channels/networks/").status_code == 404
