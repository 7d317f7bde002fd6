from django.contrib import admin

from ascolto.interactions.models import Interaction, StaffSignal, Touchpoint


@admin.register(Touchpoint)
class TouchpointAdmin(admin.ModelAdmin):
    list_display = ["name_it", "name_en", "code", "is_negative", "active", "workspace"]
    list_filter = ["workspace", "active", "is_negative"]


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "customer", "touchpoint", "channel"]
    list_filter = ["workspace", "channel"]
    raw_id_fields = ["workspace", "customer", "touchpoint", "member"]
    list_select_related = ["customer", "touchpoint"]
    date_hierarchy = "occurred_at"


@admin.register(StaffSignal)
class StaffSignalAdmin(admin.ModelAdmin):
    list_display = ["created_at", "customer", "polarity", "text"]
    list_filter = ["workspace", "polarity"]
    raw_id_fields = ["workspace", "customer", "member"]
    list_select_related = ["customer"]
