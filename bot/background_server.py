"""Run an ASGI app under uvicorn on a background thread, on a real loopback socket.

Used by the demo, the sandbox when the bot starts it for itself, and the tests: every server is
real HTTP, and port 0 lets the OS pick a free port so parallel runs never collide.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import uvicorn

from bot.http_guard import Limits, uvicorn_options


class BackgroundServer:
    def __init__(
        self,
        app: Any = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        log_level: str = "warning",
        limits: Limits | None = None,
    ):
        """Binds at once, so `url` is known before `start()`: two servers that must know each
        other's address (the bot and its sandbox) can be wired up first. Set `app` before start.
        `limits` bound connections as `resourcebot serve` does (bot/http_guard.py)."""
        self.app = app
        self._log_level = log_level
        self.limits = limits or Limits()
        # proto=IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say TCP, and the accepted
        # ones inherit it. Without it a response written in two parts waits for a delayed ACK: +40 ms.
        self._sock = socket.socket(
            socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP
        )
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self.host, self.port = self._sock.getsockname()[:2]
        self._server: uvicorn.Server | None = None
        self._thread = threading.Thread(target=self._run, name=f"server:{self.port}", daemon=True)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def _run(self) -> None:
        assert self._server is not None
        self._server.run(sockets=[self._sock])

    def start(self, timeout: float = 10.0) -> BackgroundServer:
        if self.app is None:
            raise RuntimeError("set BackgroundServer.app before start()")
        config = uvicorn.Config(
            self.app, log_level=self._log_level, lifespan="auto", access_log=False, **uvicorn_options(self.limits)
        )
        self._server = uvicorn.Server(config)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"server on {self.url} did not start")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        if self._server is not None:
            self._server.should_exit = True
            self._thread.join(timeout)
        self._sock.close()

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
