from django.contrib import admin
from django.urls import include, path, re_path

from liant.channels import connect_oauth
from liant.channels import webhooks as channel_webhooks
from liant.moderation import views as moderation_views
from liant.publishing.approval import approval_media, approval_page
from liant.publishing.calendar_views import calendar_feed
from liant.publishing.shortlink_views import follow as follow_short_link

# Module apps add their workspace URLs under /w/<ws>/<module>/ in their own urls.py.
urlpatterns = [
    path("operator/", admin.site.urls),
    path("w/<slug:ws>/channels/", include("liant.channels.urls")),
    # Outside /w/: each network sends its sign-ins back to, and pushes its events to, one
    # address per Liant (registered once with the network's application).
    path(
        "connect/oauth/<slug:kind>/callback/",
        connect_oauth.connect_oauth_callback,
        name="connect_oauth_callback",
    ),
    path("hooks/<slug:kind>/", channel_webhooks.receive, name="network_webhook"),
    path("m/instagram/", include("liant.connectors.instagram.urls")),  # signed, for Instagram
    path("w/<slug:ws>/inbox/", include("liant.inbox.urls")),
    path("w/<slug:ws>/listening/", include("liant.listening.urls")),
    path("w/<slug:ws>/publishing/", include("liant.publishing.urls")),
    path("w/<slug:ws>/moderation/", include("liant.moderation.urls")),
    # Public: the charter members agree to (not a workspace page, hence not "ws").
    path("charter/<slug:slug>/", moderation_views.public_charter, name="public_charter"),
    path("moderation/", include("liant.moderation.public_urls")),  # signed links: accept, appeal
    path("w/<slug:ws>/strategy/", include("liant.strategy.urls")),
    path("w/<slug:ws>/members/", include("liant.members.urls")),
    path("w/<slug:ws>/feedback/", include("liant.feedback.urls")),
    path("w/<slug:ws>/animation/", include("liant.animation.urls")),
    path("w/<slug:ws>/analytics/", include("liant.analytics.urls")),
    path("w/<slug:ws>/media/", include("liant.media.urls")),
    path("w/<slug:ws>/webhooks/", include("liant.webhooks.urls")),
    # Public: contest draws, event RSVPs and polls, each behind its own random token.
    path("animation/", include("liant.animation.public_urls")),
    path("w/<slug:ws>/newsletters/", include("liant.newsletters.urls")),
    # Public: sign-up, confirmation and one-click unsubscribe, each behind a signed token.
    path("newsletters/", include("liant.newsletters.public_urls")),
    path("w/<slug:ws>/space/", include("liant.space.urls")),
    # Public: the community space of a workspace, under the workspace's own slug.
    path("space/<slug:slug>/", include("liant.space.public_urls")),
    path("w/<slug:ws>/leads/", include("liant.leads.urls")),
    # Public: capture forms, posted to from other sites (no CSRF: see leads/public_views.py).
    path("forms/", include("liant.leads.public_urls")),
    # Outside /w/: a calendar application has no session; the signed address is the key.
    path(
        "publishing/feed/<str:signed>/calendar.ics",
        calendar_feed,
        name="calendar_feed",
    ),
    path("publishing/approve/<str:signed>/", approval_page, name="approval_page"),
    path(
        "publishing/approve/<str:signed>/media/<int:pk>",
        approval_media,
        name="approval_media",
    ),
    # Public and short on purpose: published posts link here (see liant/publishing/shortener.py).
    re_path(r"^s/(?P<code>[A-Za-z0-9]{1,16})$", follow_short_link, name="short_link"),
    # The REST API (/api/v1/) and its docs (/api/docs); tokens are made in the settings.
    path("api/", include("liant.api.urls")),
    path("w/<slug:ws>/settings/api-tokens/", include("liant.api.token_urls")),
    path("", include("liant.core.urls")),
]
