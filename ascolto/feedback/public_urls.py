from django.urls import path

from ascolto.feedback import public_views, unsubscribe

app_name = "survey"

urlpatterns = [
    path("o/<str:token>/", public_views.survey_open, name="open"),
    path("<str:token>/", public_views.survey_answer, name="answer"),
    path("<str:token>/thanks/", public_views.survey_thanks, name="thanks"),
    path("<str:token>/unsubscribe/", unsubscribe.survey_unsubscribe, name="unsubscribe"),
]
