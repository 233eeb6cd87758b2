"""Background tasks (django-tasks): they take ids only and are safe to run twice."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_message(message_id: int) -> str:
    """Send one message; a no-op if it is already sent, being sent, not yet due or given up.

    Returns the message's state afterwards (``"missing"`` if the row no longer exists). Delivery
    errors are recorded on the message, never raised, so the queue does not retry on its own.
    """
    from .services import deliver  # services enqueues this task: import it late

    message = deliver(message_id=message_id)
    return "missing" if message is None else str(message.state)
