from django.urls import path

from liant.connectors.instagram import staging

urlpatterns = [
    path("<str:token>/", staging.staged_media, name="instagram_staged_media"),
]
