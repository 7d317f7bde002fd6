from django.urls import path

from ascolto.textanalysis import views

app_name = "textanalysis"

urlpatterns = [
    path("", views.comment_list, name="comment-list"),
    path("<int:pk>/correct/", views.analysis_correct, name="analysis-correct"),
]
