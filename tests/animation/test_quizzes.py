"""Quizzes: the text format, scoring, one attempt per member, the leaderboard; open questions."""

from __future__ import annotations

import pytest

from liant.animation import quizzes
from liant.animation.models import OpenQuestion, Quiz, QuizAttempt
from liant.animation.people import member_for_email
from tests.members.factories import channel as make_channel
from tests.members.factories import event

SOURCE = """D'où vient le Guji ?
* Éthiopie
- Kenya
- Colombie

Quelle mouture pour un espresso ? (2 pts)
- Grossière
* Fine
"""


def test_a_quiz_is_written_as_plain_text():
    first, second = quizzes.parse(SOURCE)
    assert first.text == "D'où vient le Guji ?" and first.choices[first.correct] == "Éthiopie"
    assert second.points == 2 and second.text == "Quelle mouture pour un espresso ?"


@pytest.mark.parametrize(
    "source", ["Question\n- a\n- b", "Question\n* a\n* b", "Question\n* a", "Q\n* a\nb", ""]
)
def test_a_malformed_quiz_says_what_is_wrong(source):
    with pytest.raises(ValueError):
        quizzes.parse(source)


def test_scores_leaderboard_and_one_attempt_per_member(workspace, client):
    quiz = quizzes.create(workspace.pk, "Quiz café", quizzes.parse(SOURCE))
    q1, q2 = quiz.questions.all()
    url = f"/animation/quizzes/{quiz.token}/"

    def answer(name, email, a1, a2):
        return client.post(url, {"name": name, "email": email, f"q{q1.pk}": a1, f"q{q2.pk}": a2})

    response = answer("Amandine Roux", "amandine@example.org", 0, 1)  # all right: 3
    assert response.status_code == 302
    answer("Julien Lefèvre", "julien@example.org", 1, 1)  # 2
    answer("Sophie Marchand", "sophie@example.org", 0, 0)  # 1
    answer("Amandine Roux", "AMANDINE@example.org", 1, 0)  # second try: ignored
    scores = list(QuizAttempt.objects.values_list("display_name", "score", "max_score"))
    assert scores == [("Amandine R.", 3, 3), ("Julien L.", 2, 3), ("Sophie M.", 1, 3)]
    result = client.get(response["Location"]).content.decode()
    assert "rank 1" in result
    page = client.get(url).content.decode()
    assert "Julien L." in page and "Lefèvre" not in page and "@example.org" not in page


def test_a_closed_quiz_takes_no_answers(workspace, client):
    quiz = quizzes.create(workspace.pk, "Fermé", quizzes.parse(SOURCE))
    Quiz.objects.filter(pk=quiz.pk).update(is_open=False)
    q1, q2 = quiz.questions.all()
    client.post(
        f"/animation/quizzes/{quiz.token}/",
        {"name": "X", "email": "x@example.org", f"q{q1.pk}": 0, f"q{q2.pk}": 1},
    )
    assert not QuizAttempt.objects.exists()


def test_ties_go_to_who_answered_first(workspace):
    quiz = quizzes.create(workspace.pk, "Égalité", quizzes.parse(SOURCE))
    q1, q2 = quiz.questions.all()
    for who in ("un", "deux"):
        member, _ = member_for_email(workspace, f"{who}@example.org", who)
        quizzes.submit(quiz, member, who, {q1.pk: 0, q2.pk: 1})
    assert [a.display_name for a in quizzes.leaderboard(quiz)] == ["un", "deux"]


def test_open_question_answers_are_replies_to_the_post_sanitized(workspace, member_client):
    mastodon = make_channel(workspace, "mastodon")
    question = OpenQuestion.objects.create(
        workspace=workspace, prompt="Votre rituel du matin ?", channel=mastodon,
        post_remote_id="p-42",
    )  # fmt: skip
    reply = event(mastodon, "rose", parent="p-42", text="Un filtre, toujours")
    reply.html = '<p>Un filtre, <img src=x onerror="alert(1)"><script>alert(2)</script>toujours</p>'
    reply.save()
    event(mastodon, "sam", parent="autre", text="Hors sujet")
    answers = quizzes.answers(question)
    assert [a.event.author_handle for a in answers] == ["rose"]
    assert "onerror" not in answers[0].html and "<script" not in answers[0].html
    page = member_client.get(f"/w/{workspace.slug}/animation/questions/{question.pk}/")
    body = page.content.decode()
    assert "Un filtre" in body and "onerror" not in body and "Hors sujet" not in body
