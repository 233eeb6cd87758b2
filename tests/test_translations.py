"""The English catalogue is complete: every extracted string has a translation, none is fuzzy, and the
compiled .mo matches the .po (so a fresh machine without gettext serves the same English)."""

from __future__ import annotations

import gettext
from pathlib import Path

from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def english_catalogue():
    with open(LOCALE / "en/LC_MESSAGES/django.po", "rb") as po:
        return read_po(po, locale="en")


def test_every_string_has_an_english_translation():
    untranslated = [
        message.id
        for message in english_catalogue()
        if message.id
        and (
            "fuzzy" in message.flags
            or not all(message.string if isinstance(message.string, tuple) else [message.string])
        )
    ]
    assert untranslated == []


def test_compiled_catalogue_matches_the_po_file():
    compiled = gettext.GNUTranslations(open(LOCALE / "en/LC_MESSAGES/django.mo", "rb"))  # noqa: SIM115
    for message in english_catalogue():
        if not message.id or isinstance(message.id, tuple):
            continue
        assert compiled.gettext(message.id) == message.string, message.id
