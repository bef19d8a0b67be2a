from django.urls import path

from liant.api.api import api, docs

urlpatterns = [
    path("v1/", api.urls),
    path("docs", docs, name="api_docs"),
]
