from django.contrib import admin

from ascolto.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "workspace", "recipient", "kind", "state", "created_at", "read_at")
    list_filter = ("kind", "state")
