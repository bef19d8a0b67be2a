from django.urls import path

from liant.channels import (
    connect_bluesky,
    connect_discord,
    connect_email,
    connect_mastodon,
    connect_matrix,
    connect_oauth,
    connect_telegram,
    connect_whatsapp,
    networks,
    views,
)
from liant.channels.connect_discourse import connect_discourse

urlpatterns = [
    path("", views.channel_list, name="channels"),
    path("connect/feed/", views.connect_feed, name="connect_feed"),
    path("connect/email/", connect_email.connect_email, name="connect_email"),
    path("connect/mastodon/", connect_mastodon.connect_mastodon, name="connect_mastodon"),
    path(
        "connect/mastodon/callback/",
        connect_mastodon.connect_mastodon_callback,
        name="connect_mastodon_callback",
    ),
    path("connect/matrix/", connect_matrix.connect_matrix, name="connect_matrix"),
    path("connect/bluesky/", connect_bluesky.connect_bluesky, name="connect_bluesky"),
    path("networks/", networks.network_status, name="network_status"),
    path("audience/", views.audience, name="channels_audience"),
    path("connect/<slug:kind>/oauth/", connect_oauth.connect_oauth, name="connect_oauth"),
    path(
        "connect/<slug:kind>/oauth/choose/",
        connect_oauth.connect_oauth_choose,
        name="connect_oauth_choose",
    ),
    path("connect/telegram/", connect_telegram.connect_telegram, name="connect_telegram"),
    path("connect/discord/", connect_discord.connect_discord, name="connect_discord"),
    path("connect/discourse/", connect_discourse, name="connect_discourse"),
    path("connect/whatsapp/", connect_whatsapp.connect_whatsapp, name="connect_whatsapp"),
    path("<int:pk>/", views.channel_detail, name="channel_detail"),
    path("<int:pk>/fetch/", views.fetch_now, name="channel_fetch"),
    path("<int:pk>/disconnect/", views.disconnect, name="channel_disconnect"),
]
