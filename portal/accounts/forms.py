"""The login forms of the site and of the admin, with failed logins throttled (throttling.py)."""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from portal.accounts.throttling import LoginThrottled, login_check, login_failed, login_succeeded


class ThrottledLogin:
    """Mixed into Django's login forms. `throttled` holds the refusal's message for the template."""

    throttled = ""

    def clean(self):
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if username is None or not password:
            return super().clean()  # a missing field: Django's own error, no login attempted
        try:
            login_check(request=self.request, username=username)
        except LoginThrottled as refused:
            self.throttled = str(refused)
            raise forms.ValidationError(self.throttled, code="throttled") from None
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            login_failed(request=self.request, username=username)
            raise
        login_succeeded(request=self.request, username=username)
        return cleaned


class LoginForm(ThrottledLogin, AuthenticationForm):
    pass


class AdminLoginForm(ThrottledLogin, AdminAuthenticationForm):
    pass
