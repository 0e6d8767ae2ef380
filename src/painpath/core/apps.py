from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "painpath.core"
    label = "core"
    verbose_name = "painpath"
