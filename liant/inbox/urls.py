from django.urls import path

from liant.inbox import settings_views, views

urlpatterns = [
    path("", views.queue, name="inbox"),
    path("export.csv", views.queue_csv, name="inbox_csv"),
    path("<int:pk>/", views.conversation, name="conversation"),
    path("<int:pk>/update/", views.update, name="conversation_update"),
    path("<int:pk>/note/", views.add_note, name="conversation_note"),
    path("<int:pk>/reply/", views.reply, name="conversation_reply"),
    path("<int:pk>/presence/", views.presence, name="conversation_presence"),
    path("<int:pk>/saved-reply/", views.saved_reply_preview, name="saved_reply_preview"),
    path("messages/<int:pk>/retry/", views.retry_message, name="message_retry"),
    path("bulk/", views.bulk_action, name="inbox_bulk"),
    path("bulk/<int:pk>/undo/", views.bulk_undo, name="inbox_bulk_undo"),
    path("notifications/", views.notifications, name="inbox_notifications"),
    path("replies/", settings_views.saved_replies, name="saved_replies"),
    path("replies/new/", settings_views.saved_reply_edit, name="saved_reply_new"),
    path("replies/<int:pk>/", settings_views.saved_reply_edit, name="saved_reply_edit"),
    path("rules/", settings_views.rules, name="routing_rules"),
    path("rules/new/", settings_views.rule_edit, name="routing_rule_new"),
    path("rules/<int:pk>/", settings_views.rule_edit, name="routing_rule_edit"),
    path("rules/test/", settings_views.rule_test, name="routing_rule_test"),
    path("departments/", settings_views.departments, name="departments"),
    path("departments/new/", settings_views.department_edit, name="department_new"),
    path("departments/<int:pk>/", settings_views.department_edit, name="department_edit"),
    path("sla/", settings_views.sla_policy, name="sla_policy"),
]
