from django.urls import path

from liant.space import access_views, pinning, revisions, theme, views

urlpatterns = [
    path("", views.home, name="space"),
    path("categories/new/", views.category_new, name="space_category_new"),
    path("categories/<int:pk>/", views.category_edit, name="space_category_edit"),
    path("categories/<int:pk>/move/", views.category_move, name="space_category_move"),
    path("categories/<int:pk>/delete/", views.category_delete, name="space_category_delete"),
    path("accounts/", views.account_list, name="space_accounts"),
    path("announcements/new/", views.announcement_new, name="space_announcement_new"),
    path("topics/<int:pk>/flag/", views.topic_flag, name="space_topic_flag"),
    path("access/", access_views.access, name="space_access"),
    path("categories/<int:pk>/group/add/", access_views.group_add, name="space_group_add"),
    path("categories/<int:pk>/group/remove/", access_views.group_remove, name="space_group_remove"),
    path("theme/", theme.theme_update, name="space_theme"),
    path("topics/", pinning.topic_list, name="space_topics"),
    path("topics/<int:pk>/pin/", pinning.topic_pin, name="space_topic_pin"),
    path("topics/<int:pk>/revisions/", revisions.topic_revisions, name="space_topic_revisions"),
]
