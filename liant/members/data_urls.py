"""GDPR export and erasure, and the CSV import (liant/members/data_views.py)."""

from django.urls import path

from liant.members import data_views

urlpatterns = [
    path("<int:pk>/data/", data_views.member_export, name="member_export"),
    path("<int:pk>/data.json", data_views.member_export_json, name="member_export_json"),
    path("<int:pk>/erase/", data_views.member_erase, name="member_erase"),
    path("import/", data_views.members_import, name="members_import"),
]
