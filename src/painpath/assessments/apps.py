from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "painpath.assessments"
    label = "assessments"
    verbose_name = "Questionnaires"
