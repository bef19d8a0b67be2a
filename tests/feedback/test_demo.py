from __future__ import annotations

import pytest

from liant.core.models import User
from liant.feedback.models import Collection, Idea, IdeaStatus, StatusNotice

pytestmark = pytest.mark.django_db


# Loading twice adds nothing: tests/core/test_cli.py checks it for every model at once.


def test_the_demo_feedback_and_its_pages_open(loaded_demo, client):
    collection = Collection.objects.get(workspace__slug="maison-lumiere")
    kept = collection.verbatims.all()
    assert {v.language for v in kept} >= {"fr", "en"}
    assert {v.sentiment for v in kept} >= {"negative", "positive"}
    grinder = kept.get(text__contains="moulin")
    assert grinder.departments.get().name == "Service après-vente" and grinder.message
    shown = Idea.objects.filter(merged_into__isnull=True)
    assert set(shown.values_list("status", flat=True)) == set(IdeaStatus.values)
    subscription = shown.get(status=IdeaStatus.PLANNED)
    assert subscription.message is not None and subscription.merged.count() == 1
    assert subscription.votes.count() >= 18
    # History is not news: loading the demo told nobody anything.
    assert not StatusNotice.objects.exists()

    client.force_login(User.objects.get(email="camille@maison-lumiere.example"))
    base = "/w/maison-lumiere/feedback/"
    for path in ("", "ideas/", "collections/", "departments/", "notebook/", "themes/"):
        assert client.get(base + path).status_code == 200
    page = client.get(f"{base}collections/{collection.pk}/").content.decode()
    assert "Voix des clients" in page
    assert client.get(f"{base}ideas/{subscription.pk}/").status_code == 200
