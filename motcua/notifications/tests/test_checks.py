"""manage.py check warns when production only logs its SMS, and refuses a broken SMS backend."""

from __future__ import annotations

from motcua.notifications.checks import check_sms_backend


def test_demo_and_test_sites_may_log_their_sms(settings):
    assert check_sms_backend() == []


def test_production_with_the_logging_backend_is_warned(settings):
    settings.MOTCUA_ENV = "production"
    assert [m.id for m in check_sms_backend()] == ["notifications.W001"]


def test_http_backend_without_a_gateway_url_is_an_error(settings):
    settings.MOTCUA_SMS_BACKEND = "motcua.notifications.sms.HttpSmsBackend"
    settings.MOTCUA_SMS_GATEWAY_URL = ""
    assert [m.id for m in check_sms_backend()] == ["notifications.E002"]
    settings.MOTCUA_SMS_GATEWAY_URL = "https://sms.example.vn/api/send"
    settings.MOTCUA_ENV = "production"
    assert check_sms_backend() == []


def test_a_backend_that_cannot_be_imported_is_an_error(settings):
    settings.MOTCUA_SMS_BACKEND = "motcua.notifications.sms.Missing"
    assert [m.id for m in check_sms_backend()] == ["notifications.E001"]
