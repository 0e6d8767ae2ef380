from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "painpath.patients"
    label = "patients"
    verbose_name = "Patients"
