"""JSON from the outside world, refused before parsing when it nests deeper than any real
payload does: Python's parser (and pydantic after it) recurse, so 100,000 brackets would raise
RecursionError deep inside, where it becomes a 500."""

from __future__ import annotations

import json
from typing import Any

# Slack's deepest payloads (rich text inside a view's state inside a view) and Infobip's webhooks
# stay far below this.
MAX_DEPTH = 64


class TooDeep(ValueError):
    """Nested deeper than MAX_DEPTH."""


def depth(text: bytes | str) -> int:
    """How deep objects and arrays nest, counted without parsing (brackets inside strings don't count)."""
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    deepest = level = 0
    in_string = escaped = False
    for byte in data:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            level += 1
            deepest = max(deepest, level)
        elif byte in (0x5D, 0x7D):  # ] }
            level -= 1
    return deepest


def check_depth(text: bytes | str, max_depth: int = MAX_DEPTH) -> None:
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    if data.count(b"[") + data.count(b"{") <= max_depth:
        return  # too few brackets to nest that deep: no need to walk it
    if depth(data) > max_depth:
        raise TooDeep(f"JSON nested deeper than {max_depth} levels")


def loads(text: bytes | str, max_depth: int = MAX_DEPTH) -> Any:
    """json.loads, refusing (TooDeep, a ValueError) what nests deeper than `max_depth`."""
    check_depth(text, max_depth)
    return json.loads(text)
