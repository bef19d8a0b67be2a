from django.urls import include, path

from liant.members import views

urlpatterns = [
    path("", views.member_list, name="members"),
    path("export.csv", views.member_csv, name="members_csv"),
    path("<int:pk>/", views.member_detail, name="member_detail"),
    path("to-do/", views.todo, name="members_todo"),
    path("to-do/<int:pk>/close/", views.task_close, name="members_task_close"),
    path("merges/", views.merge_list, name="members_merges"),
    path("merges/merge/", views.merge_do, name="members_merge"),
    path("merges/<int:pk>/dismiss/", views.merge_dismiss, name="members_merge_dismiss"),
    path("merges/<int:pk>/undo/", views.merge_undo, name="members_merge_undo"),
    path("engagement/", views.engagement_settings, name="members_engagement"),
    path("segments/", views.segment_list, name="members_segments"),
    path("segments/new/", views.segment_edit, name="members_segment_new"),
    path("segments/<int:pk>/", views.segment_edit, name="members_segment_edit"),
    path("segments/<int:pk>/delete/", views.segment_delete, name="members_segment_delete"),
    path("graph/", views.member_graph, name="members_graph"),
    path("", include("liant.members.data_urls")),
]
