from django.contrib import admin

from ascolto.feedback.models import Invitation, OpenLink, Question, Response, Submission, Survey


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ("name", "workspace", "kind", "active", "created_at")
    list_filter = ("kind", "active")
    inlines = [QuestionInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("survey", "customer", "channel", "state", "sent_at", "answered_at")
    list_filter = ("state", "channel")
    raw_id_fields = ("customer", "survey")
    exclude = ("token_salt", "token_hash")


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ("survey", "customer", "score", "band", "all_good", "submitted_at")
    list_filter = ("band", "all_good")
    raw_id_fields = ("customer", "survey", "invitation", "open_link")


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    """Answers waiting for the worker; one with an `error` could not be stored and is kept."""

    list_display = ("invitation", "submitted_at", "score", "error")
    raw_id_fields = ("invitation",)


admin.site.register(OpenLink)
