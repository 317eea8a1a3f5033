from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "peixun.demo"
    label = "demo"
    verbose_name = "Demo tenant"
