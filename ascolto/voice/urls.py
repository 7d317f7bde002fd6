"""Public voice pages. A URL's `pk` is the entity its name starts with (`review-reply`: a
review; `source-delete`: a source; `reply-template-edit`: a reply template)."""

from django.urls import path

from ascolto.voice import views

app_name = "voice"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("reviews/", views.review_list, name="review-list"),
    path("reviews/<int:pk>/", views.review_detail, name="review-detail"),
    path("reviews/<int:pk>/reply/", views.review_reply, name="review-reply"),
    path("reviews/<int:pk>/match/", views.review_match, name="review-match"),
    path("templates/", views.reply_template_list, name="reply-template-list"),
    path("templates/<int:pk>/", views.reply_template_edit, name="reply-template-edit"),
    path("sources/", views.source_list, name="source-list"),
    path("sources/<int:pk>/import/", views.source_import, name="source-import"),
    path("sources/<int:pk>/token-revoke/", views.source_token_revoke, name="source-token-revoke"),
    path("sources/<int:pk>/delete/", views.source_delete, name="source-delete"),
    path("inbound/", views.inbound, name="inbound"),
]
