from __future__ import annotations

import pytest

from liant.members.models import Level, Member, MergeSuggestion, Task

pytestmark = pytest.mark.django_db


# Loading twice adds nothing: tests/core/test_cli.py checks it for every model at once.


def test_the_demo_community_is_lively(loaded_demo, client):
    members = Member.objects.filter(workspace__slug="maison-lumiere", merged_into__isnull=True)
    assert members.count() >= 500
    levels = {lv: members.filter(level=lv).count() for lv in Level.values}
    assert levels[Level.AMBASSADOR] >= 5 and levels[Level.CONTRIBUTOR] >= 20
    assert levels[Level.OBSERVER] > levels[Level.PARTICIPANT] > levels[Level.CONTRIBUTOR]
    assert Task.objects.filter(kind=Task.Kind.SLIPPING_AWAY, state="open").count() >= 5
    assert MergeSuggestion.objects.filter(state="open").count() >= 5
    # The people who wrote in the inbox demo are members with their messages attached.
    assert members.filter(activities__event__isnull=False).exists()
    from liant.core.models import User

    client.force_login(User.objects.get(email="camille@maison-lumiere.example"))
    for path in ("", "to-do/", "merges/", "graph/", "segments/", "engagement/"):
        assert client.get(f"/w/maison-lumiere/members/{path}").status_code == 200, path
    top = members.order_by("-score").first()
    assert client.get(f"/w/maison-lumiere/members/{top.pk}/").status_code == 200
