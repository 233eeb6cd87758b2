"""Hooks for apps above ``dossiers`` that must write in the same transaction as an act.

``event_recorded`` is sent inside the act's transaction once the event's id, seq, name and time are
known and the dossier holds its new state (``sender=DossierEvent``, kwargs ``event`` and
``dossier``): after the event's row is written, or, for the first event of a dossier the act opened,
before it, so that an acceptance writes only its event and dossier rows while its code counter is
locked (decision 0048; the foreign keys are deferred). Neither row may be read back. A receiver that
raises undoes the act, so receivers only insert rows (the integration outbox, for example); slow
or fallible work belongs after commit (``effects``) or in the worker.
"""

from django.dispatch import Signal

event_recorded = Signal()
