from django.urls import path

from liant.animation import challenge_views, views

urlpatterns = [
    path("", views.home, name="animation"),
    path("contests/new/", views.contest_edit, name="animation_contest_new"),
    path("contests/<int:pk>/", views.contest_detail, name="animation_contest"),
    path(
        "contests/<int:pk>/entries.csv",
        views.contest_entries_csv,
        name="animation_contest_entries_csv",
    ),
    path("contests/<int:pk>/edit/", views.contest_edit, name="animation_contest_edit"),
    path("contests/<int:pk>/collect/", views.contest_collect, name="animation_contest_collect"),
    path("contests/<int:pk>/freeze/", views.contest_freeze, name="animation_contest_freeze"),
    path("contests/<int:pk>/draw/", views.contest_draw, name="animation_contest_draw"),
    path("events/new/", views.meetup_edit, name="animation_meetup_new"),
    path("events/<int:pk>/", views.meetup_detail, name="animation_meetup"),
    path("events/<int:pk>/rsvps.csv", views.meetup_rsvps_csv, name="animation_meetup_rsvps_csv"),
    path("events/<int:pk>/edit/", views.meetup_edit, name="animation_meetup_edit"),
    path("rsvps/<int:pk>/check-in/", views.rsvp_check_in, name="animation_check_in"),
    path("rsvps/<int:pk>/cancel/", views.rsvp_cancel, name="animation_rsvp_cancel"),
    path("polls/new/", views.poll_new, name="animation_poll_new"),
    path("polls/<int:pk>/", views.poll_detail, name="animation_poll"),
    path("polls/<int:pk>/switch/", views.poll_toggle, name="animation_poll_toggle"),
    path("polls/<int:pk>/post/", views.poll_post_natively, name="animation_poll_post"),
    path("quizzes/new/", views.quiz_new, name="animation_quiz_new"),
    path("quizzes/<int:pk>/", views.quiz_detail, name="animation_quiz"),
    path("quizzes/<int:pk>/switch/", views.quiz_toggle, name="animation_quiz_toggle"),
    path("questions/new/", views.question_new, name="animation_question_new"),
    path("questions/<int:pk>/", views.question_detail, name="animation_question"),
    path("challenges/new/", challenge_views.challenge_edit, name="animation_challenge_new"),
    path("challenges/<int:pk>/", challenge_views.challenge_detail, name="animation_challenge"),
    path(
        "challenges/<int:pk>/edit/",
        challenge_views.challenge_edit,
        name="animation_challenge_edit",
    ),
    path(
        "challenges/<int:pk>/collect/",
        challenge_views.challenge_collect,
        name="animation_challenge_collect",
    ),
]
