from django.urls import path

from painpath.assessments import views

app_name = "assessments"
urlpatterns = [
    path("", views.my_questionnaires, name="mine"),
    path("answer/<str:instrument_id>/", views.answer, name="answer"),
    path("responses/<int:response_id>/support/", views.support, name="support"),
    path("due/", views.clinic_due, name="due"),
    path("patients/<int:patient_id>/schedule/", views.schedule, name="schedule"),
    path("flags/<int:flag_id>/review/", views.review_flag, name="review_flag"),
]
