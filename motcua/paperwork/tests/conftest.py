from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from motcua.paperwork.context import FormContext
from motcua.paperwork.render import render_document, render_html
from motcua.paperwork.samples import all_samples


@dataclass(frozen=True)
class Rendered:
    form: FormContext
    html: str
    document: Any  # weasyprint.Document
    pdf: bytes


def render_all_ways(form: FormContext) -> Rendered:
    document = render_document(form)
    return Rendered(form=form, html=render_html(form), document=document, pdf=document.write_pdf())


@pytest.fixture(scope="session")
def samples() -> dict[str, Rendered]:
    """Every sample form rendered once per test session, by form number ("01" … "07")."""
    return {form.form_number: render_all_ways(form) for form in all_samples()}


# Dossiers built through the real services (decision 0009: forms from dossiers), re-exported so the
# tests of ``from_dossier`` use the same places, staff and procedure as the dossier tests.
from motcua.dossiers.tests.conftest import calendar_2026, factory, world  # noqa: E402, F401
