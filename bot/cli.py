"""The `resourcebot` command line: one subcommand per job, settings problems reported cleanly."""

from __future__ import annotations

import argparse
import logging
import socket
import sys
import textwrap
from importlib.metadata import PackageNotFoundError, version

import uvicorn

from bot.http_guard import Limits, uvicorn_options
from bot.logging_setup import adopt_uvicorn_loggers, configure_from_settings
from bot.settings import Settings, SettingsError, load_settings, slack_credentials

log = logging.getLogger("bot")

EXIT_SETTINGS = 2


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
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    return sock


def _serve_forever(app, sock: socket.socket, limits: Limits | None = None) -> None:
    # log_config=None: uvicorn's lines go through our handler, in RESOURCEBOT_LOG_FORMAT.
    server = uvicorn.Server(
        uvicorn.Config(
            app, log_level="warning", access_log=False, log_config=None, **uvicorn_options(limits or Limits())
        )
    )
    adopt_uvicorn_loggers()  # also from a Config built earlier (the built-in sandbox's)
    server.run(sockets=[sock])


def cmd_sandbox(args: argparse.Namespace) -> int:
    from bot.sandbox.infobip import InfobipSandbox, SandboxConfig, create_app

    settings = load_settings()
    config = SandboxConfig(
        webhook_url=args.webhook_url,
        webhook_username=settings.infobip_webhook_username,
        webhook_password=(
            settings.infobip_webhook_password.get_secret_value() if settings.infobip_webhook_password else None
        ),
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
    log.info(
        "Infobip sandbox listening on http://%s:%s, accepting %s; webhooks to %s",
        host,
        port,
        key_note,
        args.webhook_url or "nowhere (use --webhook-url)",
    )
    _serve_forever(create_app(InfobipSandbox(config)), sock)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from bot.runtime import assemble
    from bot.server import create_app

    settings = load_settings(required=slack_credentials)  # no signing secret in Socket Mode
    if not settings.uses_infobip_sandbox and not settings.infobip_webhook_password:
        # With the real service, unauthenticated webhooks would be refused: no status would arrive.
        raise SettingsError(
            [
                "INFOBIP_WEBHOOK_USERNAME, INFOBIP_WEBHOOK_PASSWORD: missing; set the Basic pair that "
                "Infobip's webhook subscription sends"
            ]
        )
    # --host/--port win; else HOST/PORT from the environment or .env; else 127.0.0.1:3000.
    sock = _bound_socket(
        args.host if args.host is not None else settings.host, args.port if args.port is not None else settings.port
    )
    host, port = sock.getsockname()[:2]
    reachable = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    assembled = assemble(settings, bot_url=f"http://{reachable}:{port}")
    mode = "Socket Mode, connecting in the background" if settings.uses_socket_mode else "HTTP at /slack/events"
    log.info(
        "resourcebot listening on http://%s:%s (Slack over %s, Infobip webhooks at /webhooks/infobip)", host, port, mode
    )
    try:
        _serve_forever(create_app(assembled.services), sock, settings.http_limits)
    finally:
        assembled.close()
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    import csv
    import json

    from bot.store.audit import audit_rows
    from bot.store.db import open_database

    settings = load_settings()
    # `state` last: scripts that read the earlier columns by position keep working.
    columns = ["at", "actor", "action", "target", "provider", "details", "before", "after", "state"]
    rows = [
        [
            row["at"],
            row["actor"],
            row["action"],
            row["target"],
            row["provider"] or "",
            *(
                json.dumps(v, sort_keys=True) if v not in (None, {}) else ""
                for v in (row["details"], row["before"], row["after"])
            ),
            row["state"],
        ]
        for row in audit_rows(open_database(settings.resourcebot_db), action_prefix=args.action, since=args.since)
    ]
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
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from bot.check import run_check

    settings = load_settings(required=slack_credentials)  # no signing secret in Socket Mode
    logging.getLogger().setLevel(logging.WARNING)
    return run_check(settings)


def cmd_demo(args: argparse.Namespace) -> int:
    from bot.demo import run_demo

    # The demo prints threads; the servers' own logs would drown them.
    logging.getLogger().setLevel(logging.WARNING)
    return run_demo()


def package_version() -> str:
    try:
        return version("resourcebot")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def _settings_overview() -> str:
    """Every setting by name, grouped by what it configures: generated, so it cannot drift."""
    groups: dict[str, list[str]] = {}
    for name in Settings.model_fields:
        prefix = name.split("_", 1)[0] if name.startswith(("slack_", "infobip_", "cm_", "resourcebot_")) else "other"
        groups.setdefault(prefix, []).append(name.upper())
    titles = {"slack": "Slack", "infobip": "Infobip", "cm": "CM.com", "resourcebot": "The bot", "other": "Serving"}
    lines = []
    for prefix, title in titles.items():
        if prefix in groups:
            lines += textwrap.wrap(
                ", ".join(groups[prefix]),
                width=100,
                initial_indent=f"  {title + ':':<9}",
                subsequent_indent=" " * 11,
                break_on_hyphens=False,
            )
    return "\n".join(lines)


DESCRIPTION = """\
resourcebot: a Slack bot through which staff request and manage telecom resources (sender IDs,
numbers, associations) from Infobip and CM.com.

Settings come from the environment, or from a .env file in the working directory (the environment
wins); .env.example lists each one with what it means. A missing or malformed setting is named on
stderr, all at once, with exit code 2; secret values are never printed.

{settings}
"""

EPILOG = "`python -m bot ...` is the same as `resourcebot ...`. `resourcebot COMMAND --help` says what a command needs."


def _command(commands, name: str, summary: str, needs: str) -> argparse.ArgumentParser:
    """A subcommand whose one-line help (in the list) is `summary` and whose own --help also says `needs`."""
    return commands.add_parser(
        name,
        help=summary,
        description=f"{summary}.\n\nNeeds: {needs}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="resourcebot",
        description=DESCRIPTION.format(settings=_settings_overview()),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = _command(
        commands,
        "serve",
        "run the bot: Slack, provider webhooks, /healthz and /metrics",
        "SLACK_BOT_TOKEN; SLACK_SIGNING_SECRET for Slack over HTTP (SLACK_APP_TOKEN: Socket Mode). With\n"
        "INFOBIP_BASE_URL and INFOBIP_API_KEY it uses that account and also needs\n"
        "INFOBIP_WEBHOOK_USERNAME/_PASSWORD; without them it starts the built-in sandbox.\n"
        "Optional: CM_* for CM.com, PUBLIC_URL, RESOURCEBOT_DB and the other RESOURCEBOT_* settings.",
    )
    serve.add_argument("--host", default=None, help="address to listen on (default: HOST, else 127.0.0.1)")
    serve.add_argument(
        "--port", type=int, default=None, help="port to listen on; 0 picks a free one (default: PORT, else 3000)"
    )
    serve.set_defaults(run=cmd_serve)

    audit = _command(
        commands,
        "audit",
        "list the changes made through the bot (purchases, cancellations, …)",
        "RESOURCEBOT_DB, the bot's database (default ./data/resourcebot.sqlite3); nothing else.",
    )
    audit.add_argument("--action", help="only actions starting with this, e.g. number. or number.purchase")
    audit.add_argument("--since", help="only changes at or after this ISO date or time, e.g. 2026-11-01")
    audit.add_argument("--csv", action="store_true", help="CSV for spreadsheets instead of a table")
    audit.set_defaults(run=cmd_audit)

    check = _command(
        commands,
        "check",
        "validate the settings and reach Slack and each provider",
        "the settings `serve` would use: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET (not in Socket Mode),\n"
        "and the Infobip and CM.com settings when set (each configured one is reached). Exit 2 on a problem.",
    )
    check.set_defaults(run=cmd_check)

    demo = _command(
        commands,
        "demo",
        "the main job on embedded defaults: whole request lifecycles, printed",
        "nothing: it starts its own Infobip sandbox, Slack stand-in and temporary database.",
    )
    demo.set_defaults(run=cmd_demo)

    sandbox = _command(
        commands,
        "sandbox",
        "run the Infobip stand-in alone, to try the bot for free",
        "nothing. Optional: INFOBIP_API_KEY (the key it accepts; made up and printed when unset),\n"
        "INFOBIP_WEBHOOK_USERNAME/_PASSWORD (the Basic pair its webhooks carry).",
    )
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=3001, help="0 picks a free port (default 3001)")
    sandbox.add_argument("--webhook-url", help="where to POST status-change and reminder webhooks")
    sandbox.add_argument(
        "--review",
        choices=["auto", "manual"],
        default="auto",
        help="auto: every valid request is approved; manual: it waits for /_sandbox reviewer calls",
    )
    sandbox.add_argument(
        "--step",
        type=float,
        default=5.0,
        help="seconds between lifecycle steps; 0 moves nothing on its own (default 5)",
    )
    sandbox.set_defaults(run=cmd_sandbox)
    return parser


def _logging_settings() -> Settings | None:
    """The settings, for the logs alone; None when they cannot be read (the command says why)."""
    try:
        return load_settings()
    except SettingsError:
        return None


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_from_settings(_logging_settings())
    try:
        return args.run(args)
    except SettingsError as error:
        return _report_settings(error)
    except KeyboardInterrupt:
        return 130
