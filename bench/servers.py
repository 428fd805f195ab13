"""The servers the benchmarks start in processes of their own: `python -m bench.servers KIND`.

- `bot`: the bot as `resourcebot serve` builds it (settings from the environment, the built-in
  Infobip sandbox), with two knobs a benchmark needs: `--outbox paused` (webhook ingestion
  measured alone: items stay queued) and `--post-rate` (the outbox's pace per channel when the
  Slack stand-in's rate limit runs sped up).
- `bare-bolt`: the baseline for Slack: a bare slack-bolt AsyncApp on the same stack (Starlette +
  AsyncSlackRequestHandler + uvicorn) whose /resource handler only acks, or, for text `open`,
  acks and opens a static modal at once.
- `bare-store`: the baseline for webhooks: a bare Starlette endpoint that stores the JSON body
  with sqlite-utils (WAL, synchronous=NORMAL, as the bot) and answers 200 after the commit.
- `trivial`: a raw ASGI app answering 200 at once: the load generator's ceiling.

Each binds port 0 and prints `BENCH {"url": …}` once it listens (see common.ServerProcess).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import socket
import sqlite3

import uvicorn

from bench.common import announce

PORT = 0  # --port; 0: the OS picks a free one


def _socket() -> socket.socket:
    # IPPROTO_TCP, as the bot's (see bot/cli.py): asyncio then sets TCP_NODELAY on accepted sockets.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", PORT))
    sock.listen(1024)
    return sock


def _url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}"


def _serve(app, sock: socket.socket, options: dict | None = None, **info) -> None:
    """`options`: more uvicorn.Config arguments (the bot's connection bounds, as `serve` has them)."""
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, backlog=1024, **(options or {})))
    original_startup = server.startup

    async def startup(sockets=None):
        await original_startup(sockets=sockets)
        announce(url=_url(sock), **info)

    server.startup = startup  # type: ignore[method-assign]
    server.run(sockets=[sock])


def bare_bolt(args: argparse.Namespace) -> None:
    from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    client = AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"], timeout=15)
    bolt = AsyncApp(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"])
    loading = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "New request"},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Loading…"}}],
    }

    @bolt.command("/resource")
    async def resource(ack, body, client) -> None:
        await ack()
        if body.get("text") == "open":
            await client.views_open(trigger_id=body["trigger_id"], view=loading)

    handler = AsyncSlackRequestHandler(bolt)

    async def events(request):
        return await handler.handle(request)

    async def healthz(request):
        return JSONResponse({"ok": True})

    app = Starlette(
        routes=[Route("/slack/events", events, methods=["POST"]), Route("/healthz", healthz, methods=["GET"])]
    )
    _serve(app, _socket())


def bare_store(args: argparse.Namespace) -> None:
    import sqlite_utils
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    conn = sqlite3.connect(args.db, check_same_thread=False)
    db = sqlite_utils.Database(conn)
    db.enable_wal()
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("PRAGMA synchronous = NORMAL")
    db["events"].create({"id": int, "body": str, "received_at": float}, pk="id", if_not_exists=True)

    async def webhook(request: Request):
        body = await request.body()
        with db.atomic():
            db["events"].insert({"body": body.decode(), "received_at": 0.0})
        return JSONResponse({"received": 1})

    async def healthz(request: Request):
        return JSONResponse({"ok": True})

    app = Starlette(
        routes=[Route("/webhooks/infobip", webhook, methods=["POST"]), Route("/healthz", healthz, methods=["GET"])]
    )
    _serve(app, _socket())


def trivial(args: argparse.Namespace) -> None:
    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        more = True
        while more:  # read the body, as any server must
            message = await receive()
            more = message.get("more_body", False)
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"2")],
            }
        )
        await send({"type": "http.response.body", "body": b"{}"})

    _serve(app, _socket())


def bot(args: argparse.Namespace) -> None:
    from bot.http_guard import uvicorn_options
    from bot.runtime import assemble
    from bot.server import create_app
    from bot.settings import load_settings
    from bot.slack.pacer import ChannelPacer

    settings = load_settings(_env_file=None, required=("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"))
    sock = _socket()
    assembled = assemble(settings, bot_url=_url(sock))
    services = assembled.services
    if args.post_rate:
        services.outbox.pacer = ChannelPacer(rate=args.post_rate, burst=args.post_burst)
    if args.outbox == "paused":

        async def paused() -> None:
            await asyncio.Event().wait()

        services.outbox.run = paused  # type: ignore[method-assign]
    try:
        _serve(
            create_app(services),
            sock,
            uvicorn_options(settings.http_limits),
            sandbox_url=assembled.sandbox_server.url if assembled.sandbox_server else None,
        )
    finally:
        assembled.close()


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(prog="python -m bench.servers")
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the whole run to FILE on exit")
    parser.add_argument("--port", type=int, default=0)
    sub = parser.add_subparsers(dest="kind", required=True)
    sub.add_parser("bare-bolt").set_defaults(run=bare_bolt)
    store = sub.add_parser("bare-store")
    store.add_argument("--db", required=True)
    store.set_defaults(run=bare_store)
    sub.add_parser("trivial").set_defaults(run=trivial)
    b = sub.add_parser("bot")
    b.add_argument("--outbox", choices=["live", "paused"], default="live")
    b.add_argument("--post-rate", type=float, default=0.0, help="chat.postMessage per second per channel")
    b.add_argument("--post-burst", type=int, default=2)
    b.set_defaults(run=bot)
    args = parser.parse_args()
    global PORT
    PORT = args.port
    if not args.profile:
        args.run(args)
        return
    import cProfile
    import signal

    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt  # out of the server, so that the profile is written

    signal.signal(signal.SIGTERM, interrupt)
    profiler = cProfile.Profile()
    try:
        profiler.runcall(args.run, args)
    except KeyboardInterrupt:
        pass
    finally:
        profiler.dump_stats(args.profile)


if __name__ == "__main__":
    main()
