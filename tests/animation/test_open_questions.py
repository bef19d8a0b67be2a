"""An open question posted on several channels at once; the replies gathered in one view."""

from __future__ import annotations

from liant.animation.models import OpenQuestion
from liant.animation.quizzes import answers
from liant.publishing.models import State
from tests.members.factories import channel as make_channel
from tests.members.factories import event


def test_the_prompt_goes_out_on_chosen_channels_and_replies_come_back_together(
    owner_client, workspace
):
    mastodon = make_channel(workspace, "mastodon")
    bluesky = make_channel(workspace, "bluesky")
    make_channel(workspace, "feed")  # cannot publish: not offered
    url = f"/w/{workspace.slug}/animation/questions/new/"
    assert "feed" not in owner_client.get(url).context["form"].fields[
        "post_to"
    ].queryset.values_list("kind", flat=True)
    response = owner_client.post(
        url,
        {"prompt": "Votre souvenir de café le plus fort ?", "post_to": [mastodon.pk, bluesky.pk]},
    )
    assert response.status_code == 302
    question = OpenQuestion.objects.get()
    variants = {v.channel: v for v in question.post.variants.all()}
    assert set(variants) == {mastodon, bluesky}
    assert all(v.state == State.SCHEDULED for v in variants.values())
    assert question.post.state == State.SCHEDULED

    # Once out, the replies to each variant (and deeper in its thread) are the answers.
    for channel, remote in ((mastodon, "m-1"), (bluesky, "at://b/1")):
        variants[channel].remote_id = remote
        variants[channel].save()
    event(mastodon, "lea", parent="m-1", text="Un ristretto à Naples")
    event(bluesky, "did:plc:tom", parent="reply-x", text="Au Yémen", remote_id="r2")
    thread_reply = event(bluesky, "did:plc:ana", text="Deeper", parent="r2")
    thread_reply.thread_remote_id = "at://b/1"
    thread_reply.save()
    event(mastodon, "zoe", parent="another-post", text="Hors sujet")
    found = sorted(a.event.text for a in answers(question))
    assert found == ["Deeper", "Un ristretto à Naples"]
    page = owner_client.get(f"/w/{workspace.slug}/animation/questions/{question.pk}/")
    assert page.status_code == 200 and "Un ristretto à Naples" in page.content.decode()


def test_a_question_needs_channels_or_a_post(owner_client, workspace):
    response = owner_client.post(
        f"/w/{workspace.slug}/animation/questions/new/", {"prompt": "Une question ?"}
    )
    assert response.status_code == 200 and not OpenQuestion.objects.exists()
