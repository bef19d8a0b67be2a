from django.urls import path

from liant.publishing import (
    approval,
    calendar_views,
    import_views,
    queue_views,
    shortlink_views,
    views,
)

urlpatterns = [
    path("", views.post_list, name="posts"),
    path("export.csv", views.post_csv, name="posts_csv"),
    path("new/", views.post_new, name="post_new"),
    path("calendar/", calendar_views.calendar_page, name="calendar"),
    path("calendar/feed/rotate/", calendar_views.feed_rotate, name="calendar_feed_rotate"),
    path("<int:pk>/reschedule/", calendar_views.post_reschedule, name="post_reschedule"),
    path("queue/", queue_views.queue_page, name="queue"),
    path("best-time/", queue_views.best_time, name="best_time"),
    path("queue/<int:channel_pk>/", queue_views.queue_slots, name="queue_slots"),
    path("<int:pk>/queue/", queue_views.post_queue, name="post_queue"),
    path("<int:pk>/approval-link/", approval.create_link, name="approval_link_create"),
    path("approval-links/<int:pk>/revoke/", approval.revoke_link, name="approval_link_revoke"),
    path("<int:pk>/comment/", approval.add_comment, name="post_comment"),
    path("import/", import_views.import_page, name="posts_import"),
    path("curation/", import_views.curation_page, name="curation"),
    path("curation/<int:event_pk>/", import_views.curate, name="curate"),
    path("settings/", views.publishing_settings, name="publishing_settings"),
    path("links/", shortlink_views.short_links, name="short_links"),
    path("check/<int:channel_pk>/", views.check_text, name="post_check"),
    path("preview/<int:channel_pk>/", views.post_preview, name="post_preview"),
    path("<int:pk>/", views.post_detail, name="post_detail"),
    path("<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("<int:pk>/move/", views.post_move, name="post_move"),
    path("variants/<int:pk>/<str:action>/", views.variant_action, name="variant_action"),
]
