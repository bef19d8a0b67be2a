from django.urls import path

from liant.listening import views

urlpatterns = [
    path("", views.dashboard, name="listening"),
    path("queries/", views.query_list, name="listening_queries"),
    path("queries/new/", views.query_edit, name="query_new"),
    path("queries/<int:pk>/", views.query_edit, name="query_edit"),
    path("queries/<int:pk>/delete/", views.query_delete, name="query_delete"),
    path("queries/<int:pk>/exclude/", views.query_exclude, name="query_exclude"),
    path("tester/", views.tester, name="query_tester"),
    path("mentions/", views.mention_list, name="listening_mentions"),
    path("mentions/export.csv", views.mention_csv, name="listening_mentions_csv"),
    path("mentions/bulk/", views.mention_bulk, name="listening_mention_bulk"),
    path("alerts/", views.alert_list, name="listening_alerts"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="listening_alert_ack"),
    path("settings/", views.listening_settings, name="listening_settings"),
]
