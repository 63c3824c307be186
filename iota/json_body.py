"""Reading the JSON bodies that the pupil players send."""

import json
import uuid
from typing import Any


def read_keyed_object(body: bytes) -> tuple[dict[str, Any], uuid.UUID]:
    """Return a JSON object body and its `key`, the UUID that makes a resend harmless.

    Raises ValueError with a message naming what is wrong: the body is not JSON
    (deep nesting included), not an object, or its key is not a UUID.
    """
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise ValueError(f"body is not JSON: {error}") from error
    if not isinstance(data, dict):
        raise ValueError("body must be a JSON object")
    try:
        key = uuid.UUID(str(data.get("key")))
    except ValueError as error:
        raise ValueError(f"key {data.get('key')!r} is not a UUID") from error
    return data, key
