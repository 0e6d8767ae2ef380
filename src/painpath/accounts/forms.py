"""Password forms: a new password ends the API tokens unless the user keeps them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy

from painpath.accounts import tokens as token_service
from painpath.accounts.models import User

__all__ = ["PasswordChangeForm", "SetPasswordForm"]


def _keep_field() -> forms.BooleanField:
    return forms.BooleanField(
        required=False,
        label=gettext_lazy("Keep my API and device tokens working"),
        help_text=gettext_lazy(
            "Leave this unticked if someone else may have known your password: every token "
            "then stops working and integrations need a new one."
        ),
    )


def _after_new_password(form: forms.Form, user: User) -> None:
    if not form.cleaned_data.get("keep_api_tokens"):
        token_service.revoke_all_tokens(user=user)


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    keep_api_tokens = _keep_field()

    def save(self, commit: bool = True) -> Any:
        user = super().save(commit=commit)
        _after_new_password(self, user)
        return user


class SetPasswordForm(auth_forms.SetPasswordForm):  # type: ignore[type-arg]
    """The form behind a password-reset link."""

    keep_api_tokens = _keep_field()

    def save(self, commit: bool = True) -> Any:
        user = super().save(commit=commit)
        _after_new_password(self, user)
        return user
