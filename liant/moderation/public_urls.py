"""Public moderation pages, outside /w/: the person has no account; the signed value in the
address is the key, and names one person (or one decision) only."""

from django.urls import path

from liant.moderation import views

urlpatterns = [
    path("charter/<str:signed>/", views.charter_accept, name="charter_accept"),
    path("appeal/<str:signed>/", views.appeal_page, name="moderation_appeal"),
]
