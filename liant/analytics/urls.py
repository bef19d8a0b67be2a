from django.urls import path

from liant.analytics import views

urlpatterns = [
    path("", views.overview, name="analytics"),
    path("objectives/<int:pk>/measure/", views.link_kpi, name="analytics_link_kpi"),
]
