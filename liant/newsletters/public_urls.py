from django.urls import path

from liant.newsletters import public_views

urlpatterns = [
    path("join/<str:token>/", public_views.signup, name="newsletters_signup"),
    path("confirm/<str:signed>/", public_views.confirm, name="newsletters_confirm"),
    # Short: this address is in the List-Unsubscribe header of every newsletter.
    path("u/<str:signed>/", public_views.unsubscribe, name="newsletters_unsubscribe"),
]
