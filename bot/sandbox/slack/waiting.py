"""Blocking until a stand-in's state meets a test's condition."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(changed: threading.Condition, check: Callable[[], T], timeout: float, what: str) -> T:
    """`check()` once it is truthy, tried again on every change `changed` is notified of (and at
    least every 0.1 s); TimeoutError naming `what` once `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    with changed:
        while True:
            result = check()
            if result:
                return result
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{what} not met within {timeout}s")
            changed.wait(min(left, 0.1))
