from django.apps import AppConfig


class IotaConfig(AppConfig):
    name = "iota"
    verbose_name = "IOTA"
