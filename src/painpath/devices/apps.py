from django.apps import AppConfig


class DevicesConfig(AppConfig):
    name = "painpath.devices"
    label = "devices"
    verbose_name = "Devices and remote monitoring"
