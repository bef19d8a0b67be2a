"""Quizzes inside the space: a signed-in account answers as its member through
animation.quizzes (its scoring, its one attempt per member), a closed quiz or a wrong answer
stores nothing, a visitor is invited to sign in, another workspace reaches nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from liant.animation import quizzes
from liant.animation.demo import QUIZ_TITLE
from liant.animation.demo import animation as animation_demo
from liant.animation.models import Quiz, QuizAttempt
from liant.core.models import Organisation, Workspace
from liant.demo.loader import DemoContext
from liant.members.models import Identity
from liant.space.demo import community_space
from liant.space.models import SpaceAccount
from liant.space.posting import open_channel, space_of
from tests.conftest import make_user
from tests.space.conftest import join, url

pytestmark = pytest.mark.django_db

SOURCE = """D'où vient le Guji ?
* Éthiopie
- Kenya
- Colombie

Quelle mouture pour un espresso ? (2 pts)
- Grossière
* Fine
"""


@pytest.fixture
def quiz(workspace) -> Quiz:
    return quizzes.create(workspace.pk, "Quiz <b>café</b>", quizzes.parse(SOURCE))


def answers(quiz: Quiz, first: object, second: object) -> dict[str, object]:
    q1, q2 = quiz.questions.all()
    return {f"q{q1.pk}": first, f"q{q2.pk}": second}


def answer_url(quiz: Quiz, space) -> str:
    return url(space, f"animation/quiz/{quiz.pk}/answer/")


def member_of(account: SpaceAccount):
    return Identity.objects.get(network="space", key=account.remote_id).member


def test_a_member_answers_and_gets_the_score_of_the_quiz_module(space, quiz, alice_client, alice):
    form = alice_client.get(url(space, "animation/")).content.decode()
    q1, q2 = quiz.questions.all()
    assert f'name="q{q1.pk}"' in form and f'name="q{q2.pk}"' in form
    assert "csrfmiddlewaretoken" in form and f'id="quiz-{quiz.pk}"' in form

    answer = alice_client.post(answer_url(quiz, space), answers(quiz, 1, 1))  # wrong, right
    assert answer.status_code == 302 and answer["Location"].endswith(f"#quiz-{quiz.pk}")
    attempt = QuizAttempt.objects.get()
    assert (attempt.quiz, attempt.member) == (quiz, member_of(alice))
    assert (attempt.score, attempt.max_score, attempt.display_name) == (2, 3, "Alice")
    page = alice_client.get(answer["Location"]).content.decode()
    assert "2 / 3" in page and ("rank 1" in page or "rang 1" in page)
    assert f"/animation/quizzes/result/{attempt.token}/" in page
    assert f'name="q{q1.pk}"' not in page  # answered: no form any more
    result = alice_client.get(f"/animation/quizzes/result/{attempt.token}/").content.decode()
    assert "Kenya" in result and "Éthiopie" in result


def test_the_attempt_shows_in_the_staff_view_of_the_quiz(
    space, quiz, alice_client, owner_client, outsider_client, workspace
):
    alice_client.post(answer_url(quiz, space), answers(quiz, 0, 1))
    staff = owner_client.get(f"/w/{workspace.slug}/animation/quizzes/{quiz.pk}/")
    assert staff.status_code == 200
    assert list(staff.context["attempts"]) == list(QuizAttempt.objects.all())
    body = staff.content.decode()
    assert "Alice" in body and "3 / 3" in body
    assert [a.display_name for a in quizzes.leaderboard(quiz)] == ["Alice"]
    theirs = outsider_client.get(f"/w/{workspace.slug}/animation/quizzes/{quiz.pk}/")
    assert theirs.status_code in (403, 404) and b"Alice" not in theirs.content


def test_a_second_attempt_is_refused_and_the_first_stands(space, quiz, alice_client):
    alice_client.post(answer_url(quiz, space), answers(quiz, 0, 1))  # 3 / 3
    again = alice_client.post(answer_url(quiz, space), answers(quiz, 2, 0), follow=True)
    assert QuizAttempt.objects.count() == 1 and QuizAttempt.objects.get().score == 3
    body = again.content.decode()
    assert "already answered this quiz" in body or "déjà répondu à ce quiz" in body


def test_a_closed_quiz_refuses_and_stores_nothing(space, quiz, alice_client):
    Quiz.objects.filter(pk=quiz.pk).update(is_open=False)
    assert (
        "Quiz &lt;b&gt;café&lt;/b&gt;"
        not in alice_client.get(url(space, "animation/")).content.decode()
    )
    answer = alice_client.post(answer_url(quiz, space), answers(quiz, 0, 1), follow=True)
    body = answer.content.decode()
    assert "This quiz is closed." in body or "Ce quiz est clos." in body
    assert not QuizAttempt.objects.exists()


def test_a_visitor_sees_the_quiz_and_is_invited_to_sign_in(space, quiz):
    visitor = Client()
    page = visitor.get(url(space, "animation/")).content.decode()
    q1, _q2 = quiz.questions.all()
    assert "Quiz &lt;b&gt;café&lt;/b&gt;" in page and "<b>café" not in page
    assert "D&#x27;où vient le Guji ?" in page and "Colombie" in page
    assert f'name="q{q1.pk}"' not in page
    assert url(space, "signin/") in page
    answer = visitor.post(answer_url(quiz, space), answers(quiz, 0, 1))
    assert answer.status_code == 302 and answer["Location"] == url(space, "signin/")
    assert not QuizAttempt.objects.exists()


@pytest.mark.parametrize(
    ("sent", "named"),
    [
        ({"first": 7, "second": 1}, "(see Q1)"),  # no such answer
        ({"first": "x", "second": 1}, "(see Q1)"),
        ({"first": -1, "second": 1}, "(see Q1)"),
        ({"first": 0}, "(see Q2)"),  # a question left out
        ({}, "(see Q1, Q2)"),
    ],
)
def test_answers_that_are_not_offered_are_refused_clearly(space, quiz, alice_client, sent, named):
    q1, q2 = quiz.questions.all()
    data = {f"q{q1.pk}": sent["first"]} if "first" in sent else {}
    if "second" in sent:
        data[f"q{q2.pk}"] = sent["second"]
    answer = alice_client.post(answer_url(quiz, space), data, follow=True)
    body = answer.content.decode()
    assert ("Nothing was recorded" in body and named in body) or (
        "Rien n’a été enregistré" in body and named.replace("see", "voir") in body
    )
    assert not QuizAttempt.objects.exists()
    # Nothing was used up: a proper answer still counts.
    alice_client.post(answer_url(quiz, space), answers(quiz, 0, 1))
    assert QuizAttempt.objects.get().score == 3


def test_a_question_of_another_quiz_does_not_count(space, quiz, alice_client, workspace):
    other = quizzes.create(workspace.pk, "Autre", quizzes.parse(SOURCE))
    alice_client.post(answer_url(quiz, space), answers(other, 0, 1))
    assert not QuizAttempt.objects.exists()


def test_a_banned_or_muted_account_cannot_answer(space, quiz, alice_client, alice):
    for field in ("banned_at", "muted_at"):
        SpaceAccount.objects.filter(pk=alice.pk).update(**{field: timezone.now()})
        answer = alice_client.post(answer_url(quiz, space), answers(quiz, 0, 1))
        assert answer.status_code == 302
        SpaceAccount.objects.filter(pk=alice.pk).update(**{field: None})
    assert not QuizAttempt.objects.exists()


def test_another_workspace_reaches_nothing(space, quiz, alice_client, other_workspace):
    other = space_of(other_workspace)
    other.enabled = True
    other.title = "Rival"
    other.save()
    open_channel(other)
    stranger = Client()
    join(stranger, other, "eve@example.org", "Eve")
    theirs = quizzes.create(other_workspace.pk, "Quiz rival", quizzes.parse(SOURCE))
    base = f"/space/{other_workspace.slug}/animation/"
    # This workspace's quiz through the other space, and the other's quiz through this one.
    assert stranger.post(f"{base}quiz/{quiz.pk}/answer/", answers(quiz, 0, 1)).status_code == 404
    assert alice_client.post(answer_url(theirs, space), answers(theirs, 0, 1)).status_code == 404
    # An account of the other space is a visitor here: sent to sign in.
    visiting = stranger.post(answer_url(quiz, space), answers(quiz, 0, 1))
    assert visiting.status_code == 302 and visiting["Location"] == url(space, "signin/")
    assert "Quiz rival" not in alice_client.get(url(space, "animation/")).content.decode()
    assert "café" not in stranger.get(base).content.decode()
    assert not QuizAttempt.objects.exists()


def test_the_demo_space_shows_the_demo_quiz(db):
    organisation = Organisation.objects.create(name="Maison Lumière", slug="maison-lumiere")
    workspace = Workspace.objects.create(
        organisation=organisation, name="Maison Lumière", slug="maison-lumiere"
    )
    camille = make_user("camille@maison-lumiere.example", workspace)
    context = DemoContext(organisation, {"maison-lumiere": workspace}, {"camille": camille})
    community_space(context)
    animation_demo(context)
    page = Client().get("/space/maison-lumiere/animation/").content.decode()
    assert QUIZ_TITLE in page
    assert "D&#x27;où vient le Guji ?" in page
