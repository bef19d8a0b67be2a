from django.urls import path

from liant.feedback import views

urlpatterns = [
    path("", views.verbatim_list, name="feedback"),
    path("verbatims/<int:pk>/", views.verbatim_detail, name="feedback_verbatim"),
    path("verbatims/<int:pk>/delete/", views.verbatim_delete, name="feedback_verbatim_delete"),
    path("keep/message/<int:pk>/", views.keep_message, name="feedback_keep_message"),
    path("keep/mention/<int:pk>/", views.keep_mention, name="feedback_keep_mention"),
    path("themes/", views.theme_list, name="feedback_themes"),
    path("collections/", views.collection_list, name="feedback_collections"),
    path("collections/<int:pk>/", views.collection_detail, name="feedback_collection"),
    path("collections/<int:pk>/export.csv", views.collection_csv, name="feedback_collection_csv"),
    path("ideas/", views.idea_list, name="feedback_ideas"),
    path("ideas/export.csv", views.idea_list_csv, name="feedback_ideas_csv"),
    path("ideas/new/", views.idea_new, name="feedback_idea_new"),
    path("ideas/from/message/<int:pk>/", views.idea_from_message, name="feedback_idea_message"),
    path("ideas/from/mention/<int:pk>/", views.idea_from_mention, name="feedback_idea_mention"),
    path("ideas/<int:pk>/", views.idea_detail, name="feedback_idea"),
    path("ideas/<int:pk>/status/", views.idea_status, name="feedback_idea_status"),
    path("ideas/<int:pk>/merge/", views.idea_merge, name="feedback_idea_merge"),
    path("notices/<int:pk>/retry/", views.notice_retry, name="feedback_notice_retry"),
    path("departments/", views.department_list, name="feedback_departments"),
    path("departments/<int:pk>/", views.department_detail, name="feedback_department"),
    path("notebook/", views.notebook, name="feedback_notebook"),
    path("notebook/<int:pk>/", views.notebook_edit, name="feedback_note"),
    path("notebook/<int:pk>/delete/", views.notebook_delete, name="feedback_note_delete"),
    path("notebook/<int:pk>/to-idea-box/", views.notebook_to_idea, name="feedback_note_to_idea"),
]
