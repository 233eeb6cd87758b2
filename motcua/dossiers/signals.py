"""Hooks for apps above ``dossiers`` that must write in the same transaction as an act.

``event_recorded`` is sent inside the act's transaction, right after the event is appended and the
dossier row saved (``sender=DossierEvent``, kwargs ``event`` and ``dossier``). A receiver that
raises undoes the act, so receivers only insert rows (the integration outbox, for example); slow
or fallible work belongs after commit (``effects``) or in the worker.
"""

from django.dispatch import Signal

event_recorded = Signal()
