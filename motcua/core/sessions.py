"""Sessions in the database, read by one fixed statement (decision 0050).

Django's database engine reads a session through the ORM, which builds and compiles the query again
on every request: on a signed-in request that costs more CPU than the statement itself. This engine
is the same store (the ``django_session`` table, the same rows, the same expiry rule:
``expire_date`` later than now), with the read written once; writes and deletions stay Django's.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.db import connections, router
from django.utils import timezone

_READ = 'SELECT "session_data" FROM "django_session" WHERE "session_key" = %s AND "expire_date" > %s'


class SessionStore(DatabaseStore):
    def load(self) -> dict[str, Any]:
        connection = connections[router.db_for_read(self.model)]
        with connection.cursor() as cursor:
            now = connection.ops.adapt_datetimefield_value(timezone.now())
            cursor.execute(_READ, [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            # As Django's engine: an unknown or expired key is forgotten (a new one on the next save).
            self._session_key = None
            return {}
        data: dict[str, Any] = self.decode(row[0])
        return data
