from django.urls import path

from liant.analytics import agency, csv_views, module_views, report_views, roi_views, views

urlpatterns = [
    path("", views.overview, name="analytics"),
    path("modules/<slug:module>/", module_views.module_dashboard, name="analytics_module"),
    path("workspaces/", agency.agency, name="analytics_agency"),
    path("export.csv", csv_views.overview_csv, name="analytics_csv"),
    path("reports/<int:pk>/figures.csv", csv_views.report_figures_csv, name="analytics_report_csv"),
    path("reports/<int:pk>/bundle.zip", csv_views.report_bundle, name="analytics_report_bundle"),
    path("roi/", roi_views.roi_page, name="analytics_roi"),
    path("roi/values/", roi_views.values_edit, name="analytics_roi_values"),
    path("roi/costs/new/", roi_views.cost_new, name="analytics_roi_cost_new"),
    path("roi/costs/<int:pk>/", roi_views.cost_edit, name="analytics_roi_cost_edit"),
    path("roi/costs/<int:pk>/delete/", roi_views.cost_delete, name="analytics_roi_cost_delete"),
    path("roi/sales/new/", roi_views.sale_new, name="analytics_roi_sale_new"),
    path("roi/sales/<int:pk>/", roi_views.sale_edit, name="analytics_roi_sale_edit"),
    path("roi/sales/<int:pk>/delete/", roi_views.sale_delete, name="analytics_roi_sale_delete"),
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
