import pytest

pytestmark = pytest.mark.django_db


def test_channels_list(api, seeded):
    r = api.get("/channels")
    assert r.status_code == 200, r.content
    assert r.json()["items"][0]["id"] == seeded.channel.pk
