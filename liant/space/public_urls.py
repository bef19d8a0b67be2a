"""Public pages of a workspace's community space (no Liant sign-in; see accounts.py)."""

from django.urls import path

from liant.space import animation_views as animation
from liant.space import avatars, edit_views, seo, theme
from liant.space import people_views as people
from liant.space import public_views as views
from liant.space.feeds import space_feed

urlpatterns = [
    path("", views.home, name="space_home"),
    path("c/<int:pk>/", views.category, name="space_category"),
    path("c/<int:pk>/new/", views.new_topic, name="space_new_topic"),
    path("t/<int:pk>/", views.topic, name="space_topic"),
    path("t/<int:pk>/reply/", views.reply, name="space_reply"),
    path("p/<int:pk>/report/", views.report, name="space_report"),
    path("p/<int:pk>/edit/", edit_views.edit_post, name="space_edit_post"),
    path("join/", views.join, name="space_join"),
    path("signin/", views.signin, name="space_signin"),
    path("signin/<str:token>/", views.link, name="space_link"),
    path("signout/", views.signout, name="space_signout"),
    path("u/<int:pk>/", people.profile, name="space_profile"),
    path("u/<int:pk>/avatar/", avatars.serve, name="space_avatar"),
    path("me/", people.edit_profile, name="space_edit_profile"),
    path("p/<int:pk>/react/", people.react, name="space_react"),
    path("t/<int:pk>/follow/", people.follow_topic, name="space_follow_topic"),
    path("c/<int:pk>/follow/", people.follow_category, name="space_follow_category"),
    path("notifications/", people.notification_list, name="space_notifications"),
    path("unsubscribe/<str:token>/", people.unsubscribe, name="space_unsubscribe"),
    path("search/", people.search, name="space_search"),
    path("t/<int:pk>/after/<int:after>/", views.topic_updates, name="space_topic_updates"),
    path("animation/", animation.animation, name="space_animation"),
    path("animation/poll/<int:pk>/vote/", animation.poll_vote, name="space_poll_vote"),
    path("animation/quiz/<int:pk>/answer/", animation.quiz_answer, name="space_quiz_answer"),
    path("animation/contest/<int:pk>/enter/", animation.contest_enter, name="space_contest_enter"),
    path("animation/event/<int:pk>/rsvp/", animation.event_rsvp, name="space_event_rsvp"),
    path("animation/ideas/new/", animation.idea_new, name="space_idea_new"),
    path("animation/idea/<int:pk>/vote/", animation.idea_vote, name="space_idea_vote"),
    path("contact/", views.contact, name="space_contact"),
    path("logo/", theme.logo, name="space_logo"),
    path("feed/", space_feed, name="space_feed"),
    path("c/<int:pk>/feed/", space_feed, name="space_category_feed"),
    path("sitemap.xml", seo.sitemap, name="space_sitemap"),
    path("robots.txt", seo.robots, name="space_robots"),
]
