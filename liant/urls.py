from django.contrib import admin
from django.urls import include, path

from liant.moderation import views as moderation_views

# Module apps add their workspace URLs under /w/<ws>/<module>/ in their own urls.py.
urlpatterns = [
    path("operator/", admin.site.urls),
    path("w/<slug:ws>/channels/", include("liant.channels.urls")),
    path("w/<slug:ws>/inbox/", include("liant.inbox.urls")),
    path("w/<slug:ws>/listening/", include("liant.listening.urls")),
    path("w/<slug:ws>/publishing/", include("liant.publishing.urls")),
    path("w/<slug:ws>/moderation/", include("liant.moderation.urls")),
    # Public: the charter members agree to (not a workspace page, hence not "ws").
    path("charter/<slug:slug>/", moderation_views.public_charter, name="public_charter"),
    path("", include("liant.core.urls")),
]
