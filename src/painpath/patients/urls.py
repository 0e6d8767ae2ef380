from django.urls import path

from painpath.patients import views

app_name = "patients"
urlpatterns = [
    path("", views.patient_list, name="list"),
    path("new/", views.patient_create, name="create"),
    path("me/", views.my_record, name="me"),
    path("<int:patient_id>/", views.patient_detail, name="detail"),
    path("<int:patient_id>/edit/", views.patient_edit, name="edit"),
    path("<int:patient_id>/conditions/", views.condition_add, name="condition_add"),
    path("<int:patient_id>/invite/", views.patient_invite, name="invite"),
    path(
        "<int:patient_id>/conditions/<int:condition_id>/status/",
        views.condition_status,
        name="condition_status",
    ),
]
