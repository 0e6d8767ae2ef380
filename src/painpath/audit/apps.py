from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "painpath.audit"
    label = "audit"
    verbose_name = "Audit trail"
