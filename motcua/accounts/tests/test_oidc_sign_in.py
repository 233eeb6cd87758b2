"""Sign-in through an external OpenID Connect provider (the national identity / portal SSO).

The provider is ``oidc_provider.Provider``, a real HTTP server in a thread; the test client runs
motcua's real code flow: /oidc/authenticate/ (state and nonce in the session) → the provider's
authorize endpoint → /oidc/callback/ (state checked, code exchanged, ID token signature checked
against the JWKS, nonce compared, userinfo read) → a signed-in citizen.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from motcua.accounts.models import Membership, Role, User, UserKind

from .oidc_provider import Provider

CLAIMS = {
    "sub": "vneid-0001",
    "name": "Trần Thị Bình",
    "email": "binh@example.vn",
    "email_verified": True,
    "phone_number": "0987654321",
    "phone_number_verified": True,
    "citizen_id": "042190005678",
    "acr": "2",
}


@pytest.fixture
def provider(settings):
    with Provider(client_id="motcua-test", client_secret="bi-mat", claims=dict(CLAIMS)) as running:
        settings.OIDC_OP_AUTHORIZATION_ENDPOINT = running.url("/authorize")
        settings.OIDC_OP_TOKEN_ENDPOINT = running.url("/token")
        settings.OIDC_OP_USER_ENDPOINT = running.url("/userinfo")
        settings.OIDC_OP_JWKS_ENDPOINT = running.url("/jwks")
        settings.OIDC_RP_CLIENT_ID = "motcua-test"
        settings.OIDC_RP_CLIENT_SECRET = "bi-mat"
        settings.OIDC_RP_SIGN_ALGO = "RS256"
        settings.MOTCUA_OIDC_ISSUER = running.issuer
        yield running


def _sign_in(client, provider):
    start = client.get("/oidc/authenticate/?next=/ho-so-cua-toi/")
    assert start.status_code == 302
    authorize = start["Location"]
    assert authorize.startswith(provider.url("/authorize?"))
    query = parse_qs(urlparse(authorize).query)
    assert query["response_type"] == ["code"]
    assert query["nonce"][0] and query["state"][0]
    approved = requests.get(authorize, allow_redirects=False, timeout=5)
    assert approved.status_code == 302
    back = urlparse(approved.headers["Location"])
    assert back.path == "/oidc/callback/"
    return client.get(f"{back.path}?{back.query}"), query


def test_first_sign_in_creates_a_verified_citizen_with_the_applicant_role(client, provider, db):
    response, _query = _sign_in(client, provider)

    assert response.status_code == 302
    assert response["Location"] == "/ho-so-cua-toi/"
    user = User.objects.get(oidc_subject="vneid-0001")
    assert user.oidc_issuer == provider.issuer
    assert (user.kind, user.full_name, user.email, user.identifier) == (
        UserKind.CITIZEN,
        "Trần Thị Bình",
        "binh@example.vn",
        "042190005678",
    )
    assert user.identity_verified is True
    assert user.is_verified is True
    assert list(Membership.objects.filter(user=user).values_list("role", flat=True)) == [Role.CITIZEN]
    assert client.get("/ho-so-cua-toi/").status_code == 200
    assert provider.token_requests == 1


def test_a_second_sign_in_finds_the_same_account(client, provider, db):
    _sign_in(client, provider)
    client.logout()
    provider.claims["name"] = "Trần Thị Bình An"
    response, _ = _sign_in(client, provider)
    assert response.status_code == 302
    assert User.objects.filter(oidc_subject="vneid-0001").count() == 1
    assert User.objects.get(oidc_subject="vneid-0001").full_name == "Trần Thị Bình An"


def test_a_token_signed_with_another_key_is_refused(client, provider, db):
    provider.forge_with = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    response, _ = _sign_in(client, provider)
    assert response.status_code == 302
    assert response["Location"] == "/tai-khoan/dang-nhap/?oidc=loi"
    assert User.objects.filter(oidc_subject="vneid-0001").count() == 0
    assert "_auth_user_id" not in client.session


def test_a_token_with_another_nonce_is_refused(client, provider, db):
    provider.replace_nonce = "not-the-clients-nonce"
    response, _ = _sign_in(client, provider)
    assert response["Location"] == "/tai-khoan/dang-nhap/?oidc=loi"
    assert User.objects.count() == 0


def test_a_callback_with_a_wrong_state_is_refused_before_any_token_request(client, provider, db):
    start = client.get("/oidc/authenticate/")
    authorize = start["Location"]
    approved = requests.get(authorize, allow_redirects=False, timeout=5)
    back = urlparse(approved.headers["Location"])
    code = parse_qs(back.query)["code"][0]
    response = client.get(f"/oidc/callback/?code={code}&state=forged")
    assert response.status_code in (302, 400)
    assert provider.token_requests == 0
    assert User.objects.count() == 0


def test_the_login_page_offers_the_provider_only_when_configured(client, provider, db, settings):
    page = client.get("/tai-khoan/dang-nhap/")
    assert "/oidc/authenticate/" in page.content.decode()
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = ""
    assert "/oidc/authenticate/" not in client.get("/tai-khoan/dang-nhap/").content.decode()


@pytest.mark.parametrize(
    "path", ["/oidc/authenticate/?next=/ho-so-cua-toi/", "/oidc/callback/?code=x&state=y"]
)
def test_without_a_provider_the_oidc_routes_go_back_to_the_login_page(client, db, settings, path):
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = ""
    response = client.get(path)
    assert (response.status_code, response["Location"]) == (302, "/tai-khoan/dang-nhap/")
    page = client.get(response["Location"]).content.decode()
    assert (
        '<li class="error">Chưa thể đăng nhập bằng tài khoản định danh điện tử tại đây; '
        "hãy đăng nhập bằng tên đăng nhập và mật khẩu.</li>"
    ) in page
