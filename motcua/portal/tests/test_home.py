from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_is_vietnamese_by_default(client, province):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Dịch vụ công trực tuyến" in html
    assert "Dữ liệu đơn vị hành chính: 1 tỉnh, thành phố." in html


def test_english_switch_is_remembered(client, province):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get(reverse("portal:home")).content.decode()
    assert '<html lang="en">' in html
    assert "Online public services" in html
    assert "Administrative units: 1 province or city." in html


def test_pages_carry_security_headers_and_no_external_assets(client, province):
    response = client.get(reverse("portal:home"))
    assert response["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    html = response.content.decode()
    assert "http://" not in html.replace("http://testserver", "")
    assert "https://" not in html


def test_static_css_is_served_by_the_app(client):
    from django.contrib.staticfiles import finders

    assert finders.find("motcua/base.css") is not None


def test_vietnamese_even_when_the_browser_asks_for_english(client, province):
    html = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi">' in html
    assert "Dịch vụ công trực tuyến" in html
