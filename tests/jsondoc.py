"""A JSON object a test reads back (an answer, a receipt, an export line) and reaches into.

The code under test reads JSON with its strict typed readers; a test only looks inside what it
was given, so it takes the decoded object's fields as ``Any``. The bytes must still be canonical
JSON (§4) holding an object.
"""

from __future__ import annotations

from typing import Any

from crypto import canonical

__all__ = ["json_object"]


def json_object(data: bytes) -> dict[str, Any]:
    """The object that canonical JSON ``data`` holds."""
    value = canonical.decode(data)
    assert isinstance(value, dict), f"not a JSON object: {value!r}"[:200]
    return value
