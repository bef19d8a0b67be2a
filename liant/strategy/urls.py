from django.urls import path

from liant.strategy import views

urlpatterns = [
    path("", views.strategy_home, name="strategy"),
    path("<str:kind>/add/", views.strategy_add, name="strategy_add"),
    path("<str:kind>/<int:pk>/delete/", views.strategy_delete, name="strategy_delete"),
]
