from __future__ import annotations

import functools

import pytest
import time_machine

from motcua.notifications import sms

from . import backends
from .contexts import NOW


@pytest.fixture(autouse=True)
def clean_outboxes():
    sms.outbox.clear()
    backends.reset()
    yield
    sms.outbox.clear()
    backends.reset()


@pytest.fixture
def frozen():
    """The clock stopped at Fri 13/02/2026 14:05 (Hà Tĩnh); ``frozen.shift(seconds)`` moves it."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): ...`` runs the block's on_commit callbacks as if its transaction committed."""
    return functools.partial(django_capture_on_commit_callbacks, execute=True)
