from django.urls import path

from liant.newsletters import views

urlpatterns = [
    path("", views.home, name="newsletters"),
    path("settings/", views.settings_edit, name="newsletters_settings"),
    path("lists/new/", views.list_edit, name="newsletters_list_new"),
    path("lists/<int:pk>/", views.list_detail, name="newsletters_list"),
    path("lists/<int:pk>/edit/", views.list_edit, name="newsletters_list_edit"),
    path("lists/<int:pk>/sync/", views.list_sync, name="newsletters_list_sync"),
    path("lists/<int:pk>/import/", views.list_import, name="newsletters_list_import"),
    path("campaigns/new/", views.campaign_edit, name="newsletters_campaign_new"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="newsletters_campaign"),
    path("campaigns/<int:pk>/recipients.csv", views.campaign_csv, name="newsletters_campaign_csv"),
    path(
        "campaigns/<int:pk>/segments.csv",
        views.campaign_segments_csv,
        name="newsletters_campaign_segments_csv",
    ),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="newsletters_campaign_edit"),
    path("campaigns/<int:pk>/preview/", views.campaign_preview, name="newsletters_preview"),
    path("campaigns/<int:pk>/test/", views.campaign_test, name="newsletters_test"),
    path("campaigns/<int:pk>/schedule/", views.campaign_schedule, name="newsletters_schedule"),
    path(
        "campaigns/<int:pk>/unschedule/",
        views.campaign_unschedule,
        name="newsletters_unschedule",
    ),
    path("campaigns/<int:pk>/resume/", views.campaign_resume, name="newsletters_resume"),
]
