from django.urls import path

from liant.leads import views

urlpatterns = [
    path("", views.board, name="leads"),
    path("list/", views.lead_list, name="leads_list"),
    path("list/export.csv", views.export_csv, name="leads_export"),
    path("new/", views.lead_new, name="leads_new"),
    path("<int:pk>/", views.lead_detail, name="leads_detail"),
    path("<int:pk>/move/", views.move, name="leads_move"),
    path("forms/", views.form_list, name="leads_forms"),
    path("forms/new/", views.form_edit, name="leads_form_new"),
    path("forms/<int:pk>/", views.form_edit, name="leads_form_edit"),
    path("settings/", views.settings_page, name="leads_settings"),
]
