"""Rate limits for every endpoint, cache backed (DRF throttling; decision 0025).

Anonymous callers: ``anon`` per address; authenticated callers (a session or a token): ``client``
per user. Public endpoints may add ``ScopedRateThrottle`` with ``throttle_scope = "public"``.
"""

from __future__ import annotations

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class AnonymousRate(AnonRateThrottle):
    scope = "anon"


class ClientRate(UserRateThrottle):
    scope = "client"
