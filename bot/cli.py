"""The `resourcebot` command line: one subcommand per job, settings problems reported cleanly."""

from __future__ import annotations

import argparse
import logging
import socket
import sys

import uvicorn

from bot.http_guard import Limits, uvicorn_options
from bot.settings import SettingsError, load_settings

log = logging.getLogger("bot")

EXIT_SETTINGS = 2


def _configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _report_settings(error: SettingsError) -> int:
    print("resourcebot: settings problems:", file=sys.stderr)
    for problem in error.problems:
        print(f"  {problem}", file=sys.stderr)
    return EXIT_SETTINGS


def _bound_socket(host: str, port: int) -> socket.socket:
    """Bind and listen first, so the log can say the real port when --port 0 picked one, and a
    client that reads it can connect at once (the backlog holds it until the server accepts)."""
    # proto=IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say TCP, and the accepted
    # ones inherit it. Without it a response written in two parts waits for a delayed ACK: +40 ms.
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM,
                        socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    return sock


def _serve_forever(app, sock: socket.socket, limits: Limits | None = None) -> None:
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False,
                                           **uvicorn_options(limits or Limits())))
    server.run(sockets=[sock])


def cmd_sandbox(args: argparse.Namespace) -> int:
    from bot.sandbox.infobip import InfobipSandbox, SandboxConfig, create_app

    settings = load_settings()
    config = SandboxConfig(
        webhook_url=args.webhook_url,
        webhook_username=settings.infobip_webhook_username,
        webhook_password=(settings.infobip_webhook_password.get_secret_value()
                          if settings.infobip_webhook_password else None),
        lifecycle_step=args.step if args.step > 0 else None,
        review=args.review,
    )
    if settings.infobip_api_key:
        config.api_key = settings.infobip_api_key.get_secret_value()
        key_note = "the API key from INFOBIP_API_KEY"
    else:
        # A made-up key for a local stand-in is no secret: the user needs it to call the sandbox.
        key_note = f"API key {config.api_key} (set INFOBIP_API_KEY to choose one)"
    sock = _bound_socket(args.host, args.port)
    host, port = sock.getsockname()[:2]
    log.info("Infobip sandbox listening on http://%s:%s, accepting %s; webhooks to %s",
             host, port, key_note, args.webhook_url or "nowhere (use --webhook-url)")
    _serve_forever(create_app(InfobipSandbox(config)), sock)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from bot.runtime import assemble
    from bot.server import create_app

    settings = load_settings(required=("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"))
    if not settings.uses_infobip_sandbox and not settings.infobip_webhook_password:
        # With the real service, unauthenticated webhooks would be refused: no status would arrive.
        raise SettingsError(["INFOBIP_WEBHOOK_USERNAME, INFOBIP_WEBHOOK_PASSWORD: missing; set the Basic pair that "
                             "Infobip's webhook subscription sends"])
    sock = _bound_socket(args.host, args.port)
    host, port = sock.getsockname()[:2]
    reachable = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    assembled = assemble(settings, bot_url=f"http://{reachable}:{port}")
    mode = "Socket Mode" if settings.slack_app_token else "HTTP at /slack/events"
    log.info("resourcebot listening on http://%s:%s (Slack over %s, Infobip webhooks at /webhooks/infobip)",
             host, port, mode)
    try:
        _serve_forever(create_app(assembled.services), sock, settings.http_limits)
    finally:
        assembled.stop_sandbox()
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    import csv
    import json

    from bot.store.audit import audit_rows
    from bot.store.db import open_database

    settings = load_settings()
    # `state` last: scripts that read the earlier columns by position keep working.
    columns = ["at", "actor", "action", "target", "provider", "details", "before", "after", "state"]
    rows = [[row["at"], row["actor"], row["action"], row["target"], row["provider"] or "",
             *(json.dumps(v, sort_keys=True) if v not in (None, {}) else "" for v in
               (row["details"], row["before"], row["after"])), row["state"]]
            for row in audit_rows(open_database(settings.resourcebot_db), action_prefix=args.action, since=args.since)]
    if args.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
        return 0
    if not rows:
        print("No changes recorded" + (f" for {args.action}…" if args.action else "") + ".")
        return 0
    widths = [max(len(columns[i]), *(len(row[i]) for row in rows)) for i in range(len(columns))]
    for line in [columns, ["-" * w for w in widths], *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip())
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from bot.check import run_check

    settings = load_settings(required=("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"))
    logging.getLogger().setLevel(logging.WARNING)
    return run_check(settings)


def cmd_demo(args: argparse.Namespace) -> int:
    from bot.demo import run_demo

    # The demo prints threads; the servers' own logs would drown them.
    logging.getLogger().setLevel(logging.WARNING)
    return run_demo()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="resourcebot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the bot: Slack, provider webhooks, health")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=3000, help="0 picks a free port (default 3000)")
    serve.set_defaults(run=cmd_serve)

    audit = commands.add_parser("audit", help="list the changes made through the bot (purchases, cancellations, …)")
    audit.add_argument("--action", help="only actions starting with this, e.g. number. or number.purchase")
    audit.add_argument("--since", help="only changes at or after this ISO date or time, e.g. 2026-11-01")
    audit.add_argument("--csv", action="store_true", help="CSV for spreadsheets instead of a table")
    audit.set_defaults(run=cmd_audit)

    check = commands.add_parser("check", help="validate the settings and reach Slack and each provider")
    check.set_defaults(run=cmd_check)

    demo = commands.add_parser("demo", help="the main job on embedded defaults: whole request lifecycles, printed")
    demo.set_defaults(run=cmd_demo)

    sandbox = commands.add_parser("sandbox", help="run the Infobip stand-in alone, to try the bot for free")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=3001, help="0 picks a free port (default 3001)")
    sandbox.add_argument("--webhook-url", help="where to POST status-change and reminder webhooks")
    sandbox.add_argument("--review", choices=["auto", "manual"], default="auto",
                         help="auto: every valid request is approved; manual: it waits for /_sandbox reviewer calls")
    sandbox.add_argument("--step", type=float, default=5.0,
                         help="seconds between lifecycle steps; 0 moves nothing on its own (default 5)")
    sandbox.set_defaults(run=cmd_sandbox)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _configure_logging()
    try:
        return args.run(args)
    except SettingsError as error:
        return _report_settings(error)
    except KeyboardInterrupt:
        return 130
