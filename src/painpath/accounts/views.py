"""Sign-in, the role-specific home page, and API token management."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from painpath.accounts import tokens as token_service
from painpath.accounts.models import ApiToken, Role
from painpath.core import ratelimit
from painpath.core.errors import InvalidInput, TooManyRequests
from painpath.core.middleware import client_ip
from painpath.core.web import signed_in_user


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


_user = signed_in_user


class PasswordResetView(auth_views.PasswordResetView):
    """Sends the reset link, at most so often per address and per client: a flood of
    requests must not become a flood of mail. Every request counts, whether or not an
    account has the address, so a refusal reveals nothing about accounts."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"

    def form_valid(self, form: Any) -> HttpResponse:
        window = timedelta(minutes=settings.PASSWORD_RESET_WINDOW_MINUTES)
        try:
            ratelimit.take(
                "password_reset.client",
                client_ip(self.request) or "",
                limit=settings.PASSWORD_RESET_LIMIT_PER_CLIENT,
                window=window,
            )
            ratelimit.take(
                "password_reset.address",
                form.cleaned_data["email"].strip().lower(),
                limit=settings.PASSWORD_RESET_LIMIT_PER_ADDRESS,
                window=window,
            )
        except TooManyRequests as exc:
            form.add_error(None, exc.message)
            response = self.render_to_response(self.get_context_data(form=form), status=429)
            response["Retry-After"] = str(exc.retry_after)
            return response
        return super().form_valid(form)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own page."""
    user = _user(request)
    if user.role == Role.PATIENT:
        return redirect("patients:me")
    if user.role == Role.ADMIN or user.is_superuser:
        return render(request, "accounts/admin_home.html", {})
    return redirect("alerts:triage")  # clinicians: the triage list of their panel


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    expires_on = forms.DateField(
        label=gettext_lazy("Expires on (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    issued_secret = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        expires = form.cleaned_data["expires_on"]
        expires_at = timezone.make_aware(datetime.combine(expires, time.max)) if expires else None
        try:
            issued = token_service.issue_token(
                user=user, name=form.cleaned_data["name"], expires_at=expires_at
            )
        except InvalidInput as exc:
            for f in exc.fields:
                form.add_error("expires_on" if f.field == "expires_at" else f.field, f.message)
        else:
            issued_secret = issued.secret
            form = TokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "issued_secret": issued_secret,
            "tokens": ApiToken.objects.filter(user=user),
        },
    )


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    token = token_service.revoke_token(user=_user(request), token_id=token_id)
    messages.success(request, _("Token “%s” revoked.") % token.name)
    return redirect("tokens")
