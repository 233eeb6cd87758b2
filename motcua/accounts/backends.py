"""Django's model backend with the signed-in user read by one fixed statement (decision 0050).

Every signed-in request reads its user (``django.contrib.auth.get_user``). Django's ``ModelBackend``
does it with ``User.objects.get(pk=…)``, whose query is built and compiled again on every request;
here the statement is built once (``rows.first``: the same columns, the fields' converters), and the
rest is Django's: the same ``user_can_authenticate`` (an inactive user is no user), the same
password check and permissions.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

from motcua.core import rows

from .models import User


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        if user_id is None:
            return None
        user = rows.first(User, id=user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
