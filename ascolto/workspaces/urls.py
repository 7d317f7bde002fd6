from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from ascolto.workspaces import twofactor_views, views
from ascolto.workspaces.forms import LoginForm, PasswordResetRequestForm

app_name = "workspaces"

urlpatterns = [
    path(
        "login/",
        views.LoginView.as_view(
            template_name="workspaces/login.html",
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        views.PasswordResetView.as_view(
            template_name="workspaces/password_reset_form.html",
            form_class=PasswordResetRequestForm,
            email_template_name="emails/password_reset_body.txt",
            html_email_template_name="emails/password_reset_body.html",
            subject_template_name="emails/password_reset_subject.txt",
            success_url=reverse_lazy("workspaces:password-reset-done"),
        ),
        name="password-reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="workspaces/password_reset_done.html"
        ),
        name="password-reset-done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="workspaces/password_reset_confirm.html",
            success_url=reverse_lazy("workspaces:password-reset-complete"),
        ),
        name="password-reset-confirm",
    ),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="workspaces/password_reset_complete.html"
        ),
        name="password-reset-complete",
    ),
    path("switch/", views.workspace_switch, name="workspace-switch"),
    path("workspace/", views.workspace_settings, name="workspace-settings"),
    path("workspace/hours/", views.workspace_hours, name="workspace-hours"),
    path("team/", views.member_list, name="member-list"),
    path("team/invite/", views.member_invite, name="member-invite"),
    path("team/<int:pk>/role/", views.member_role, name="member-role"),
    path("team/<int:pk>/remove/", views.member_remove, name="member-remove"),
    path(
        "team/invitations/<int:pk>/revoke/",
        views.member_invitation_revoke,
        name="invitation-revoke",
    ),
    path(
        "team/invitations/<int:pk>/resend/",
        views.member_invitation_resend,
        name="invitation-resend",
    ),
    path("join/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("two-step/", twofactor_views.two_factor_status, name="two-factor"),
    path("two-step/setup/", twofactor_views.two_factor_setup, name="two-factor-setup"),
    path("two-step/code/", twofactor_views.two_factor_verify, name="two-factor-verify"),
    path(
        "two-step/recovery-codes/",
        twofactor_views.two_factor_recovery,
        name="two-factor-recovery",
    ),
    path("two-step/off/", twofactor_views.two_factor_disable, name="two-factor-disable"),
]
