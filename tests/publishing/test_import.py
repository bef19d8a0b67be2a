"""CSV import (all rows or none, with a row-by-row report), UTM parameters from the campaign,
and curation (a stored item made an idea, keeping its link). Every view test also sends the
outsider, who gets a 404 and changes nothing."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from liant.channels.models import Channel, Event
from liant.core.models import AuditEvent
from liant.publishing import editorial, importing, publisher, utm
from liant.publishing.models import Post, PublishingSettings, Variant
from liant.publishing.states import State
from tests.publishing.conftest import scheduled_variant

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def url(workspace, path: str = "") -> str:
    return f"/w/{workspace.slug}/publishing/{path}"


def day(n: int) -> str:
    return (timezone.now().astimezone(PARIS) + timedelta(days=n)).strftime("%Y-%m-%d")


@pytest.fixture
def second(workspace) -> Channel:
    return Channel.objects.create(workspace=workspace, kind="scripted_pub", name="Deuxième")


def upload(client, workspace, text: str, schedule: bool = False):
    data = {"file": SimpleUploadedFile("posts.csv", text.encode("utf-8-sig"))}
    if schedule:
        data["schedule"] = "on"
    return client.post(url(workspace, "import/"), data)


def test_a_good_file_is_imported_and_scheduled(
    owner_client, workspace, channel, second, outsider_client
):
    csv = (
        "date;time;channels;text;pillar;campaign;tags\n"
        f"{day(3)};09:30;Scripted|Deuxième;Bonjour;Origines;Noël;café|fêtes\n"
        f"{day(4)};;scripted;Salut;;;\n"
    )
    answer = upload(owner_client, workspace, csv, schedule=True)
    assert answer.status_code == 200
    assert "2 posts imported" in answer.content.decode()
    first, other = Post.objects.order_by("pk")
    assert first.state == State.SCHEDULED and first.pillar == "Origines"
    assert first.tags == ["café", "fêtes"]
    assert sorted(v.channel.name for v in first.variants.all()) == ["Deuxième", "Scripted"]
    at = first.variants.first().due_at.astimezone(PARIS)
    assert (at.strftime("%Y-%m-%d"), at.hour, at.minute) == (day(3), 9, 30)
    assert other.variants.get().due_at.astimezone(PARIS).hour == 9  # default time
    assert AuditEvent.objects.filter(action="posts.imported").exists()
    assert outsider_client.get(url(workspace, "import/")).status_code == 404


def test_one_bad_row_refuses_the_whole_file_and_says_why_per_row(
    owner_client, outsider_client, workspace, channel
):
    csv = (
        "date,time,channels,text,link\n"
        f"{day(2)},10:00,Scripted,Fine,\n"
        f"31/02/2027,10:00,Scripted,Bad date,\n"
        f"{day(2)},25:00,Nowhere,This text is far too long for twenty,ftp://x\n"
        f"{day(-2)},10:00,Scripted,Past,\n"
    )
    answer = upload(owner_client, workspace, csv)
    body = answer.content.decode()
    assert not Post.objects.exists()  # nothing half-imported
    assert "3 rows refused: nothing was imported" in body
    report = importing.import_csv(workspace, csv.encode(), None, schedule=False)
    by_line = {row.number: row.problems for row in report.rows}
    assert by_line[2] == []
    assert "is not a date" in by_line[3][0]
    assert any("not a time" in p for p in by_line[4])
    assert any('No channel is called "Nowhere"' in p for p in by_line[4])
    assert any("not a web address" in p for p in by_line[4])
    assert by_line[5] == ["This time has passed."]
    assert AuditEvent.objects.filter(action="posts.import_refused").exists()

    assert (
        upload(
            outsider_client, workspace, f"date;channels;text\n{day(2)};Scripted;Hi\n"
        ).status_code
        == 404
    )
    assert not Post.objects.exists()


def test_a_file_without_the_needed_columns_or_not_utf8_is_refused(workspace, channel):
    assert (
        "Missing columns: channels"
        in importing.import_csv(workspace, b"date;text\n2030-01-01;x\n", None, False).problems[0]
    )
    assert (
        "UTF-8"
        in importing.import_csv(
            workspace, "date;channels;text\n\xe9".encode("latin-1"), None, False
        ).problems[0]
    )


def test_scheduling_from_a_csv_needs_the_publish_permission(workspace, channel, outsider_client):
    from liant.core.permissions import Role
    from tests.conftest import client_for, make_user

    analyst = client_for(make_user("a@brand.example", workspace, Role.ANALYST))
    assert analyst.get(url(workspace, "import/")).status_code == 403
    assert outsider_client.get(url(workspace, "import/")).status_code == 404


# --- UTM ---------------------------------------------------------------------------------------


def test_the_link_goes_out_with_the_campaigns_utm_parameters(workspace, channel):
    variant = scheduled_variant(channel, "Voir")
    Variant.objects.filter(pk=variant.pk).update(link="https://shop.example/p?id=3&utm_medium=mail")
    Post.objects.filter(pk=variant.post_id).update(campaign="Noël 2026")
    PublishingSettings.objects.create(workspace=workspace)
    link = utm.tag(
        "https://shop.example/p?id=3&utm_medium=mail",
        "Noël 2026",
        "bluesky",
        PublishingSettings.of(workspace.pk),
    )
    assert link == (
        "https://shop.example/p?id=3&utm_medium=mail&utm_source=bluesky&utm_campaign=noel-2026"
    )  # the medium someone typed stays
    variant.refresh_from_db()
    assert publisher.link_of(variant).endswith("utm_source=scripted_pub&utm_campaign=noel-2026")
    assert publisher.parts_of(variant)[0].endswith("utm_campaign=noel-2026")


def test_no_campaign_or_utm_turned_off_leaves_the_link_alone(workspace):
    settings = PublishingSettings(workspace=workspace)
    assert utm.tag("https://a.example/", "", "x", settings) == "https://a.example/"
    settings.utm_enabled = False
    assert utm.tag("https://a.example/", "Noël", "x", settings) == "https://a.example/"
    settings.utm_enabled = True
    assert utm.tag("mailto:a@b.example", "Noël", "x", settings) == "mailto:a@b.example"


def test_a_link_in_the_text_is_tagged_too_and_counted_as_sent(workspace, owner, channel):
    post = Post.objects.create(workspace=workspace, owner=owner, campaign="Été")
    Variant.objects.create(post=post, channel=channel, text="x https://a.b/", link="https://a.b/")
    # 16 characters typed fit the scripted network's 20; tagged, they do not.
    assert editorial.problems_of(post)
    PublishingSettings.objects.create(workspace=workspace, utm_enabled=False)
    assert editorial.problems_of(post) == []


# --- Curation ----------------------------------------------------------------------------------


def test_an_item_becomes_an_idea_in_one_click_with_its_source(
    owner_client, outsider_client, workspace, other_workspace
):
    feed = Channel.objects.create(workspace=workspace, kind="feed", name="Blog café")
    event = Event.objects.create(
        workspace=workspace,
        channel=feed,
        kind="post",
        remote_id="1",
        text="Le prix du café vert au plus haut depuis 1977",
        url="https://news.example/cafe-vert",
        occurred_at=timezone.now(),
    )
    page = owner_client.get(url(workspace, "curation/"))
    assert "Le prix du café vert" in page.content.decode()
    assert outsider_client.get(url(workspace, "curation/")).status_code == 404
    assert outsider_client.post(url(workspace, f"curation/{event.pk}/")).status_code == 404
    assert not Post.objects.exists()

    answer = owner_client.post(url(workspace, f"curation/{event.pk}/"))
    post = Post.objects.get()
    assert answer["Location"].endswith(f"/publishing/{post.pk}/")
    assert post.state == State.IDEA and post.source_url == "https://news.example/cafe-vert"
    assert post.title.startswith("Le prix du café vert")
    assert "https://news.example/cafe-vert" in owner_client.get(answer["Location"]).content.decode()
    assert "Already an idea" in owner_client.get(url(workspace, "curation/")).content.decode()
    assert AuditEvent.objects.filter(action="post.curated").exists()
