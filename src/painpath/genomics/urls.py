from django.urls import path

from painpath.genomics import views

app_name = "genomics"
urlpatterns = [
    path("patients/<int:patient_id>/results/", views.enter_results, name="enter"),
    path("patients/<int:patient_id>/report/", views.report, name="report"),
    path("patients/<int:patient_id>/imports/", views.imports_rows, name="imports"),
]
