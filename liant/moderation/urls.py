from django.urls import path

from liant.moderation import views

urlpatterns = [
    path("", views.review_queue, name="moderation"),
    path("items/<int:pk>/decide/", views.decide, name="moderation_decide"),
    path("decisions/<int:pk>/undo/", views.undo, name="moderation_undo"),
    path("log/", views.action_log, name="moderation_log"),
    path("log/export.csv", views.action_log_csv, name="moderation_log_csv"),
    path("appeals/<int:pk>/decide/", views.appeal_decide, name="moderation_appeal_decide"),
    path("report/", views.report_page, name="moderation_report"),
    path("sanctions/", views.sanctions, name="moderation_sanctions"),
    path("sanctions/<int:pk>/lift/", views.sanction_lift, name="moderation_sanction_lift"),
    path("rules/", views.rule_list, name="moderation_rules"),
    path("rules/new/", views.rule_edit, name="moderation_rule_new"),
    path("rules/<int:pk>/", views.rule_edit, name="moderation_rule_edit"),
    path("rules/<int:pk>/switch/", views.rule_toggle, name="moderation_rule_toggle"),
    path("rules/<int:pk>/dry-run/", views.rule_dry_run, name="moderation_rule_dry_run"),
    path("charter/", views.charter_edit, name="moderation_charter"),
    path("members/<int:pk>/charter/", views.member_charter, name="moderation_member_charter"),
]
