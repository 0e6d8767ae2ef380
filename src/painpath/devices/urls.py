from django.urls import path

from painpath.devices import neuro_views, views

app_name = "devices"
NEURO = "patients/<int:patient_id>/neuromodulation/"
urlpatterns = [
    path("me/", views.connect, name="connect"),
    path("me/token/", views.device_token, name="device_token"),
    path("me/tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke_token"),
    path("me/sensations/", views.report_sensation, name="report_sensation"),
    path("patients/<int:patient_id>/imports/", views.imports_rows, name="imports"),
    path("patients/<int:patient_id>/upload/", views.upload, name="upload"),
    path(NEURO, neuro_views.neuromodulation, name="neuromodulation"),
    path(f"{NEURO}devices/", neuro_views.add_device, name="add_device"),
    path(f"{NEURO}devices/<int:device_id>/edit/", neuro_views.edit_device, name="edit_device"),
    path(f"{NEURO}programs/", neuro_views.add_program, name="add_program"),
    path(
        f"{NEURO}devices/<int:device_id>/programs/<int:program_id>/edit/",
        neuro_views.edit_program,
        name="edit_program",
    ),
    path(f"{NEURO}changes/", neuro_views.record_change, name="record_change"),
    path(f"{NEURO}usage/", neuro_views.record_usage, name="record_usage"),
]
