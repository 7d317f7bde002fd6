"""Public voice pages. A URL's `pk` is the entity its name starts with (`review-reply`: a
review; `source-delete`: a source)."""

from django.urls import path

from ascolto.voice import views

app_name = "voice"

urlpatterns = [
    path("reviews/<int:pk>/", views.review_detail, name="review-detail"),
]
