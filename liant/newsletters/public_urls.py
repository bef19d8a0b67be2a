from django.urls import path

from liant.newsletters import public_views

urlpatterns = [
    path("join/<str:token>/", public_views.signup, name="newsletters_signup"),
    path("confirm/<str:signed>/", public_views.confirm, name="newsletters_confirm"),
    # Short: this address is in the List-Unsubscribe header of every newsletter.
    path("u/<str:signed>/", public_views.unsubscribe, name="newsletters_unsubscribe"),
    # Only for campaigns whose author switched on opens and clicks (off by default).
    path("o/<str:token>/", public_views.tracked_open, name="newsletters_open"),
    path("c/<str:token>/<int:n>/", public_views.tracked_click, name="newsletters_click"),
]
