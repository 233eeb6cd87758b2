from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from motcua.core.errors import MotcuaError

from . import oidc, services
from .models import User, UserKind, VerificationChannel


class LoginForm(AuthenticationForm):
    # One message for every failure: never say whether the user name or the password was wrong.
    error_messages = {
        "invalid_login": _("Tên đăng nhập hoặc mật khẩu không đúng."),
        "inactive": _("Tên đăng nhập hoặc mật khẩu không đúng."),
    }
    username = forms.CharField(label=_("Tên đăng nhập"), max_length=150)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        user = self.request.user
        if getattr(user, "kind", UserKind.STAFF) != UserKind.STAFF:
            return reverse("portal:my_dossiers")
        return str(super().get_default_redirect_url())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["oidc_enabled"] = oidc.is_enabled()
        context["oidc_failed"] = self.request.GET.get("oidc") == "loi"
        return context


def _oidc_unavailable(request: HttpRequest) -> HttpResponse:
    messages.error(
        request,
        _(
            "Chưa thể đăng nhập bằng tài khoản định danh điện tử tại đây; "
            "hãy đăng nhập bằng tên đăng nhập và mật khẩu."
        ),
    )
    return redirect("accounts:login")


def oidc_authenticate_view(request: HttpRequest) -> HttpResponseBase:
    """``/oidc/authenticate/``: the identity provider's sign-in; without a configured provider, back
    to the login page with a message (never an error page)."""
    if not oidc.is_enabled():
        return _oidc_unavailable(request)
    response: HttpResponseBase = OIDCAuthenticationRequestView.as_view()(request)
    return response


def oidc_callback_view(request: HttpRequest) -> HttpResponseBase:
    """``/oidc/callback/``: where the provider sends the browser back; the same guard."""
    if not oidc.is_enabled():
        return _oidc_unavailable(request)
    response: HttpResponseBase = OIDCAuthenticationCallbackView.as_view()(request)
    return response


class RegisterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Loại tài khoản"),
        choices=[(UserKind.CITIZEN, _("Công dân")), (UserKind.ORGANISATION, _("Tổ chức, doanh nghiệp"))],
        widget=forms.RadioSelect,
        initial=UserKind.CITIZEN,
    )
    full_name = forms.CharField(label=_("Họ và tên (hoặc tên tổ chức)"), max_length=150)
    email = forms.CharField(label=_("Thư điện tử"), max_length=254, required=False)
    phone = forms.CharField(label=_("Số điện thoại di động"), max_length=20, required=False)
    identifier = forms.CharField(
        label=_("Số căn cước (hoặc mã số doanh nghiệp)"), max_length=20, required=False
    )
    password = forms.CharField(label=_("Mật khẩu"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("Nhập lại mật khẩu"), widget=forms.PasswordInput, strip=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("Hai mật khẩu không giống nhau."))
        return data


def _field_error(form: forms.Form, exc: MotcuaError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message(get_language()))


def register_view(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organisation = data["kind"] == UserKind.ORGANISATION
        try:
            user = services.register_applicant(
                kind=data["kind"],
                full_name=data["full_name"],
                password=data["password"],
                email=data["email"],
                phone=data["phone"],
                identifier_type="enterprise_code" if organisation else "citizen_id",
                identifier=data["identifier"],
            )
        except MotcuaError as exc:
            _field_error(form, exc)
        else:
            login(request, user, backend="motcua.accounts.backends.ModelBackend")
            channel = VerificationChannel.EMAIL if user.email else VerificationChannel.PHONE
            services.send_verification(user=user, channel=channel)
            return redirect(f"{reverse('accounts:verify')}?kenh={channel}")
    return render(request, "accounts/register.html", {"form": form}, status=400 if form.errors else 200)


class VerifyForm(forms.Form):
    code = forms.CharField(label=_("Mã xác minh (6 chữ số)"), max_length=6, min_length=6)


@login_required
def verify_view(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    channel = request.POST.get("kenh") or request.GET.get("kenh") or VerificationChannel.EMAIL
    if channel not in VerificationChannel.values:
        channel = VerificationChannel.EMAIL
    form = VerifyForm(request.POST if "code" in request.POST else None)
    status = 200
    if request.method == "POST" and "resend" in request.POST:
        try:
            services.send_verification(user=user, channel=channel)
            messages.success(request, _("Đã gửi mã xác minh mới."))
        except MotcuaError as exc:
            messages.error(request, exc.message(get_language()))
        return redirect(f"{reverse('accounts:verify')}?kenh={channel}")
    if request.method == "POST" and form.is_valid():
        try:
            services.confirm_verification(user=user, channel=channel, code=form.cleaned_data["code"])
        except MotcuaError as exc:
            _field_error(form, exc)
        else:
            messages.success(request, _("Tài khoản đã được xác minh. Bạn có thể nộp hồ sơ trực tuyến."))
            return redirect("portal:my_dossiers")
    if form.errors:
        status = 400
    target = user.email if channel == VerificationChannel.EMAIL else user.phone
    context = {"form": form, "channel": channel, "target": target, "verified": user.is_verified}
    return render(request, "accounts/verify.html", context, status=status)


@login_required
@require_POST
def logout_everywhere_view(request: HttpRequest) -> HttpResponse:
    services.logout_everywhere(user=request.user)  # type: ignore[arg-type]
    update_session_auth_hash(request, request.user)  # type: ignore[arg-type]
    messages.success(request, _("Đã đăng xuất khỏi mọi thiết bị khác."))
    return redirect("backoffice:home")
