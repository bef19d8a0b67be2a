from django.urls import path

from liant.analytics import agency, module_views, report_views, views

urlpatterns = [
    path("", views.overview, name="analytics"),
    path("modules/<slug:module>/", module_views.module_dashboard, name="analytics_module"),
    path("workspaces/", agency.agency, name="analytics_agency"),
    path("objectives/<int:pk>/measure/", views.link_kpi, name="analytics_link_kpi"),
    path("reports/", report_views.report_list, name="analytics_reports"),
    path("reports/new/", report_views.report_new, name="analytics_report_new"),
    path("reports/<int:pk>/", report_views.report_page, name="analytics_report"),
    path("reports/<int:pk>/edit/", report_views.report_edit, name="analytics_report_edit"),
    path("reports/<int:pk>/pdf/", report_views.report_pdf, name="analytics_report_pdf"),
    path("reports/<int:pk>/delete/", report_views.report_delete, name="analytics_report_delete"),
    path(
        "reports/<int:pk>/sections/<int:section>/commentary/",
        report_views.report_commentary,
        name="analytics_report_commentary",
    ),
    path("reports/<int:pk>/use/", report_views.template_use, name="analytics_template_use"),
    path("schedules/new/", report_views.schedule_new, name="analytics_schedule_new"),
    path("schedules/<int:pk>/", report_views.schedule_edit, name="analytics_schedule_edit"),
    path(
        "schedules/<int:pk>/delete/",
        report_views.schedule_delete,
        name="analytics_schedule_delete",
    ),
]
