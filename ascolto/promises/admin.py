from django.contrib import admin

from ascolto.promises.models import Crisis, CrisisStep, Promise, PromiseCheck


@admin.register(Promise)
class PromiseAdmin(admin.ModelAdmin):
    list_display = ["name_it", "touchpoint", "target_type", "limit", "unit", "active", "workspace"]
    list_filter = ["workspace", "active", "target_type", "kind", "dimension"]
    raw_id_fields = ["workspace", "touchpoint", "segment", "question"]
    list_select_related = ["touchpoint", "workspace"]


@admin.register(PromiseCheck)
class PromiseCheckAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "promise", "customer", "outcome", "measured", "manual"]
    list_filter = ["workspace", "outcome", "manual"]
    raw_id_fields = ["workspace", "promise", "interaction", "customer", "set_by"]
    list_select_related = ["promise", "customer"]
    date_hierarchy = "occurred_at"


class CrisisStepInline(admin.TabularInline):
    model = CrisisStep
    raw_id_fields = ["done_by"]
    extra = 0


@admin.register(Crisis)
class CrisisAdmin(admin.ModelAdmin):
    list_display = ["opened_at", "promise", "customer", "closed_at", "withdrawn"]
    list_filter = ["workspace", "withdrawn"]
    raw_id_fields = ["workspace", "customer", "promise", "promise_check", "closed_by"]
    list_select_related = ["promise", "customer"]
    inlines = [CrisisStepInline]
