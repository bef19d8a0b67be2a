from django.contrib.auth import views as auth_views
from django.urls import include, path

from liant.core import account_views, views, workspace_views
from liant.core.forms import LoginForm

account = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        account_views.ResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("", account_views.profile, name="profile"),
    path("password/", account_views.password_change, name="password_change"),
    path("2fa/", account_views.two_factor_setup, name="two_factor_setup"),
    path("2fa/verify/", account_views.two_factor_verify, name="two_factor_verify"),
    path("2fa/disable/", account_views.two_factor_disable, name="two_factor_disable"),
]

workspace = [
    path("", views.dashboard, name="dashboard"),
    path("m/<slug:module>/", views.module_placeholder, name="module_placeholder"),
    path("team/", views.team, name="team"),
    path("team/<int:pk>/role/", views.change_role, name="change_role"),
    path("team/<int:pk>/remove/", views.remove_member, name="remove_member"),
    path("invitations/<int:pk>/revoke/", views.revoke_invitation, name="revoke_invitation"),
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/export.csv", views.audit_log_csv, name="audit_log_csv"),
    path("status/", views.status, name="status"),
    path("settings/", workspace_views.workspace_settings, name="workspace_settings"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("account/", include(account)),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("invitations/<str:token>/", account_views.accept_invitation, name="accept_invitation"),
    path("workspaces/new/", workspace_views.new_workspace, name="new_workspace"),
    path("w/<slug:ws>/", include(workspace)),
]
