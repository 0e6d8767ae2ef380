from django.urls import path

from painpath.alerts import views

app_name = "alerts"
urlpatterns = [
    path("", views.alert_list, name="list"),
    path("triage/", views.triage, name="triage"),
    path("<int:alert_id>/", views.alert_detail, name="detail"),
    path(
        "<int:alert_id>/<str:action>/",
        views.alert_action,
        name="action",
    ),
]
