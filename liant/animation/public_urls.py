"""Public pages: no session needed; the random token in the address is the key."""

from django.urls import path

from liant.animation import challenge_views
from liant.animation import public_views as views

urlpatterns = [
    path("contests/<str:token>/", views.public_contest, name="animation_public_contest"),
    path("contests/<str:token>/draw.json", views.draw_json, name="animation_draw_json"),
    path("contests/<str:token>/list.json", views.list_json, name="animation_list_json"),
    path("verify_draw.py", views.verify_script, name="animation_verify_script"),
    path("events/<str:token>/", views.public_meetup, name="animation_public_meetup"),
    path("events/<str:token>/invitation.ics", views.invitation, name="animation_invitation"),
    path("rsvp/<str:token>/", views.public_rsvp, name="animation_public_rsvp"),
    path("rsvp/<str:token>/cancel/", views.public_rsvp_cancel, name="animation_rsvp_cancel_public"),
    path("polls/<str:token>/", views.public_poll, name="animation_public_poll"),
    path("quizzes/<str:token>/", views.public_quiz, name="animation_public_quiz"),
    path("quizzes/result/<str:token>/", views.quiz_result, name="animation_quiz_result"),
    path(
        "challenges/<str:token>/",
        challenge_views.public_challenge,
        name="animation_public_challenge",
    ),
]
