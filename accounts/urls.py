from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views
from .login_throttle import ThrottledAuthenticationForm
from .password_reset import ThrottledPasswordResetForm

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("setup", views.setup, name="setup"),
    path("signup", views.signup, name="signup"),
    path(
        "login",
        auth_views.LoginView.as_view(template_name="accounts/login.html", form_class=ThrottledAuthenticationForm),
        name="login",
    ),
    path("logout", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "account/password",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/form_page.html",
            success_url=reverse_lazy("accounts:password-changed"),
            extra_context={"title": "Change your password", "submit": "Change password"},
        ),
        name="password-change",
    ),
    path(
        "account/password/changed",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/message.html",
            extra_context={"title": "Password changed", "message": "Your password has been changed."},
        ),
        name="password-changed",
    ),
    path(
        "account/reset",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/form_page.html",
            form_class=ThrottledPasswordResetForm,
            email_template_name="accounts/password_reset_email.txt",
            subject_template_name="accounts/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password-reset-sent"),
            extra_context={"title": "Reset your password", "submit": "Email me a link"},
        ),
        name="password-reset",
    ),
    path(
        "account/reset/sent",
        auth_views.PasswordResetDoneView.as_view(
            template_name="accounts/message.html",
            extra_context={
                "title": "Check your inbox",
                "message": "If an account has that address, a link to reset its password is on its way.",
            },
        ),
        name="password-reset-sent",
    ),
    path(
        "account/reset/<uidb64>/<token>",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/form_page.html",
            success_url=reverse_lazy("accounts:password-reset-done"),
            extra_context={"title": "Choose a new password", "submit": "Set password"},
        ),
        name="password-reset-confirm",
    ),
    path(
        "account/reset/done",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/message.html",
            extra_context={"title": "Password set", "message": "Your new password is set. You can log in."},
        ),
        name="password-reset-done",
    ),
    path("organizations/<str:organization_id>/switch", views.switch_organization, name="switch-organization"),
]
