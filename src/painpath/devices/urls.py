from django.urls import path

from painpath.devices import views

app_name = "devices"
urlpatterns = [
    path("me/", views.connect, name="connect"),
    path("me/token/", views.device_token, name="device_token"),
    path("patients/<int:patient_id>/imports/", views.imports, name="imports"),
    path("patients/<int:patient_id>/upload/", views.upload, name="upload"),
    path(
        "patients/<int:patient_id>/neuromodulation/",
        views.neuromodulation,
        name="neuromodulation",
    ),
]
