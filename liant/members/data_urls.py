"""GDPR export and erasure, and the CSV import (liant/members/data_views.py)."""

from django.urls import path  # noqa: F401 - the routes land with the data views

urlpatterns: list = []
