"""The counter's blank intake form is drawn once per process and kept (decision 0053): the kept
form is the form drawn for the request, character for character, but for its intake token, which is
new on every page; it follows the reference and catalogue revisions, the officer's units and the
language, and at most ``KEPT_INTAKE_FORMS`` forms are kept."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.template import engines

from motcua.backoffice import counter_views, reference
from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier
from motcua.units.models import Agency, Counter

from .test_counter_intake import URL, _open, _post, _token

pytestmark = pytest.mark.django_db

BEFORE = (Path(__file__).parent / "counter_page_before.html").read_text()
TOKEN = re.compile(r'name="token" value="([0-9a-f-]{36})"')


def _html(response) -> str:
    """The page without what differs between two renders: the masked CSRF token, the intake token."""
    html = re.sub(r'value="[A-Za-z0-9]{64}"', "", response.content.decode())
    return TOKEN.sub('name="token" value=""', html)


def _kept_all() -> dict:
    """What the process keeps: the blank forms' HTML, and the forms' fields (keys ``("fields", …)``)."""
    return reference.gate.reference()[("backoffice.intake_forms",)]["forms"][1]


def _kept() -> dict:
    """The blank forms' HTML kept."""
    return {key: html for key, html in _kept_all().items() if key[0] != "fields"}


def test_the_kept_form_is_the_form_drawn_and_the_page_before(client, world, counter, frozen, monkeypatch):
    # Two counters for the picker ({% counter_options %}), one with characters to escape.
    Counter.objects.create(one_stop_unit=world.centre, number=2, name='Quầy <2> "&"', queue_prefix="B")
    client.force_login(world.reception)
    first = _open(client, world)  # drawn
    with monkeypatch.context() as patched:  # then kept: no form built nor drawn
        patched.setattr(counter_views, "IntakeForm", None)
        second = _open(client, world)
    assert (first.status_code, second.status_code) == (200, 200)
    assert _html(second) == _html(first)
    picked = f'<option value="{counter.pk}" selected>{world.centre.name} — Quầy 1 — Tư pháp</option>'
    assert picked in _html(first)
    assert "— Quầy &lt;2&gt; &quot;&amp;&quot;</option>" in _html(first)
    # The same page drawn without keeping anything, and drawn by the page template as it was before
    # the form moved to its own template (a copy of page.html at 1135930).
    monkeypatch.setattr(reference, "KEPT_INTAKE_FORMS", 0)
    reference.kept_intake_forms({})  # what was kept is dropped (another catalogue cache)
    drawn = _open(client, world)
    assert _html(drawn) == _html(first)
    before = engines["django"].from_string(BEFORE)

    def render(request, template_name, context=None, status=None):
        if template_name != "backoffice/counter/page.html":
            raise AssertionError(template_name)
        return HttpResponse(before.render(context, request), status=status)

    monkeypatch.setattr(counter_views, "render", render)
    cccd = client.get(URL, {"procedure": world.version.procedure.code, "cccd": "042090001234"})
    assert 'id="id_identifier_number"' in cccd.content.decode()
    monkeypatch.setattr(counter_views, "_blank_intake_html", lambda *a: None)  # the form itself, as before
    monkeypatch.setattr(
        counter_views,
        "_page",
        lambda request, context, status=200: _drawn_as_before(request, context, status, render),
    )
    assert _html(_open(client, world)) == _html(first)


def _drawn_as_before(request, context, status, render):
    """The former view's page: the form in the context, the template as it was."""
    from motcua.backoffice.forms import IntakeForm

    if context.get("intake_html") is None and "version" in context:
        user = request.user
        units = reference.intake_units(user)
        initial = counter_views._initial(user, "", context["version"], units)
        initial.pop("prefilled", False)
        initial["case"] = context["case"].pk if context["case"] else None
        context["form"] = IntakeForm(
            initial=initial, version=context["version"], case=context["case"], units=units
        )
    context.update(counter_views._counter_context(request, request.user))
    return render(request, "backoffice/counter/page.html", context, status=status)


def test_every_page_has_its_own_token_and_each_opens_one_dossier(client, world, frozen):
    client.force_login(world.reception)
    tokens = [_token(_open(client, world)) for _ in range(3)]
    assert len(set(tokens)) == 3
    assert counter_views.TOKEN_PLACEHOLDER not in tokens
    assert counter_views.TOKEN_PLACEHOLDER not in _open(client, world).content.decode()
    for n, token in enumerate(tokens):
        accepted = _post(client, world, token, "accept", identifier_number=f"04209000900{n}")
        assert accepted.status_code == 303
    assert Dossier.objects.count() == 3
    keys = sorted(Dossier.objects.values_list("intake_key", flat=True))
    assert keys == sorted(f"counter:{t}" for t in tokens)


def test_the_kept_form_follows_the_revisions_and_the_language(client, world, frozen):
    client.force_login(world.reception)
    _open(client, world)
    assert len(_kept()) == 1
    # A reference write (a bulk update no signal sees): the form is drawn again with the new name.
    Agency.objects.filter(pk=world.agency.pk).update(name="Sở Được Đổi Tên")
    html = _open(client, world).content.decode()
    assert f'<option value="{world.agency.pk}">Sở Được Đổi Tên (' in html
    # A catalogue write: the forms kept before it are gone, the page drawn again.
    _open(client, world)
    kept_before = _kept_all()
    Procedure.objects.filter(pk=world.version.procedure_id).update(name="Tên mới")
    page = _open(client, world)
    assert page.status_code == 200
    assert _kept_all() is not kept_before and len(_kept()) == 1
    # English: another form, kept beside the Vietnamese one.
    client.cookies["django_language"] = "en"
    english = _open(client, world).content.decode()
    assert 'lang="en"' in english and ">Received<" in english
    assert len(_kept()) == 2


def test_past_the_bound_forms_are_drawn_every_time(client, world, frozen, monkeypatch):
    monkeypatch.setattr(reference, "KEPT_INTAKE_FORMS", 2)  # the fields, and one form's HTML
    client.force_login(world.reception)
    vietnamese = _html(_open(client, world))
    client.cookies["django_language"] = "en"
    english = [_html(_open(client, world)) for _ in range(2)]
    assert len(_kept()) == 1 and len(_kept_all()) == 2  # only the first form is kept
    assert english[0] == english[1] != vietnamese
    assert english[0].count('name="token" value=""') == 1


def test_posted_forms_share_the_kept_fields_and_keep_their_own_errors(client, world, frozen):
    """A posted form takes the fields of the first form of the process (no deep copy): each form
    still has its own data and errors, and nothing a form does changes the kept fields."""
    client.force_login(world.reception)
    page = _open(client, world)
    case = world.version.cases.first()
    key = ("fields", world.version.pk, case.pk, (world.centre.pk,))
    fields = _kept_all()[key]

    def snapshot() -> dict:
        return {
            name: (dict(f.widget.attrs), f.required, f.initial, list(getattr(f, "choices", ())))
            for name, f in fields.items()
        }

    before = snapshot()
    refused = _post(client, world, _token(page), "accept", full_name="", email="không@")
    assert refused.status_code == 400
    html = refused.content.decode()
    assert 'id="err_full_name"' in html and 'id="err_email"' in html
    other = _post(client, world, _token(page), "accept", phone="12")
    assert other.status_code == 400
    html = other.content.decode()
    assert 'id="err_phone"' in html and 'id="err_full_name"' not in html and 'id="err_email"' not in html
    accepted = _post(client, world, _token(page), "accept")
    assert accepted.status_code == 303
    assert Dossier.objects.get().applicant_name == "Nguyễn Văn An"
    assert _kept_all()[key] is fields and snapshot() == before


def test_the_page_after_an_accept_reads_its_rows_by_kept_statements(client, world, frozen):
    """The page the browser loads after the accept's 303 (the code, Form 01 and the scans): its
    components with their files and its events are read by the statements of ``page_rows``."""
    from unittest.mock import patch

    from django.db import connection
    from django.db.models.sql.compiler import SQLCompiler
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.reception)
    accepted = _post(client, world, _token(_open(client, world)), "accept")
    assert accepted.status_code == 303
    client.get(accepted["Location"])
    compiled = []
    original = SQLCompiler.as_sql

    def as_sql(self, *args, **kwargs):
        compiled.append(self.query.model)
        return original(self, *args, **kwargs)

    with CaptureQueriesContext(connection) as seen, patch.object(SQLCompiler, "as_sql", as_sql):
        done = client.get(accepted["Location"])
    assert compiled == []  # no queryset compiled: every statement was built once per process
    assert done.status_code == 200
    html = done.content.decode()
    dossier = Dossier.objects.get()
    assert f'<strong id="dossier-code">{dossier.code}</strong>' in html
    assert f'id="form-link" href="/can-bo/ho-so/{dossier.pk}/mau/1.pdf"' in html
    assert html.count('<span class="muted">chưa có</span>') == 2  # two components, no scans yet
    statements = [q["sql"] for q in seen.captured_queries]
    tables = [sql.split(" FROM ")[1].split()[0].strip('"') for sql in statements if " FROM " in sql]
    assert tables == [
        "django_session",
        "accounts_user",
        "core_revision",
        "dossiers_dossier",  # the gate's question
        "dossiers_dossier",  # the dossier with its related rows
        "dossiers_dossiercomponent",
        "dossiers_dossierfile",
        "dossiers_dossierevent",
    ]
