"""Settings: safe production defaults, refused when unsafe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_settings(env: dict[str, str], expr: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MOTCUA_", "DATABASE_URL"))}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", f"import config.settings as s; print(repr(({expr},)))"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_requires_a_secret_key():
    result = run_settings({}, "s.DEBUG")
    assert result.returncode == 1
    assert "DJANGO_SECRET_KEY is required in production" in result.stderr


def test_production_defaults_are_safe():
    result = run_settings(
        {"DJANGO_SECRET_KEY": "x" * 50, "DJANGO_ALLOWED_HOSTS": "motcua.example.vn"},
        "s.DEBUG, s.ALLOWED_HOSTS, s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, "
        "s.TIME_ZONE, s.LANGUAGE_CODE",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(False, ['motcua.example.vn'], True, 31536000, 'Asia/Ho_Chi_Minh', 'vi')"


def test_production_refuses_wildcard_hosts():
    result = run_settings({"DJANGO_SECRET_KEY": "x" * 50, "DJANGO_ALLOWED_HOSTS": "*"}, "1")
    assert result.returncode == 1
    assert "may not contain '*'" in result.stderr


def test_production_has_no_default_hosts():
    result = run_settings({"DJANGO_SECRET_KEY": "x" * 50}, "s.ALLOWED_HOSTS")
    assert result.stdout.strip() == "([],)"


def test_unknown_profile_is_refused():
    result = run_settings({"MOTCUA_ENV": "staging"}, "1")
    assert result.returncode == 1
    assert "MOTCUA_ENV must be" in result.stderr


def test_database_url_selects_postgresql():
    result = run_settings(
        {"MOTCUA_ENV": "dev", "DATABASE_URL": "postgres://u:p@db.example:5432/motcua"},
        "s.DATABASES['default']['ENGINE'], s.DATABASES['default']['HOST'], s.IS_POSTGRES",
    )
    assert result.stdout.strip() == "('django.db.backends.postgresql', 'db.example', True)"
