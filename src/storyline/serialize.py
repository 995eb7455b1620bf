"""Records as plain JSON values, for `--json` output and the API."""

from __future__ import annotations

import json
from dataclasses import fields, is_dataclass
from typing import Any


def to_jsonable(obj: Any) -> Any:
    """Dataclasses, dicts and sequences as JSON values; raw bytes are left out."""
    if is_dataclass(obj) and not isinstance(obj, type):
        return {
            f.name: to_jsonable(getattr(obj, f.name))
            for f in fields(obj)
            if not isinstance(getattr(obj, f.name), bytes | bytearray)
        }
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items() if not isinstance(v, bytes | bytearray)}
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    return obj


def dumps(obj: Any, *, indent: int | None = 2) -> str:
    return json.dumps(to_jsonable(obj), ensure_ascii=False, indent=indent)
