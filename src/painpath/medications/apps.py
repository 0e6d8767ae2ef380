from django.apps import AppConfig


class MedicationsConfig(AppConfig):
    name = "painpath.medications"
    label = "medications"
    verbose_name = "Medications"
