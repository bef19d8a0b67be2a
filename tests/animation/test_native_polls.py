"""A poll posted natively on Mastodon through the publisher, its votes added to the results."""

from __future__ import annotations

from liant.animation.models import Poll, PollChoice
from liant.animation.polls import results
from liant.channels.models import Channel
from liant.publishing.models import State, VariantMetrics


def make_poll(workspace) -> Poll:
    poll = Poll.objects.create(workspace=workspace, question="Votre méthode le matin ?")
    for i, text in enumerate(["Espresso", "Filtre", "Piston"]):
        PollChoice.objects.create(poll=poll, text=text, position=i)
    return poll


def url(workspace, poll, end=""):
    return f"/w/{workspace.slug}/animation/polls/{poll.pk}/{end}"


def test_a_poll_goes_out_through_the_publisher_and_its_votes_come_back(owner_client, workspace):
    mastodon = Channel.objects.create(workspace=workspace, kind="mastodon", name="Masto")
    Channel.objects.create(workspace=workspace, kind="feed", name="Blog")
    poll = make_poll(workspace)
    page = owner_client.get(url(workspace, poll)).content.decode()
    assert "Masto" in page and "Blog" not in page  # only networks with polls are offered

    response = owner_client.post(
        url(workspace, poll, "post/"), {"channel": mastodon.pk, "hours": 48}
    )
    assert response.status_code == 302
    poll.refresh_from_db()
    variant = poll.variant
    assert variant.channel == mastodon and variant.state == State.SCHEDULED
    assert variant.post.state == State.SCHEDULED
    assert variant.extras == {
        "poll": {"options": ["Espresso", "Filtre", "Piston"], "expires_in": 48 * 3600}
    }
    # Posting again does not make a second post.
    owner_client.post(url(workspace, poll, "post/"), {"channel": mastodon.pk})
    poll.refresh_from_db()
    assert poll.variant == variant

    # The metrics the publisher collects carry the network's counts per choice.
    VariantMetrics.objects.create(
        variant=variant,
        values={"favourites": 2, "poll_votes": 57, "poll_option_0": 21, "poll_option_1": 30},
    )
    rows, total = results(poll)
    assert [(c.text, n) for c, n, _p in rows] == [("Espresso", 21), ("Filtre", 30), ("Piston", 0)]
    assert total == 51
    assert "51" in owner_client.get(url(workspace, poll)).content.decode()


def test_a_channel_without_polls_or_of_another_workspace_is_refused(
    owner_client, workspace, other_workspace
):
    blog = Channel.objects.create(workspace=workspace, kind="feed", name="Blog")
    foreign = Channel.objects.create(workspace=other_workspace, kind="mastodon", name="Other")
    poll = make_poll(workspace)
    for channel in (blog, foreign):
        owner_client.post(url(workspace, poll, "post/"), {"channel": channel.pk})
    poll.refresh_from_db()
    assert poll.variant is None


def test_an_outsider_cannot_post_a_poll(outsider_client, workspace):
    mastodon = Channel.objects.create(workspace=workspace, kind="mastodon", name="Masto")
    poll = make_poll(workspace)
    response = outsider_client.post(url(workspace, poll, "post/"), {"channel": mastodon.pk})
    assert response.status_code == 404
    poll.refresh_from_db()
    assert poll.variant is None
