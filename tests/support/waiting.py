"""The one poll-until-true helper the tests share (bench/ and the demo keep their own: neither
may depend on tests/)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def wait_until(
    predicate: Callable[[], Any], timeout: float = 10.0, what: str = "condition", interval: float = 0.02
) -> Any:
    """The predicate's first truthy value; AssertionError naming `what` once `timeout` seconds
    pass. The predicate is asked once more after the deadline, so a slow last poll still counts."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(interval)
