from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "painpath.alerts"
    label = "alerts"
    verbose_name = "Alerts"

    def ready(self) -> None:
        from painpath.alerts import receivers  # noqa: F401, PLC0415  (connects the signal)
