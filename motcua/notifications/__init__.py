"""E-mail and SMS notifications: messages rendered from templates, delivered after commit, retried.

Public API: ``services.notify`` (render, record, schedule), ``services.deliver`` (send one message),
``services.retry_due_messages`` (the periodic safety net, command ``retry_failed_messages``).
A foundation app: it knows nothing about dossiers; callers pass a ``subject_ref`` such as
``"dossier:123"``. See docs/decisions/0007-notifications.md.
"""
