"""Request bodies that refuse what they do not know (issue #9: unknown fields are an error)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class StrictSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A serializer whose input may only carry its declared fields: anything else is a 400 naming
    the unknown field(s), so a misspelt field is never silently ignored."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - {name for name, f in self.fields.items() if not f.read_only})
            if unknown:
                raise serializers.ValidationError(
                    {name: ["Trường không được hỗ trợ. / Unknown field."] for name in unknown}
                )
        return super().to_internal_value(data)


# The largest id a database column holds (SQLite and PostgreSQL bigint): a bigger number is refused
# by validation instead of overflowing in the database driver.
MAX_ID = 2**63 - 1


def id_field(**kwargs: Any) -> serializers.IntegerField:
    """An integer id field: 1 … MAX_ID."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)
