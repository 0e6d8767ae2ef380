from django.urls import path

from painpath.medications import views

app_name = "medications"
urlpatterns = [
    path("patients/<int:patient_id>/", views.prescriptions, name="prescriptions"),
    path("patients/<int:patient_id>/<int:prescription_id>/stop/", views.stop, name="stop"),
    path("patients/<int:patient_id>/events/", views.record_event, name="event"),
    path("patients/<int:patient_id>/doses/", views.record_doses, name="doses"),
]
