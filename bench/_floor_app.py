"""The bare Django application of ``bench/django_floor.py``: one view, no middleware, two ORM inserts.

It writes the two rows of ``bench/dossier_flow.py``'s pgbench transaction (``bench_dossier`` and
``bench_event``: the tables ``dossier_flow.PGBENCH_TABLES`` creates) in one transaction, through
Django's ORM, the way the issue's reference "bare Django view doing the same two inserts" does. It
is nothing of motcua: no settings module, no apps, no templates; importing it configures Django
from the environment (``FLOOR_DATABASE_URL``) and it serves as ``_floor_app:application`` under
gunicorn, or is called in-process (``two_inserts``).
"""

from __future__ import annotations

import hashlib
import os
import secrets

import django
from django.conf import settings

if not settings.configured:
    url = os.environ["FLOOR_DATABASE_URL"]
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    settings.configure(
        DEBUG=False,
        SECRET_KEY=secrets.token_urlsafe(32),
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[],
        MIDDLEWARE=[],
        USE_TZ=True,
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": parts.path.lstrip("/"),
                "USER": parts.username or "",
                "PASSWORD": parts.password or "",
                "HOST": parts.hostname or "",
                "PORT": str(parts.port or ""),
                "CONN_MAX_AGE": None,  # one connection per process, as motcua's production settings
                "OPTIONS": {"server_side_binding": True, "prepare_threshold": 2},
            }
        },
    )
    django.setup()

from django.core.wsgi import get_wsgi_application
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import path
from django.utils import timezone


class BenchDossier(models.Model):
    code = models.TextField()
    state = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    data = models.JSONField()

    class Meta:
        app_label = "floor"
        db_table = "bench_dossier"
        managed = False

    def __str__(self) -> str:
        return self.code


class BenchEvent(models.Model):
    dossier = models.ForeignKey(BenchDossier, on_delete=models.DO_NOTHING)
    seq = models.IntegerField()
    name = models.TextField()
    at = models.DateTimeField()
    hash = models.TextField()

    class Meta:
        app_label = "floor"
        db_table = "bench_event"
        managed = False

    def __str__(self) -> str:
        return f"{self.dossier_id}:{self.seq}"


def two_inserts(client_id: int) -> int:
    """The pgbench script's transaction through the ORM; the new dossier row's id."""
    with transaction.atomic():
        dossier = BenchDossier.objects.create(code=f"B-{client_id}", state="received", data={"n": 3})
        BenchEvent.objects.create(
            dossier=dossier,
            seq=1,
            name="accepted",
            at=timezone.now(),
            hash=hashlib.md5(secrets.token_bytes(8), usedforsecurity=False).hexdigest(),
        )
    return int(dossier.pk)


def view(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return HttpResponse(str(two_inserts(os.getpid())), status=201, content_type="text/plain")


urlpatterns = [path("two/", view)]
application = get_wsgi_application()
