from django.apps import AppConfig


class DiaryConfig(AppConfig):
    name = "painpath.diary"
    label = "diary"
    verbose_name = "Daily check-in"
