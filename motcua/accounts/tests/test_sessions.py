"""The session engine and the model backend of decision 0050: the same rows and rules as Django's
database engine and ModelBackend, each read by one fixed statement."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from motcua.accounts.backends import ModelBackend
from motcua.accounts.models import Role, User
from motcua.core.sessions import SessionStore

pytestmark = pytest.mark.django_db

PASSWORD = "mat-khau-an-toan-9"


def test_settings_name_the_engine_and_the_backend():
    assert settings.SESSION_ENGINE == "motcua.core.sessions"
    assert "motcua.accounts.backends.ModelBackend" in settings.AUTHENTICATION_BACKENDS
    assert "django.contrib.auth.backends.ModelBackend" not in settings.AUTHENTICATION_BACKENDS


def test_a_session_written_by_django_is_read_back_whole_in_one_statement():
    written = DjangoStore()
    written.update({"a": 1, "b": ["x", "ý"], "c": {"d": None}})
    written.save()
    store = SessionStore(written.session_key)
    with CaptureQueriesContext(connection) as seen:
        data = dict(store.items())
    assert data == {"a": 1, "b": ["x", "ý"], "c": {"d": None}}
    assert len(seen.captured_queries) == 1
    assert store.session_key == written.session_key


def test_an_expired_or_unknown_session_is_empty_and_its_key_forgotten():
    written = SessionStore()
    written["a"] = 1
    written.save()
    Session.objects.filter(session_key=written.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    expired = SessionStore(written.session_key)
    assert dict(expired.items()) == {}
    assert expired.session_key is None
    unknown = SessionStore("k" * 32)
    assert dict(unknown.items()) == {}
    assert unknown.session_key is None


def test_what_this_engine_writes_django_reads_with_the_configured_age():
    store = SessionStore()
    store["a"] = "b"
    store.save()
    row = Session.objects.get(session_key=store.session_key)
    assert DjangoStore(store.session_key).load() == {"a": "b"}
    age = (row.expire_date - timezone.now()).total_seconds()
    assert settings.SESSION_COOKIE_AGE - 5 < age <= settings.SESSION_COOKIE_AGE


def test_the_backend_reads_the_user_the_orm_reads(make_user):
    made = make_user("docnhanh", role=None)
    User.objects.filter(pk=made.pk).update(last_login=timezone.now(), phone="0912345678")
    expected = User.objects.get(pk=made.pk)
    with CaptureQueriesContext(connection) as seen:
        user = ModelBackend().get_user(made.pk)
    assert len(seen.captured_queries) == 1
    assert user is not None
    names = [f.attname for f in User._meta.concrete_fields]
    assert {n: getattr(user, n) for n in names} == {n: getattr(expected, n) for n in names}
    assert user._state.adding is False
    assert user.last_login is not None and user.last_login.tzinfo is not None
    assert ModelBackend().get_user(made.pk + 1000) is None
    assert ModelBackend().get_user(None) is None
    User.objects.filter(pk=made.pk).update(is_active=False)
    assert ModelBackend().get_user(made.pk) is None


def test_signed_in_through_the_form_logout_ends_the_session(client, make_user, justice_dept):
    make_user("dangxuat", role=Role.HANDLER, agency_id=justice_dept.pk)
    done = client.post(reverse("accounts:login"), {"username": "dangxuat", "password": PASSWORD})
    assert done.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == "motcua.accounts.backends.ModelBackend"
    key = client.session.session_key
    assert client.get(reverse("backoffice:home")).status_code == 200
    stolen = Client()
    stolen.cookies[settings.SESSION_COOKIE_NAME] = key
    assert stolen.get(reverse("backoffice:home")).status_code == 200
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    again = stolen.get(reverse("backoffice:home"))
    assert again.status_code == 302
    assert again["Location"].startswith(reverse("accounts:login"))


def test_an_expired_session_signs_out(client, make_user, justice_dept):
    user = make_user("hethan", role=Role.HANDLER, agency_id=justice_dept.pk)
    client.force_login(user)
    assert client.session[SESSION_KEY] == str(user.pk)
    assert client.get(reverse("backoffice:home")).status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    response = client.get(reverse("backoffice:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_changed_password_ends_the_other_sessions(make_user, justice_dept):
    user = make_user("doimatkhau", role=Role.HANDLER, agency_id=justice_dept.pk)
    desk = Client()
    desk.force_login(user)
    assert desk.get(reverse("backoffice:home")).status_code == 200
    user.set_password("mat-khau-moi-an-toan-10")
    user.save()
    assert desk.get(reverse("backoffice:home")).status_code == 302
