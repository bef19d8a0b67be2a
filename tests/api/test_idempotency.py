"""Idempotency keys: the same key and body acts once; another body with the key is a 422."""

from __future__ import annotations

import pytest

from liant.api.models import IdempotencyRecord
from liant.inbox.models import Message
from liant.leads.models import StageChange
from tests.api.conftest import Api, in_a_day, token_for

pytestmark = pytest.mark.django_db


def test_a_replayed_reply_is_sent_once_and_answered_the_same(api, seeded):
    url = f"/conversations/{seeded.conversation.pk}/reply"
    first = api.post(url, {"text": "Merci !"}, key="reply-1")
    second = api.post(url, {"text": "Merci !"}, key="reply-1")
    assert first.status_code == second.status_code == 201
    assert first.content == second.content
    assert second["Idempotent-Replayed"] == "true"
    assert Message.objects.filter(direction="out").count() == 1


def test_the_same_key_with_another_body_is_a_422(api, seeded):
    url = f"/conversations/{seeded.conversation.pk}/reply"
    api.post(url, {"text": "Merci !"}, key="reply-2")
    mismatch = api.post(url, {"text": "Autre chose"}, key="reply-2")
    assert mismatch.status_code == 422
    assert mismatch.json()["type"] == "urn:liant:problem:idempotency-key-reused"
    assert Message.objects.filter(direction="out").count() == 1


def test_a_new_key_acts_again(api, seeded):
    url = f"/conversations/{seeded.conversation.pk}/reply"
    api.post(url, {"text": "Un"}, key="a")
    api.post(url, {"text": "Un"}, key="b")
    assert Message.objects.filter(direction="out").count() == 2


def test_keys_belong_to_one_token(api, seeded, workspace, owner):
    url = f"/conversations/{seeded.conversation.pk}/reply"
    api.post(url, {"text": "Un"}, key="shared")
    other = Api(token_for(workspace, owner, "publish"))
    assert other.post(url, {"text": "Deux"}, key="shared").status_code == 201
    assert Message.objects.filter(direction="out").count() == 2


def test_schedule_and_lead_stage_replay_too(api, seeded):
    at = in_a_day()
    first = api.post(f"/posts/{seeded.post.pk}/schedule", {"at": at}, key="s")
    again = api.post(f"/posts/{seeded.post.pk}/schedule", {"at": at}, key="s")
    assert first.status_code == again.status_code == 200  # not the 409 a second try gets
    body = {"stage": "handed"}
    assert api.post(f"/leads/{seeded.lead.pk}/stage", body, key="l").status_code == 200
    assert api.post(f"/leads/{seeded.lead.pk}/stage", body, key="l").status_code == 200
    assert StageChange.objects.count() == 1


def test_a_refusal_is_replayed_as_it_was(api, seeded):
    seeded.variant.text = "x" * 5000
    seeded.variant.save()
    url = f"/posts/{seeded.post.pk}/schedule"
    body = {"at": in_a_day()}
    first = api.post(url, body, key="bad")
    assert first.status_code == 422
    seeded.variant.text = "short now"
    seeded.variant.save()
    again = api.post(url, body, key="bad")  # the same request: the same answer
    assert again.status_code == 422 and again.content == first.content
    assert api.post(url, body, key="fixed").status_code == 200  # a new key tries again


def test_a_running_request_with_the_same_key_is_a_409(api, seeded):
    url = f"/conversations/{seeded.conversation.pk}/reply"
    assert api.post(url, {"text": "x"}, key="busy").status_code == 201
    IdempotencyRecord.objects.filter(key="busy").update(status=None)  # as if still running
    assert api.post(url, {"text": "x"}, key="busy").status_code == 409
    assert Message.objects.filter(direction="out").count() == 1


def test_a_server_error_frees_the_key(api, seeded, monkeypatch):
    from liant.inbox import replies

    def down(*args, **kwargs):
        raise RuntimeError("database hiccup")

    url = f"/conversations/{seeded.conversation.pk}/reply"
    with monkeypatch.context() as patched:
        patched.setattr(replies, "queue_reply", down)
        assert api.post(url, {"text": "x"}, key="retry-me").status_code == 500
    assert not IdempotencyRecord.objects.filter(key="retry-me").exists()
    assert api.post(url, {"text": "x"}, key="retry-me").status_code == 201
