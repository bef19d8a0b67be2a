from django.urls import include, path

from liant.members import views

urlpatterns = [
    path("", views.member_list, name="members"),
    path("", include("liant.members.data_urls")),
]
