"""The dossier page drawn faster is the page it was (issue #9), character for character.

Since decision 0049 the act forms' widgets are drawn in Python (``backoffice.widgets``), their fields
by ``{% form_field %}`` instead of ``{% include "includes/field.html" %}``, the page's links by
``{% dossier_path %}`` instead of ``{% url %}``, and the dossier's rows come from ``page_rows``. Each
page below is compared with the page drawn the way it was before: the template as it was
(``dossier_page_before.html``, a copy of ``page.html`` at decision 0048) with Django's widget
templates, from the same context. Every act form the pages offer is in it: empty, and refused with
errors and odd characters; a dossier with files, fees, consultations and a result; both languages.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import time_machine
from django import forms
from django.http import HttpResponse
from django.template import engines

from motcua.backoffice import dossier_views, file_views, widgets
from motcua.dossiers.models import Consultation, DossierFile, FeeLine
from motcua.dossiers.tests.factories import vn

pytestmark = pytest.mark.django_db

BEFORE = (Path(__file__).parent / "dossier_page_before.html").read_text()
PYTHON_WIDGETS = [
    cls for cls in vars(widgets).values() if isinstance(cls, type) and issubclass(cls, forms.Widget)
]


def _drawn_before(monkeypatch) -> None:
    """From here on, the page as it was drawn: the former template, Django's widget templates."""
    before = engines["django"].from_string(BEFORE)
    for module in (dossier_views, file_views):
        original = module.render

        def render(request, template_name, context=None, status=None, _original=original):
            if template_name != "backoffice/dossier/page.html":
                return _original(request, template_name, context, status=status)
            return HttpResponse(before.render(context, request), status=status)

        monkeypatch.setattr(module, "render", render)
    for widget in PYTHON_WIDGETS:
        monkeypatch.setattr(widget, "_render", forms.Widget._render)


def _page(response) -> tuple[int, str]:
    # Each render masks the CSRF token afresh.
    return response.status_code, re.sub(r'value="[A-Za-z0-9]{64}"', "", response.content.decode())


def _act(client, dossier, name, **fields):
    data = {"act": name, f"{name}-version": dossier.version}
    data.update({f"{name}-{key}": value for key, value in fields.items()})
    return client.post(f"/can-bo/ho-so/{dossier.pk}/thao-tac/", data)


def test_the_page_is_the_page_before(client, world, factory, monkeypatch):
    at = vn(2026, 3, 2, 8)
    received = factory.create(at=at, trait="received")
    in_processing = factory.create(at=at, trait="in_processing")
    assigned = factory.create(at=at, trait="assigned")
    issuing = factory.create(at=at, trait="issuing")
    ready = factory.create(at=at, trait="result_ready")
    for n, agency in enumerate((world.other_agency, world.agency)):
        Consultation.objects.create(
            dossier=assigned,
            requested_agency=agency,
            requested_by=world.handler,
            requested_at=vn(2026, 3, 2, 11),
            content=f'Câu hỏi <b>"{n}"&',
            deadline=vn(2026, 3, 6, 17),
            responded_at=vn(2026, 3, 3, 8) if n == 0 else None,
            response="Đồng ý <i>" if n == 0 else "",
        )
    component = received.components.order_by("position").first()
    for name in ("Bản quét <1>.pdf", "ảnh.png"):
        DossierFile.objects.create(
            component=component,
            file="dossiers/x.pdf",
            original_name=name,
            sha256="0" * 64,
            size=123_456,
            content_type="application/pdf",
            uploaded_by=world.reception,
            uploaded_at=vn(2026, 3, 2, 9),
        )
    FeeLine.objects.create(dossier=received, description='Lệ phí "A" <b>', amount=50_000, collect_at="intake")
    odd = "Nội dung <script>\"&'"
    cases = [
        (world.reception, received, None),
        (world.reception, received, ("request_withdrawal", {"reason": ""})),
        (world.leader, in_processing, None),
        (world.leader, in_processing, ("forward", {"agency_1": world.other_agency.pk, "task_1": odd})),
        (world.leader, in_processing, ("assign", {"handler": "999999"})),
        (world.leader, in_processing, ("urge", {"message": ""})),
        (world.handler, assigned, None),
        (world.handler, assigned, ("consult", {"agency": "x", "content": odd, "deadline": "31/02/2026"})),
        (
            world.handler,
            assigned,
            ("request_supplement", {"reason": odd, "missing": ["0"], "confirm_repeat": "on"}),
        ),
        (world.approver, assigned, None),
        (world.clerk, issuing, None),
        (world.clerk, issuing, ("issue_result", {"number": ""})),
        (world.reception, ready, None),
        (world.reception, ready, ("return_result", {"delivery_method": "postal", "recipient_name": odd})),
    ]

    def pages(language: str) -> list[tuple[int, str]]:
        client.cookies["django_language"] = language
        found = []
        with time_machine.travel(vn(2026, 3, 3, 10), tick=False):
            for user, dossier, posted in cases:
                client.force_login(user)
                if posted is None:
                    found.append(_page(client.get(f"/can-bo/ho-so/{dossier.pk}/")))
                else:
                    found.append(_page(_act(client, dossier, posted[0], **posted[1])))
            upload = client.post(f"/can-bo/ho-so/{received.pk}/tep/", {"upload-component": "0"})
            found.append(_page(upload))
        return found

    drawn = {language: pages(language) for language in ("vi", "en")}
    _drawn_before(monkeypatch)
    assert {language: pages(language) for language in ("vi", "en")} == drawn

    vi = drawn["vi"]
    assert [status for status, _ in vi] == [
        200,
        400,
        200,
        400,
        400,
        400,
        200,
        400,
        400,
        200,
        200,
        400,
        200,
        400,
        400,
    ]
    assert vi[1][1].count('<p class="field-error" id="err_request_withdrawal-reason" role="alert">') == 1
    assert "Câu hỏi &lt;b&gt;&quot;0&quot;&amp;" in vi[6][1] and "Đồng ý &lt;i&gt;" in vi[6][1]
    assert "Nội dung &lt;script&gt;&quot;&amp;&#x27;</textarea>" in vi[7][1]
    assert (
        'name="request_supplement-confirm_repeat" id="id_request_supplement-confirm_repeat" checked>'
        in vi[8][1]
    )
    assert 'type="file" name="issue_result-document" id="id_issue_result-document">' in vi[11][1]
    assert 'value="postal" id="id_return_result-delivery_method_1" required checked>' in vi[13][1]
    assert "Bản quét &lt;1&gt;.pdf" in vi[0][1] and "Lệ phí &quot;A&quot; &lt;b&gt;: 50000 ₫" in vi[0][1]
    assert all(f'action="/can-bo/ho-so/{received.pk}/thao-tac/"' in html for _, html in vi[:2])
    assert ">Forward</button>" in drawn["en"][0][1] and ">Chuyển hồ sơ</button>" in vi[0][1]
    forms_shown = {
        act
        for _, html in vi
        for act in re.findall(r'<input type="hidden" name="act" value="([a-z_]+)">', html)
    }
    assert forms_shown >= {
        "forward",
        "request_withdrawal",
        "assign",
        "urge",
        "appraise",
        "consult",
        "request_supplement",
        "issue_result",
        "return_result",
    }
