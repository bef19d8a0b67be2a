from django.urls import path

from liant.webhooks import views

urlpatterns = [
    path("", views.endpoint_list, name="webhooks"),
    path("<int:pk>/", views.endpoint_detail, name="webhook_detail"),
    path("<int:pk>/action/", views.endpoint_action, name="webhook_action"),
    path(
        "<int:pk>/deliveries/<int:delivery_pk>/redeliver/",
        views.redeliver,
        name="webhook_redeliver",
    ),
]
