"""The warm-up the gunicorn master runs before forking (decision 0036)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.template import engines
from django.urls import get_resolver

from motcua.core.warmup import own_template_dirs, warm_up


def test_the_project_template_folders_and_no_package_ones():
    base = Path(settings.BASE_DIR).resolve()
    folders = own_template_dirs()
    assert folders[0] == base / "templates"
    assert base / "motcua" / "portal" / "templates" in folders
    assert all(".venv" not in str(folder) and "site-packages" not in str(folder) for folder in folders)


def test_warm_up_compiles_every_html_template_into_the_cached_loader_and_builds_the_url_tables():
    names = warm_up()
    expected = sorted(
        {str(p.relative_to(folder)) for folder in own_template_dirs() for p in folder.rglob("*.html")}
    )
    assert names == expected
    assert "base.html" in names and "portal/tracking.html" in names
    (cached,) = engines["django"].engine.template_loaders[0].loaders
    compiled = set(cached.get_template_cache)
    assert {"base.html", "portal/tracking.html"} <= compiled
    assert set(names) <= compiled
    resolver = get_resolver()
    assert {code for code, _name in settings.LANGUAGES} <= set(resolver._reverse_dict)
