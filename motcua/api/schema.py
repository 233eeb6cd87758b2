"""The OpenAPI schema class of every endpoint: the problem responses every operation may answer.

Listed once here (RFC 9457 ``application/problem+json``) so that the schema tells the truth about
errors for every endpoint, present or added later, and contract fuzzing can hold the API to it.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "code": {"type": "string"},
        "detail": {"type": "string"},
        "detail_vi": {"type": "string"},
        "detail_en": {"type": "string"},
        "field": {"type": "string"},
        "errors": {},
    },
    "required": ["type", "title", "status", "code", "detail", "detail_vi", "detail_en"],
}
_PROBLEM = OpenApiResponse(PROBLEM_SCHEMA, description="problem details (RFC 9457)")
_ALWAYS = (400, 401, 403, 404, 405, 406, 429)
_UNSAFE = (409, 413, 415, 422, 428)


class ProblemAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        codes = _ALWAYS + (_UNSAFE if self.method in ("POST", "PUT", "PATCH", "DELETE") else ())
        for code in codes:
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(  # type: ignore[no-untyped-call]
                    _PROBLEM, str(code), ["application/problem+json"], direction
                )
        return responses
