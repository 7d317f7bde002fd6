from django.contrib import admin

from ascolto.workspaces.models import MemberInvitation, Membership, Workspace


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["name", "language", "time_zone", "currency", "created_at"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "workspace", "role", "created_at"]
    list_filter = ["role", "workspace"]
    raw_id_fields = ["user", "workspace"]


@admin.register(MemberInvitation)
class MemberInvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "workspace", "role", "created_at", "expires_at", "accepted_at"]
    list_filter = ["workspace"]
    exclude = ["token_hash"]
    readonly_fields = [
        "workspace",
        "email",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
    ]
