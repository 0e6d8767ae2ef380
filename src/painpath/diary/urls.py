from django.urls import path

from painpath.diary import views

app_name = "diary"
urlpatterns = [
    path("checkin/", views.checkin, name="checkin"),
]
