"""The space's channel is listed and shown by the channels pages like any other."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_the_channels_pages_show_the_space_channel(owner_client, workspace, space):
    listing = owner_client.get(f"/w/{workspace.slug}/channels/")
    assert listing.status_code == 200
    assert space.channel.name in listing.content.decode()
    detail = owner_client.get(f"/w/{workspace.slug}/channels/{space.channel.pk}/")
    assert detail.status_code == 200
