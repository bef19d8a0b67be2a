from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "liant.demo"
    label = "demo"
