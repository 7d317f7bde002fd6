from django.contrib import admin

from ascolto.customers.models import Contract, Customer, LostReason, LostRecord, Segment


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "company", "kind", "status", "segment", "workspace"]
    list_filter = ["workspace", "kind", "status"]
    search_fields = ["name", "company", "email"]
    raw_id_fields = ["workspace", "segment", "account_owner"]
    list_select_related = ["segment", "workspace"]


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["customer", "start_date", "renewal_date", "yearly_value", "auto_renew"]
    list_filter = ["workspace", "auto_renew"]
    raw_id_fields = ["workspace", "customer"]
    list_select_related = ["customer"]


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace"]
    list_filter = ["workspace"]


@admin.register(LostReason)
class LostReasonAdmin(admin.ModelAdmin):
    list_display = ["name_it", "name_en", "code", "active", "workspace"]
    list_filter = ["workspace", "active"]


@admin.register(LostRecord)
class LostRecordAdmin(admin.ModelAdmin):
    list_display = ["customer", "lost_on", "reason", "competitor"]
    list_filter = ["workspace"]
    raw_id_fields = ["workspace", "customer", "recorded_by"]
    list_select_related = ["customer", "reason"]
