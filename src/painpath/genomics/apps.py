from django.apps import AppConfig


class GenomicsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "painpath.genomics"
    verbose_name = "Pharmacogenomics"
