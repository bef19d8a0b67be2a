from django.urls import path

from liant.listening import views

urlpatterns = [
    path("", views.query_list, name="listening"),
    path("queries/new/", views.query_edit, name="query_new"),
    path("queries/<int:pk>/", views.query_edit, name="query_edit"),
    path("queries/<int:pk>/delete/", views.query_delete, name="query_delete"),
    path("tester/", views.tester, name="query_tester"),
]
