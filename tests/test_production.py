"""The production configuration, started as on a server, and one journey through it over real HTTP.

MOTCUA_ENV=production (DEBUG off, a secret key, allowed hosts, secure cookies), PostgreSQL, static
files collected and served by whitenoise, gunicorn started with ``deploy/gunicorn.conf.py`` and the
worker (``manage.py db_worker``) as real subprocesses: log in as an officer, accept at the counter,
see the dossier, fetch its Form 01 PDF, read the public procedure page (and the tracking page when
the portal has it); the worker delivers the acceptance e-mail. Then the nightly backup of that
installation is restored into a new database with ``deploy/bin/motcua-restore``.

Runs in the PostgreSQL pass of the suite (DATABASE_URL=postgres://…; the database server is the
same, the database is this test's own); skipped on SQLite with that reason.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from pathlib import Path

import pytest
from django.urls import Resolver404, resolve

from tests import prodstack as ps

ROOT = ps.ROOT
SERVER = os.environ.get("DATABASE_URL", "")
pytestmark = pytest.mark.skipif(
    not SERVER.startswith(("postgres://", "postgresql://")),
    reason="the production configuration needs PostgreSQL: runs in the PostgreSQL pass (make test-postgres)",
)


def _url(name: str) -> str:
    admin, _ = ps.admin_url(SERVER)
    return admin.rsplit("/", 1)[0] + f"/{name}_{os.getpid()}"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    url = _url(ps.admin_url(SERVER)[1] + "_prod")
    ps.recreate_database(url)
    stack = ps.Stack(url, tmp_path_factory.mktemp("production"), ps.free_port(), workers=2)
    try:
        stack.world = stack.prepare(officers=1)  # type: ignore[attr-defined]
        stack.start_web()
        stack.start_worker()
        stack.wait_ready()
        yield stack
    finally:
        stack.stop()
        ps.drop_database(url)


def test_production_journey_over_http(stack):
    world = stack.world
    officer = world["officers"][0]
    browser = ps.Client(stack.port)

    # Anonymous: the staff pages send to the login page; the hashed static files are served.
    home = browser.get("/can-bo/quay/")
    assert (home.status, home.headers["location"]) == (302, "/tai-khoan/dang-nhap/?next=/can-bo/quay/")
    login = browser.get("/tai-khoan/dang-nhap/")
    assert login.status == 200 and "DEBUG" not in login.text
    css = re.search(r"/static/motcua/base\.[0-9a-f]{12}\.css", login.text)
    assert css is not None, "collectstatic's hashed name is not in the page: manifest storage is off"
    static = browser.get(css.group(0))
    assert static.status == 200 and static.headers["cache-control"] == "max-age=315360000, public, immutable"
    assert login.headers["x-frame-options"] == "DENY"
    assert login.headers["set-cookie"].startswith("csrftoken=") and "; Secure" in login.headers["set-cookie"]

    browser.login(officer["username"])
    token = ps.open_counter(browser, world)
    dossier_id = ps.accept(browser, world, officer, token, "042090001234")
    code = ps.psql(stack.database_url, f"select code from dossiers_dossier where id = {dossier_id}")  # noqa: S608
    assert re.fullmatch(rf"{re.escape(officer['agency'])}-\d{{6}}-0001", code), code

    done = browser.get(f"/can-bo/quay/ket-qua/{dossier_id}/")
    assert done.status == 200 and code in done.text
    assert f'href="/can-bo/ho-so/{dossier_id}/mau/1.pdf"' in done.text

    page = browser.get(f"/can-bo/ho-so/{dossier_id}/")
    assert page.status == 200 and code in page.text and "Nguyễn Văn An" in page.text

    pdf = browser.get(f"/can-bo/ho-so/{dossier_id}/mau/1.pdf")
    assert (pdf.status, pdf.headers["content-type"]) == (200, "application/pdf")
    assert pdf.body.startswith(b"%PDF-") and pdf.body.rstrip().endswith(b"%%EOF") and len(pdf.body) > 5000

    public = ps.Client(stack.port)
    procedure = public.get(f"/thu-tuc/{world['procedure']}/")
    assert procedure.status == 200 and "Cấp phiếu kiểm thử triển khai" in procedure.text
    try:
        resolve("/tra-cuu/")
    except Resolver404:
        pass  # the public tracking page lands with the citizen portal; checked here once it exists
    else:
        tracking = public.get(f"/tra-cuu/?ma={code}")
        assert tracking.status == 200 and code in tracking.text
    missing = public.get("/thu-tuc/khong-co-thu-tuc-nay/")
    assert missing.status == 404 and "Traceback" not in missing.text

    # The worker (a separate process) delivers the acceptance e-mail queued by the web request.
    deadline = time.monotonic() + 30
    state = ""
    while time.monotonic() < deadline:
        query = (
            "select string_agg(channel || ':' || state, ',' order by channel) from notifications_message "  # noqa: S608
            f"where template_key = 'dossier.accepted' and subject_id = '{dossier_id}'"
        )
        state = ps.psql(stack.database_url, query)
        if state == "email:sent,sms:sent":
            break
        time.sleep(0.5)
    assert state == "email:sent,sms:sent"
    history = stack.manage("verify_history")
    assert history.returncode == 0 and "1 dossier history(ies) verified" in history.stdout


def test_backup_then_restore_into_a_new_database(stack, tmp_path):
    env = stack.env()
    media = Path(env["MOTCUA_DATA_DIR"]) / "media"
    (media / "proof").mkdir(parents=True, exist_ok=True)
    (media / "proof" / "scan.pdf").write_bytes(b"%PDF-1.4 proof")
    backup = subprocess.run(
        [str(ROOT / "deploy/bin/motcua-backup"), str(tmp_path / "backups")],
        env={**env, "DJANGO_MEDIA_ROOT": str(media)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert backup.returncode == 0, backup.stderr
    set_dir = Path(backup.stdout.strip().splitlines()[-1])
    assert sorted(p.name for p in set_dir.iterdir()) == ["SHA256SUMS", "media.tar.gz", "motcua.dump"]

    target = stack.database_url + "_restored"
    ps.recreate_database(target)
    try:
        restored_media = tmp_path / "restored-media"
        restore = subprocess.run(
            [str(ROOT / "deploy/bin/motcua-restore"), str(set_dir), target, str(restored_media)],
            env={**env, "MOTCUA_PYTHON": ps.PYTHON},
            capture_output=True,
            text=True,
            check=False,
        )
        assert restore.returncode == 0, restore.stdout + restore.stderr
        assert "dossier history(ies) verified; no alteration found." in restore.stdout
        query = "select count(*) || ':' || coalesce(string_agg(code, ','), '') from dossiers_dossier"
        assert ps.psql(target, query) == ps.psql(stack.database_url, query)
        assert (restored_media / "proof" / "scan.pdf").read_bytes() == b"%PDF-1.4 proof"
        # A second restore into the now non-empty database is refused and changes nothing.
        again = subprocess.run(
            [str(ROOT / "deploy/bin/motcua-restore"), str(set_dir), target, str(tmp_path / "other")],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert again.returncode == 3 and "not empty" in again.stderr
        # A damaged set is refused before anything is touched.
        (set_dir / "media.tar.gz").write_bytes(b"damaged")
        damaged = subprocess.run(
            [str(ROOT / "deploy/bin/motcua-restore"), str(set_dir), target, str(tmp_path / "other")],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert damaged.returncode != 0 and "FAILED" in damaged.stdout + damaged.stderr
    finally:
        ps.drop_database(target)


def test_a_double_submitted_counter_form_opens_one_dossier_across_gunicorn_workers(stack):
    """A double click sends the same form twice at once, on two connections that gunicorn may hand
    to two different worker processes: the idempotency token must be claimed in a store they share."""
    world = stack.world
    officer = world["officers"][0]
    first = ps.Client(stack.port)
    first.login(officer["username"])
    results: list[int | str] = []
    for attempt in range(8):
        token = ps.open_counter(first, world)
        identifier = f"0420991{attempt:05d}"
        twins = [ps.Client(stack.port) for _ in range(2)]
        for twin in twins:
            twin.cookies = dict(first.cookies)  # the same browser session, two connections

        def submit(twin: ps.Client, token: str = token, identifier: str = identifier) -> None:
            try:
                results.append(ps.accept(twin, world, officer, token, identifier))
            except AssertionError as error:
                results.append(str(error)[:80])

        threads = [threading.Thread(target=submit, args=(twin,)) for twin in twins]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        count = ps.psql(
            stack.database_url,
            f"select count(*) from dossiers_dossier where applicant_identifier = '{identifier}'",  # noqa: S608
        )
        assert count == "1", f"attempt {attempt}: {count} dossiers for one form submitted twice ({results})"
