"""Work done once in the gunicorn master before it forks the web workers (decision 0036).

With ``preload_app`` the master imports the WSGI application, but Django still imports the URLconf
(every view module), builds the URL reverse tables, compiles each template and loads the translation
catalogs on the first requests each worker serves, and again in every worker re-forked after
``max_requests``: about a second of CPU per worker, paid while clients wait. ``warm_up`` does it in
the master, so every forked worker starts with it done (copy-on-write memory, shared).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.template import engines
from django.template.backends.django import DjangoTemplates
from django.urls import get_resolver
from django.utils import translation


def own_template_dirs() -> list[Path]:
    """The template folders of the project itself (not those of installed packages)."""
    base = Path(settings.BASE_DIR).resolve()
    folders: list[Path] = []
    backend = engines["django"]
    assert isinstance(backend, DjangoTemplates)  # settings.TEMPLATES names it
    for loader in backend.engine.template_loaders:
        for folder in getattr(loader, "get_dirs", list)():
            path = Path(folder).resolve()
            if path.is_relative_to(base) and ".venv" not in path.relative_to(base).parts and path.is_dir():
                folders.append(path)
    return list(dict.fromkeys(folders))


def warm_up() -> list[str]:
    """Import the URLconf, build its reverse tables in every language, load the catalogs and compile
    the project's HTML templates into the cached loader; returns the template names compiled."""
    resolver = get_resolver()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            resolver.reverse_dict  # noqa: B018 - built per active language and kept
    engine = engines["django"]
    names = sorted(
        {str(path.relative_to(folder)) for folder in own_template_dirs() for path in folder.rglob("*.html")}
    )
    for name in names:
        engine.get_template(name)
    return names
