"""Connecting Reddit through the shared OAuth flow: one channel per moderated subreddit, or
the profile when the account moderates none."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.db import connection

from liant.channels import connect_oauth, tasks
from liant.channels.models import Channel
from liant.connectors.http import HttpClient, MemoryRecorder

from .conftest import AGENT, FakeReddit, ok

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(monkeypatch, reddit: FakeReddit) -> FakeReddit:
    monkeypatch.setattr(
        connect_oauth,
        "client",
        lambda: HttpClient(
            MemoryRecorder(),
            transport=httpx.MockTransport(reddit.handle),
            sleep=lambda s: None,
            check_urls=False,
        ),
    )
    monkeypatch.setattr(tasks, "fetch_channel", lambda pk: None)
    return reddit


def sign_in(client, workspace, code: str = "good-code"):
    started = client.post(f"/w/{workspace.slug}/channels/connect/reddit/oauth/", {"name": ""})
    state = client.session[connect_oauth.SESSION_KEY]["state"]
    return started, client.get("/connect/oauth/reddit/callback/", {"code": code, "state": state})


def test_the_sign_in_asks_reddit_for_a_permanent_grant_with_the_scopes(
    owner_client, workspace, network
):
    started, _callback = sign_in(owner_client, workspace)

    target = urlsplit(started["Location"])
    assert (target.netloc, target.path) == ("www.reddit.com", "/api/v1/authorize")
    query = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert query["duration"] == "permanent" and query["response_type"] == "code"
    assert query["client_id"] == "Lq3xYz-app"
    assert query["scope"] == (
        "identity read submit edit modposts modcontributors modmail privatemessages history "
        "mysubreddits"
    )


def test_a_moderator_connects_the_subreddit_with_encrypted_tokens(owner_client, workspace, network):
    _started, response = sign_in(owner_client, workspace)

    channel = Channel.objects.get(workspace=workspace, kind="reddit")
    assert response.status_code == 302
    assert response["Location"] == f"/w/{workspace.slug}/channels/{channel.pk}/"
    assert channel.name == "r/MaisonLumiereCafe (u/maison_lumiere)"
    # The user's own profile subreddit (which everyone moderates) is not offered.
    assert channel.settings == {
        "account_id": "t5_7ml1yn",
        "subreddit": "MaisonLumiereCafe",
        "username": "maison_lumiere",
        "moderator": True,
        "post_to": ["MaisonLumiereCafe"],
    }
    assert channel.credentials["refresh_token"] == "122-refresh-1"
    assert channel.credentials_expire_at is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials_json FROM channels_channel WHERE id = %s", [channel.pk])
        stored = cursor.fetchone()[0]
    assert "122-refresh-1" not in stored and "access-1" not in stored
    token_call = network.sent("POST", r"/api/v1/access_token")[0]
    assert token_call.headers["user-agent"] == AGENT
    assert token_call.headers["authorization"].startswith("Basic ")
    assert FakeReddit.form(token_call)["grant_type"] == "authorization_code"


def test_someone_who_moderates_nothing_connects_their_profile(owner_client, workspace, network):
    network.route("GET", r"/api/v1/me", ok("me_other.json"))
    network.route("GET", r"/subreddits/mine/moderator", ok("moderated_none.json"))

    sign_in(owner_client, workspace)

    channel = Channel.objects.get(workspace=workspace, kind="reddit")
    assert channel.name == "u/nina_v60"
    # Posting is limited to the profile and the followed subreddits one may post in: not a
    # restricted one without approval, not one that banned the account.
    assert channel.settings == {
        "account_id": "t5_3nv60a",
        "subreddit": "u_nina_v60",
        "username": "nina_v60",
        "moderator": False,
        "post_to": ["u_nina_v60", "Coffee", "lyon"],
    }


def test_a_refused_code_says_reddits_words_and_connects_nothing(owner_client, workspace, network):
    _started, response = sign_in(owner_client, workspace, code="used-code")

    assert response.status_code == 400
    assert "invalid_grant" in response.content.decode()
    assert not Channel.objects.filter(kind="reddit").exists()


def test_another_workspace_cannot_start_a_reddit_sign_in(outsider_client, workspace, network):
    response = outsider_client.post(f"/w/{workspace.slug}/channels/connect/reddit/oauth/")
    assert response.status_code == 404
