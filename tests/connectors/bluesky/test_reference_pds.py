"""The Bluesky connector against the reference PDS from npm, with its own PLC directory.

A bare PDS serves accounts, repositories, records and blobs; the timelines, notifications,
search and counts come from the AppView, which cannot run here: those are tested on the
documented payloads in test_bluesky.py.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import struct
import time
import urllib.error
import zlib
from datetime import UTC, datetime

import pytest

from liant.channels import connect_bluesky
from liant.channels.fetching import connector_for
from liant.channels.models import Channel, Health
from liant.connectors.base import (
    ConnectorError,
    Draft,
    ErrorKind,
    Event,
    EventKind,
    Media,
    ModerationAction,
)
from liant.connectors.bluesky.connector import BlueskyConnector, create_session, split_uri
from liant.connectors.http import HttpClient, MemoryRecorder
from tests.servers import PDS_JWT_SECRET


@pytest.fixture
def brand(reference_pds):
    return reference_pds.create_account("lumiere")


def connect(pds, account, recorder=None) -> BlueskyConnector:
    """What the connect page does: sign in with the app password, keep the session."""
    http = HttpClient(recorder or MemoryRecorder())
    session = create_session(http, pds.url, account["handle"], account["app_password"])
    return BlueskyConnector(
        {"service": pds.url, "handle": session["handle"], "did": session["did"]}, session, http
    )


def read_back(pds, uri: str) -> dict:
    repo, collection, rkey = split_uri(uri)
    return pds.call("com.atproto.repo.getRecord", repo=repo, collection=collection, rkey=rkey)


def posts_of(pds, did: str) -> list[dict]:
    return pds.call(
        "com.atproto.repo.listRecords", repo=did, collection="app.bsky.feed.post", limit=100
    )["records"]


def png(width: int = 2, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xc8\x64\x32" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def expired_access_token(did: str) -> str:
    """An access token the PDS itself would have issued two hours ago (same secret, same
    claims), so the PDS answers ExpiredToken exactly as it does in production."""

    def part(value: dict) -> str:
        raw = json.dumps(value, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    now = int(time.time())
    signing_input = (
        part({"typ": "at+jwt", "alg": "HS256"})
        + "."
        + part(
            {
                "scope": "com.atproto.appPass",
                "aud": "did:web:localhost",
                "sub": did,
                "iat": now - 7300,
                "exp": now - 100,
            }
        )
    )
    signature = hmac.new(PDS_JWT_SECRET.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()


def test_connecting_with_an_app_password_opens_a_session(reference_pds, brand):
    connector = connect(reference_pds, brand)
    assert connector.check_connection() == f"@{brand['handle']}"
    assert connector.credentials["did"] == brand["did"]


def test_a_wrong_app_password_is_refused_with_the_networks_reason(reference_pds, brand):
    with pytest.raises(ConnectorError) as refused:
        create_session(HttpClient(), reference_pds.url, brand["handle"], "aaaa-bbbb-cccc-dddd")
    assert refused.value.kind is ErrorKind.AUTH_EXPIRED
    assert "Invalid identifier or password" in str(refused.value)


def test_published_post_reads_back_with_byte_exact_facets(reference_pds, brand):
    friend = reference_pds.create_account("jose")
    text = (
        f"Café crème ☕ pour @{friend['handle']} : la carte est sur "
        "https://maison-lumiere.example/carte #Torréfaction"
    )
    sent = connect(reference_pds, brand).publish(
        Draft(text=text, idempotency_key="post-1", extras={"language": "fr"})
    )

    stored = read_back(reference_pds, sent.remote_id)
    assert stored["cid"] == sent.raw["cid"]
    record = stored["value"]
    assert record["text"] == text and record["langs"] == ["fr"]
    encoded = text.encode()
    spans = {
        encoded[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode(): f["features"][0]
        for f in record["facets"]
    }
    assert spans[f"@{friend['handle']}"] == {
        "$type": "app.bsky.richtext.facet#mention",
        "did": friend["did"],
    }
    assert spans["https://maison-lumiere.example/carte"]["uri"] == (
        "https://maison-lumiere.example/carte"
    )
    assert spans["#Torréfaction"]["tag"] == "Torréfaction"


def test_an_image_is_uploaded_as_a_blob_and_served_back(reference_pds, brand):
    image = png()
    sent = connect(reference_pds, brand).publish(
        Draft(
            text="La nouvelle salle",
            media=[Media(data=image, content_type="image/png", alt_text="Une salle claire")],
            idempotency_key="post-image",
        )
    )
    embed = read_back(reference_pds, sent.remote_id)["value"]["embed"]
    assert embed["$type"] == "app.bsky.embed.images"
    assert embed["images"][0]["alt"] == "Une salle claire"
    blob = embed["images"][0]["image"]
    assert blob["mimeType"] == "image/png" and blob["size"] == len(image)

    import urllib.request

    with urllib.request.urlopen(
        f"{reference_pds.url}/xrpc/com.atproto.sync.getBlob"
        f"?did={brand['did']}&cid={blob['ref']['$link']}",
        timeout=10,
    ) as served:
        assert served.read() == image


def test_the_same_draft_sent_twice_makes_one_post(reference_pds, brand):
    """A worker that died after the call and retries finds the post it already made."""
    draft = Draft(text="Ouverture dimanche", idempotency_key="variant-42-attempt")
    first = connect(reference_pds, brand).publish(draft)
    again = connect(reference_pds, brand).publish(draft)

    assert again.remote_id == first.remote_id
    assert [r["uri"] for r in posts_of(reference_pds, brand["did"])] == [first.remote_id]


def test_a_thread_chains_root_and_parent(reference_pds, brand):
    connector = connect(reference_pds, brand)
    first = connector.publish(Draft(text="1/3 Notre café", idempotency_key="t1"))
    second = connector.publish(
        Draft(text="2/3 vient d'Éthiopie", reply_to=first.remote_id, idempotency_key="t2")
    )
    third = connector.publish(
        Draft(text="3/3 et se boit noir", reply_to=second.remote_id, idempotency_key="t3")
    )

    reply = read_back(reference_pds, third.remote_id)["value"]["reply"]
    assert reply["root"] == {"uri": first.remote_id, "cid": first.raw["cid"]}
    assert reply["parent"] == {"uri": second.remote_id, "cid": second.raw["cid"]}


def test_replying_to_a_stored_event_uses_its_refs(reference_pds, brand):
    member = connect(reference_pds, reference_pds.create_account("claire"))
    question = member.publish(Draft(text="Vous ouvrez le lundi ?", idempotency_key="q"))
    parent = Event(
        kind=EventKind.MENTION,
        remote_id=question.remote_id,
        author=None,
        occurred_at=datetime.now(UTC),
        text="Vous ouvrez le lundi ?",
        raw={"uri": question.remote_id, "cid": question.raw["cid"]},
    )

    answer = connect(reference_pds, brand).reply(
        parent, Draft(text="Oui, dès 8 h !", idempotency_key="answer")
    )

    stored = read_back(reference_pds, answer.remote_id)["value"]
    assert stored["reply"]["parent"] == {"uri": question.remote_id, "cid": question.raw["cid"]}
    assert stored["reply"]["root"] == stored["reply"]["parent"]


def test_replying_to_a_deleted_own_post_says_so(reference_pds, brand):
    connector = connect(reference_pds, brand)
    gone = connector.publish(Draft(text="Erreur de prix", idempotency_key="gone"))
    connector.moderate(gone.remote_id, ModerationAction.DELETE)

    with pytest.raises(ConnectorError, match="no longer exists"):
        connector.publish(Draft(text="Correction", reply_to=gone.remote_id))


def test_a_token_expiring_mid_run_is_refreshed_and_the_work_goes_on(reference_pds, brand):
    recorder = MemoryRecorder()
    connector = connect(reference_pds, brand, recorder)
    old_refresh = connector.credentials["refreshJwt"]
    connector.credentials["accessJwt"] = expired_access_token(brand["did"])

    sent = connector.publish(Draft(text="Toujours là", idempotency_key="after-expiry"))

    assert read_back(reference_pds, sent.remote_id)["value"]["text"] == "Toujours là"
    assert connector.refreshed and connector.credentials["refreshJwt"] != old_refresh
    statuses = [(e.url.rsplit("/", 1)[-1], e.status) for e in recorder.exchanges]
    assert ("com.atproto.repo.createRecord", 400) in statuses
    assert ("com.atproto.server.refreshSession", 200) in statuses


def test_a_revoked_session_is_auth_expired_and_posts_nothing(reference_pds, brand):
    connector = connect(reference_pds, brand)
    reference_pds.call(
        "com.atproto.server.deleteSession", post=True, token=connector.credentials["refreshJwt"]
    )
    connector.credentials["accessJwt"] = expired_access_token(brand["did"])

    with pytest.raises(ConnectorError) as failed:
        connector.publish(Draft(text="Ne doit pas partir", idempotency_key="revoked"))
    assert failed.value.kind is ErrorKind.AUTH_EXPIRED
    assert posts_of(reference_pds, brand["did"]) == []


def test_moderation_deletes_own_posts_and_blocks_authors(reference_pds, brand):
    connector = connect(reference_pds, brand)
    troll = connect(reference_pds, reference_pds.create_account("troll"))
    insult = troll.publish(Draft(text="Café imbuvable !!!", idempotency_key="insult"))
    mistake = connector.publish(Draft(text="Fermé demain (erreur)", idempotency_key="oops"))

    connector.moderate(mistake.remote_id, ModerationAction.DELETE)
    connector.moderate(insult.remote_id, ModerationAction.BLOCK)

    with pytest.raises(urllib.error.HTTPError):
        read_back(reference_pds, mistake.remote_id)
    blocks = reference_pds.call(
        "com.atproto.repo.listRecords", repo=brand["did"], collection="app.bsky.graph.block"
    )["records"]
    assert [b["value"]["subject"] for b in blocks] == [split_uri(insult.remote_id)[0]]
    with pytest.raises(ConnectorError, match="only its own posts"):
        connector.moderate(insult.remote_id, ModerationAction.DELETE)
    assert read_back(reference_pds, insult.remote_id)["value"]["text"] == "Café imbuvable !!!"


@pytest.mark.django_db
def test_the_connect_page_signs_in_to_the_pds(reference_pds, brand, owner_client, workspace):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(connect_bluesky.tasks, "fetch_channel", lambda pk: None)
        answer = owner_client.post(
            f"/w/{workspace.slug}/channels/connect/bluesky/",
            {
                "handle": f"@{brand['handle']}",
                "app_password": brand["app_password"],
                "service": reference_pds.url,
            },
        )
    assert answer.status_code == 302
    channel = Channel.objects.get(workspace=workspace, kind="bluesky")
    assert channel.settings["did"] == brand["did"] and channel.health == Health.OK
    assert brand["app_password"] not in str(channel.credentials)
    # The stored session works: the worker's connector can post with it.
    sent = connector_for(channel).publish(Draft(text="Bonjour Bluesky", idempotency_key="hello"))
    assert read_back(reference_pds, sent.remote_id)["value"]["text"] == "Bonjour Bluesky"
