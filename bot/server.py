"""The bot's HTTP surface: Slack at /slack/events, provider webhooks, health and readiness.

A webhook is answered 200 only once its events and their outbox rows are committed; the
outbox worker, started with the app, posts them to Slack afterwards. In Socket Mode the
connection to Slack is made in the background (bot/slack/socket_mode.py): every route is served
from the start, and /readyz says when Slack is usable.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hmac
import logging
import sqlite3
from functools import partial

from slack_bolt.adapter.starlette.async_handler import to_async_bolt_request, to_starlette_response
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot import bounded_json
from bot.http_guard import BodyGuard
from bot.jobs.schedule import start_jobs
from bot.metrics import WEBHOOK_RESULT, webhook_result
from bot.providers.cm.client import CmError, CmNotFound
from bot.providers.cm.events import PROVIDER as CM_PROVIDER
from bot.providers.cm.events import changed as cm_changed
from bot.providers.cm.events import to_provider_event as cm_event
from bot.providers.infobip.errors import InfobipError, InfobipNotFound
from bot.readiness import readiness
from bot.services import Services, slack_client
from bot.settings import Settings
from bot.slack.auth_watch import watch_auth
from bot.slack.envelope import check_depth as check_slack_depth
from bot.slack.envelope import problem as envelope_problem
from bot.slack.link import HTTP, SOCKET_MODE, SlackLink
from bot.slack.listeners import register_all
from bot.slack.template_links import link_is_valid
from bot.store.backlog import read_backlog
from bot.store.events import Outcome, record_events
from bot.store.outbox import pending_count
from bot.store.requests import find_by_callback_token, update_request
from bot.store.worker import is_locked
from bot.usecases.ingest_webhook import ingest_infobip

log = logging.getLogger("bot.server")


def create_bolt_app(services: Services) -> AsyncApp:
    settings = services.settings
    app = AsyncApp(
        client=services.slack,
        signing_secret=settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else "",
    )
    register_all(app, services)
    return app


def _basic_credentials_ok(header: str, username: str, password: str) -> bool:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        user, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
    except ValueError:  # not base64 (binascii.Error), not ASCII, not UTF-8: all ValueErrors
        return False
    # Both compared, always: the time taken says nothing about which one was wrong.
    return hmac.compare_digest(user.encode(), username.encode()) & hmac.compare_digest(
        secret.encode(), password.encode()
    )


def _slack_signature_ok(verifier: SignatureVerifier, body: bytes, headers) -> bool:
    try:
        return verifier.is_valid_request(body, dict(headers))
    except (ValueError, TypeError, OverflowError):  # a timestamp that is not a number
        return False


def _report_end(task: asyncio.Task) -> None:
    """The Slack link's task runs until shutdown; if it ever ends by itself, say why (loudly: the
    bot would stay unready)."""
    if not task.cancelled() and task.exception() is not None:
        log.error("the Slack connection's task stopped: %r", task.exception(), exc_info=task.exception())


async def slack_events(bolt: AsyncApp, verifier: SignatureVerifier | None, request: Request):
    # Bolt reads a body before it checks its signature, and raises (a 500) on one it cannot
    # read. So: the signature first (401, as Bolt answers it), then Bolt reads it (400 if it
    # cannot), then Bolt handles it as its Starlette adapter would.
    body = await request.body()
    if verifier is None or not _slack_signature_ok(verifier, body, request.headers):
        return JSONResponse({"error": "invalid request"}, status_code=401)
    try:
        check_slack_depth(body)
        bolt_request = to_async_bolt_request(request, body)
        malformed = envelope_problem(bolt_request.body)
    except (
        ValueError,
        TypeError,
        AttributeError,
        KeyError,
        IndexError,
    ) as error:  # not JSON, not UTF-8, odd shapes
        malformed = f"{type(error).__name__}: {error}"
    if malformed:
        log.info("Slack request the bot cannot read: %s", malformed)
        return JSONResponse({"error": "malformed request"}, status_code=400)
    return to_starlette_response(await bolt.async_dispatch(bolt_request))


async def infobip_webhook(services: Services, request: Request):
    if not _basic_credentials_ok(request.headers.get("authorization", ""), *services.webhook_credentials):
        return JSONResponse(
            {"error": "missing or wrong credentials"},
            status_code=401,
            headers={"WWW-Authenticate": 'Basic realm="resourcebot"'},
        )
    body = await request.body()  # within its limit: see bot/http_guard.py
    ingested = await services.store.run(ingest_infobip, body)
    if ingested.problem is not None:
        return JSONResponse({"error": ingested.problem}, status_code=400)
    outcomes = ingested.outcomes
    setattr(request.state, WEBHOOK_RESULT, webhook_result(outcomes))
    if any(o in (Outcome.APPLIED, Outcome.REMINDER) for o in outcomes):
        services.outbox.wake()
    if ingested.unknown and ingested.confirming:
        # It may be a submission whose answer was lost, not linked yet: Infobip sends again what
        # is not answered 2xx, and by then it is ours (or given up). The rest is recorded already.
        log.info(
            "Infobip webhook for unknown request %s while submissions are being confirmed: asked to send it again",
            ingested.unknown[0][0],
        )
        return JSONResponse(
            {"error": "unknown request while submissions are being confirmed; send it again"},
            status_code=503,
            headers={"Retry-After": "30"},
        )
    for provider_request_id, status in ingested.unknown:
        log.warning("Infobip webhook for unknown request %s (%s): ignored", provider_request_id, status)
    return JSONResponse({"received": len(outcomes), "outcomes": [str(o) for o in outcomes]})


async def cm_callback(services: Services, request: Request):
    """CM.com POSTs the whole number request here. The body is not trusted: the token in the
    path picks the request, and what is recorded is what CM.com answers when asked."""
    found = await services.store.run(find_by_callback_token, request.path_params["token"])
    if found is None or found.provider != CM_PROVIDER or services.cm is None:
        setattr(request.state, WEBHOOK_RESULT, "unknown")
        return JSONResponse({"error": "unknown callback"}, status_code=404)
    body = await request.body()
    try:
        data = bounded_json.loads(body)
    except ValueError:  # not JSON, not UTF-8, too deep
        data = None
    if not isinstance(data, dict):
        return JSONResponse({"error": "expected a JSON object"}, status_code=400)
    # The id is learned from the first callback (the create answer has none); after that, ours wins.
    cm_id = found.provider_request_id or (str(data["id"]) if data.get("id") else None)
    if cm_id is None:
        return JSONResponse({"outcome": "no id to read back yet"}, status_code=202)
    try:
        state = await services.cm.get_number_request(cm_id)
    except CmNotFound:
        return JSONResponse({"error": "no such number request at CM.com"}, status_code=404)
    except CmError as error:
        log.warning("CM.com callback for %s: could not read it back: %s", found.id, error)
        return JSONResponse({"error": "could not read the request back; try again"}, status_code=502)
    if found.provider_request_id is None:
        # The id came from an untrusted body: it is ours only if CM.com's own record of that
        # request calls back to this very token.
        if not (state.callback_url or "").endswith(f"/webhooks/cm/{found.callback_token}"):
            return JSONResponse({"error": "that number request does not call back here"}, status_code=404)
        found = await services.store.run(update_request, found.id, provider_request_id=cm_id)
    if not cm_changed(found, state):
        setattr(request.state, WEBHOOK_RESULT, "duplicate")
        return JSONResponse({"outcome": "unchanged"})
    [recorded] = await services.store.run(record_events, [cm_event(state, cm_id, services.clock.now())])
    if recorded.outcome == Outcome.APPLIED:
        services.outbox.wake()
    return JSONResponse({"outcome": str(recorded.outcome)})


async def document(services: Services, request: Request):
    """A requirement's template or sample, through a signed link from the form (see template_links)."""
    document_id = request.path_params["document_id"]
    if not link_is_valid(
        services.signing_secret,
        document_id,
        request.query_params.get("expires", ""),
        request.query_params.get("signature", ""),
    ):
        return PlainTextResponse(
            "This download link is not valid or has expired: open the form again.", status_code=403
        )
    try:
        found = await services.infobip.download_document(document_id)
    except InfobipNotFound:
        return PlainTextResponse("Infobip no longer has this document.", status_code=404)
    except InfobipError as error:
        log.warning("template %s could not be fetched: %s", document_id, error)
        return PlainTextResponse("Infobip could not be reached; try again in a minute.", status_code=502)
    name = found.filename or f"{document_id[:12]}.pdf"
    return Response(
        found.content,
        media_type=found.content_type or "application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


async def metrics(services: Services, request: Request):
    """Prometheus; the backlog is read now, through the store like every other read."""
    return services.metrics.response(await services.store.run(read_backlog), request.headers.get("accept"))


async def healthz(services: Services, request: Request):
    """The process is alive (whether or not Slack is connected yet: that is /readyz)."""
    return JSONResponse({"ok": True, "outbox_pending": await services.store.run(pending_count)})


async def readyz(services: Services, link: SlackLink, request: Request):
    """200 when Slack is usable and the database answers, else 503 naming what is not."""
    ready, body = await readiness(services.store, link)
    return JSONResponse(body, status_code=200 if ready else 503)


def watch_slack(bolt: AsyncApp, settings: Settings, link: SlackLink) -> asyncio.Task:
    """Socket Mode connects and stays connected, or over HTTP auth.test checks the bot token:
    on a task of its own, so nothing waits for Slack; `link` says how it stands."""
    if settings.slack_app_token:
        # Slack events over a websocket instead of /slack/events (no public URL needed);
        # webhooks from providers still arrive over HTTP.
        from bot.slack.socket_mode import SocketModeSupervisor

        watch = SocketModeSupervisor(
            bolt, settings.slack_app_token.get_secret_value(), settings.slack_api_url, link
        ).run()
    else:
        watch = watch_auth(slack_client(settings, retries=False), link)
    task = asyncio.create_task(watch, name="slack-link")
    task.add_done_callback(_report_end)
    return task


@contextlib.asynccontextmanager
async def lifespan(services: Services, bolt: AsyncApp, link: SlackLink, app: Starlette):
    with services.store.answers_on_this_loop():
        worker = asyncio.create_task(services.outbox.run(), name="outbox")
        jobs = start_jobs(services)
        slack_watch = watch_slack(bolt, services.settings, link)
        try:
            yield
        finally:
            for task in (slack_watch, worker, *jobs):
                task.cancel()
            await asyncio.gather(slack_watch, worker, *jobs, return_exceptions=True)


async def database_busy(request: Request, error: Exception) -> Response:
    """Another process held SQLite's write lock past the busy timeout: the sender may retry
    (Infobip and CM.com resend what is not answered 2xx); never a 500."""
    if not is_locked(error):
        raise error
    log.warning("database locked past the busy timeout on %s: answered 503", request.url.path)
    return JSONResponse(
        {"error": "the bot's database is busy; send it again in a moment"},
        status_code=503,
        headers={"Retry-After": "5"},
    )


def create_app(services: Services) -> BodyGuard:
    bolt = create_bolt_app(services)
    settings = services.settings
    # In Socket Mode the signing secret is optional; without one nothing sent to /slack/events can
    # be verified, so everything sent there is refused (Slack's requests arrive over the socket).
    verifier = (
        SignatureVerifier(settings.slack_signing_secret.get_secret_value()) if settings.slack_signing_secret else None
    )
    link = SlackLink(SOCKET_MODE if settings.uses_socket_mode else HTTP)
    counted = services.metrics.counted_webhook
    routes = [
        Route("/slack/events", partial(slack_events, bolt, verifier), methods=["POST"]),
        Route("/webhooks/infobip", counted("infobip", partial(infobip_webhook, services)), methods=["POST"]),
        Route("/webhooks/cm/{token}", counted("cm", partial(cm_callback, services)), methods=["POST"]),
        Route("/documents/{document_id}", partial(document, services), methods=["GET"]),
        Route("/healthz", partial(healthz, services), methods=["GET"]),
        Route("/readyz", partial(readyz, services, link), methods=["GET"]),
        Route("/metrics", partial(metrics, services), methods=["GET"]),
    ]
    app = Starlette(
        routes=routes,
        lifespan=partial(lifespan, services, bolt, link),
        exception_handlers={sqlite3.OperationalError: database_busy},
    )
    return BodyGuard(app, settings.http_limits)
