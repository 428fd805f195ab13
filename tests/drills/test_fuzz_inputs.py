"""Drill: malformed input on the bot's two public POST routes, generated with hypothesis.

- `/webhooks/infobip`: raw bytes, arbitrary JSON, and webhook bodies built from valid ones with
  fields dropped, retyped or replaced (some naming requests the bot knows, so a malformed result
  next to a valid one tests that a rejected body records nothing); wrong credentials.
- `/slack/events`: unsigned and badly signed requests; properly signed ones with random form
  fields, slash commands with odd fields, interactivity payloads of every `type` the bot handles
  (with the bot's own action and callback ids) with missing or odd fields, and Events API bodies.

Never a 5xx. Any request answered 4xx leaves the tables as they were. Examples per test:
RESOURCEBOT_FUZZ_EXAMPLES (default 100); generation is derandomized (the same examples on every
run) unless RESOURCEBOT_FUZZ_RANDOM=1.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import json
import os
import pkgutil
import sqlite3
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bot.slack
from tests.drills.support import seed_requests
from tests.support.infobip_webhooks import infobip_time
from tests.support.names import ALICE, CHANNEL, CM_PROFILE, SIGNING_SECRET

EXAMPLES = int(os.environ.get("RESOURCEBOT_FUZZ_EXAMPLES", "100"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=os.environ.get("RESOURCEBOT_FUZZ_RANDOM") != "1",
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)
# Written only by requests themselves (not by Slack UI work running after an ack).
TABLES = ("requests", "events", "outbox", "audit_log", "intents", "slack_events_seen")


def _listener_ids() -> list[str]:
    """Every action_id / callback_id constant the bot's listeners use."""
    ids: set[str] = set()
    for module in pkgutil.walk_packages(bot.slack.__path__, "bot.slack."):
        for name, value in vars(importlib.import_module(module.name)).items():
            if name.isupper() and name.endswith(("ACTION", "VIEW", "FORM", "LAUNCHER", "CONFIRM", "ACTIONS")):
                if isinstance(value, str):
                    ids.add(value)
                elif isinstance(value, (list, tuple, set, frozenset)):
                    ids.update(v for v in value if isinstance(v, str))
    return sorted(ids)


LISTENER_IDS = _listener_ids()


class Tables:
    """Row counts and contents of the tables, read on a connection of its own (committed data)."""

    def __init__(self, path) -> None:
        self.path = path

    def snapshot(self) -> dict[str, tuple[int, str]]:
        with closing(sqlite3.connect(self.path)) as conn:
            result = {}
            for table in TABLES:
                rows = conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
                # The outbox worker marks rows delivered meanwhile: only its row ids count there.
                content = [r[0] for r in rows] if table == "outbox" else rows
                result[table] = (len(rows), hashlib.sha256(repr(content).encode()).hexdigest())
            return result


# ---- value strategies ----------------------------------------------------------------------

text = st.text(max_size=30)
# What can travel in an HTTP header: printable latin-1, as bytes.
header_text = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=40
).map(lambda s: s.strip(" \t").encode("latin-1"))
odd_scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**63), st.floats(allow_nan=False), text)
json_values = st.recursive(
    odd_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(text, inner, max_size=4)),
    max_leaves=12,
)
# Nesting far deeper than any payload (Python's JSON parser recurses: 100,000 levels used to be a 500).
deep_json = st.one_of(
    st.integers(65, 100_000).map(lambda n: b"[" * n + b"]" * n),
    st.integers(65, 100_000).map(lambda n: b'{"results": ' + b'{"a": ' * n + b"1" + b"}" * n + b"}"),
    st.integers(65, 5_000).map(lambda n: b"[" * n),  # and never closed
)


def maybe(value_strategy, odd=json_values):
    """The field as it should be (most often), an odd value, or left out."""
    return st.one_of(
        value_strategy,
        value_strategy,
        value_strategy,
        value_strategy,
        value_strategy,
        value_strategy,
        odd,
        st.just(_MISSING),
    )


_MISSING = object()


def _drop_missing(value):
    if isinstance(value, dict):
        return {k: _drop_missing(v) for k, v in value.items() if v is not _MISSING}
    if isinstance(value, list):
        return [_drop_missing(v) for v in value if v is not _MISSING]
    return value


def _paths(value, prefix=()):
    """Every path to a value inside nested dicts and lists."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


@st.composite
def mutated(draw, valid):
    """A valid value with one to three of its fields dropped or replaced by an odd value."""
    import copy

    value = copy.deepcopy(draw(valid))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(value) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = value
        for part in path[:-1]:
            parent = parent[part]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(json_values)
    return value


# ---- /webhooks/infobip ---------------------------------------------------------------------

STATUSES = [
    "UPDATE_REQUESTED",
    "UPDATE_REQUESTED_BY_INTERNAL_REVIEWER",
    "REJECTED",
    "COMPLETED",
    "IN_REVIEW",
    "PENDING",
    "CANCELED",
]


def webhook_results(known_ids: list[str]):
    now = datetime.now(UTC)
    times = st.integers(-(10**6), 10**6).map(lambda s: infobip_time(now + timedelta(seconds=s)))
    ids = st.one_of(st.sampled_from(known_ids), text)
    content = st.fixed_dictionaries(
        {
            "id": maybe(ids),
            "status": maybe(st.sampled_from(STATUSES)),
            "type": maybe(st.sampled_from(["NUMBER_PURCHASE", "ALPHANUMERIC_REGISTRATION"])),
            "note": maybe(text),
            "daysUntilRejection": maybe(st.integers(-5, 40)),
            "requirementsFeedback": maybe(
                st.lists(
                    st.fixed_dictionaries(
                        {"key": maybe(text), "code": maybe(st.just("RES_REQ_FEED_OTHER")), "feedback": maybe(text)}
                    ),
                    max_size=2,
                )
            ),
            "numbers": maybe(
                st.lists(
                    st.fixed_dictionaries(
                        {
                            "number": maybe(st.from_regex(r"\A[0-9]{6,15}\Z")),
                            "numberKey": maybe(text),
                            "status": maybe(text),
                        }
                    ),
                    max_size=2,
                )
            ),
        }
    )
    result = st.fixed_dictionaries(
        {
            "event": maybe(st.sampled_from(["RESOURCE_REQUEST_STATUS_UPDATE", "RESOURCE_REQUEST_REMINDER"])),
            "receivedAt": maybe(times),
            "content": maybe(content),
            "platform": maybe(st.just({"applicationId": "x"})),
        }
    )
    return st.lists(result, max_size=4).map(lambda rs: _drop_missing({"results": rs}))


def valid_webhooks(known_ids: list[str]):
    now = datetime.now(UTC)
    result = st.fixed_dictionaries(
        {
            "event": st.just("RESOURCE_REQUEST_STATUS_UPDATE"),
            "receivedAt": st.integers(0, 10**6).map(lambda s: infobip_time(now + timedelta(seconds=s))),
            "content": st.fixed_dictionaries(
                {
                    "id": st.sampled_from(known_ids),
                    "status": st.sampled_from(STATUSES[:4]),
                    "type": st.just("NUMBER_PURCHASE"),
                    "note": text,
                    "requirementsFeedback": st.just([]),
                }
            ),
            "platform": st.just({"applicationId": "default"}),
        }
    )
    reminder = st.fixed_dictionaries(
        {
            "event": st.just("RESOURCE_REQUEST_REMINDER"),
            "receivedAt": st.just(infobip_time(now)),
            "content": st.fixed_dictionaries(
                {
                    "id": st.sampled_from(known_ids),
                    "type": st.just("NUMBER_PURCHASE"),
                    "daysUntilRejection": st.sampled_from([3, 15, 27]),
                }
            ),
        }
    )
    return st.lists(st.one_of(result, reminder), min_size=1, max_size=3).map(lambda rs: {"results": rs})


def webhook_bodies(known_ids: list[str]):
    as_json = lambda v: json.dumps(v).encode()  # noqa: E731
    return st.one_of(
        st.binary(max_size=200),
        json_values.map(as_json),
        webhook_results(known_ids).map(as_json),
        valid_webhooks(known_ids).map(as_json),
        mutated(valid_webhooks(known_ids)).map(as_json),
        mutated(valid_webhooks(known_ids)).map(as_json),
        webhook_results(known_ids).map(lambda v: as_json(v)[: len(as_json(v)) // 2]),  # cut short
        deep_json,
    )


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_infobip_webhook_fuzz_never_500_and_rejections_write_nothing(world):
    requests = seed_requests(world.services.db, world.slack, [CHANNEL], 3)
    world.wait_idle()
    known = [r.provider_request_id for r in requests]
    tables = Tables(world.services.settings.resourcebot_db)
    user, password = world.services.webhook_credentials
    auth_headers = st.one_of(
        st.just(basic(user, password)),
        st.just(basic(user, password)),
        st.just(basic(user, password)),
        st.just(basic(user, password + "x")),
        header_text,
        st.binary(max_size=40).map(lambda b: ("Basic " + base64.b64encode(b).decode()).strip()),
        st.just(None),
        header_text.map(lambda b: (b"Basic " + b).strip()),
        header_text.map(lambda b: (b"bAsIc " + b).strip()),
    )  # non-ASCII too
    seen: dict[int, int] = {}

    with httpx.Client(base_url=world.bot_url, timeout=10) as client:

        @FUZZ
        @given(
            body=webhook_bodies(known),
            auth=auth_headers,
            content_type=st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded"]),
        )
        def fuzz(body, auth, content_type):
            before = tables.snapshot()
            headers = {"Content-Type": content_type, **({"Authorization": auth} if auth is not None else {})}
            response = client.post("/webhooks/infobip", content=body, headers=headers)
            seen[response.status_code] = seen.get(response.status_code, 0) + 1
            assert response.status_code < 500, (response.status_code, response.text, body)
            if response.status_code >= 400:
                assert tables.snapshot() == before, (response.status_code, body)

        fuzz()
    print("\n/webhooks/infobip answers:", dict(sorted(seen.items())))
    assert seen.get(200) and seen.get(400) and seen.get(401), seen  # every kind of answer was exercised


# ---- /slack/events -------------------------------------------------------------------------


def signed(body: bytes, timestamp: int | None = None) -> dict[str, str]:
    import hmac

    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(SIGNING_SECRET.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": "v0=" + digest}


users = st.one_of(st.just(ALICE), st.just("U0ADMIN001"), text)
ids = st.one_of(
    st.sampled_from(LISTENER_IDS),
    st.sampled_from(LISTENER_IDS).map(lambda i: i + ":1"),
    st.sampled_from(LISTENER_IDS).map(lambda i: i + ".next"),
    text,
)
metadata = st.one_of(text, json_values.map(json.dumps), st.just('{"kind": "NUMBER_PURCHASE", "country": "GB"}'))


def interactivity_payloads():
    user = maybe(st.fixed_dictionaries({"id": maybe(users), "name": maybe(text), "team_id": maybe(text)}))
    view = maybe(
        st.fixed_dictionaries(
            {
                "id": maybe(text),
                "type": maybe(st.sampled_from(["modal", "home"])),
                "callback_id": maybe(ids),
                "private_metadata": maybe(metadata),
                "hash": maybe(text),
                "root_view_id": maybe(text),
                "state": maybe(
                    st.fixed_dictionaries(
                        {
                            "values": maybe(
                                st.dictionaries(text, st.dictionaries(text, json_values, max_size=2), max_size=3)
                            )
                        }
                    )
                ),
                "blocks": maybe(st.lists(json_values, max_size=2)),
            }
        )
    )
    action = st.fixed_dictionaries(
        {
            "action_id": maybe(ids),
            "block_id": maybe(text),
            "value": maybe(text),
            "type": maybe(text),
            "selected_option": maybe(st.fixed_dictionaries({"value": maybe(text)})),
            "selected_options": maybe(st.lists(st.fixed_dictionaries({"value": maybe(text)}), max_size=2)),
            "action_ts": maybe(text),
        }
    )
    return st.fixed_dictionaries(
        {
            "type": st.sampled_from(
                [
                    "block_actions",
                    "view_submission",
                    "view_closed",
                    "shortcut",
                    "message_action",
                    "block_suggestion",
                    "interactive_message",
                ]
            ),
            "user": user,
            "team": maybe(st.fixed_dictionaries({"id": maybe(text)})),
            "api_app_id": maybe(text),
            "trigger_id": maybe(text),
            "view": view,
            "actions": maybe(st.lists(action, max_size=2)),
            "action_id": maybe(ids),
            "callback_id": maybe(ids),
            "value": maybe(text),
            "response_url": maybe(text),
            "container": maybe(json_values),
            "channel": maybe(st.fixed_dictionaries({"id": maybe(text)})),
            "message": maybe(json_values),
            "response_urls": maybe(json_values),
        }
    ).map(_drop_missing)


def slash_commands():
    return (
        st.fixed_dictionaries(
            {
                "command": st.one_of(st.just("/resource"), text),
                "text": maybe(
                    st.one_of(
                        text,
                        st.sampled_from(
                            [
                                "sender",
                                "number GB",
                                "numbers",
                                "my-numbers",
                                "status",
                                "status R",
                                "list",
                                "associate",
                                "associations",
                                "cm-number",
                                "help",
                                "number ZZ X Y 999",
                            ]
                        ),
                    )
                ),
                "user_id": maybe(users),
                "channel_id": maybe(st.one_of(st.just(CHANNEL), text)),
                "trigger_id": maybe(text),
                "response_url": maybe(text),
                "team_id": maybe(text),
                "user_name": maybe(text),
            }
        )
        .map(_drop_missing)
        .map(lambda fields: {k: (v if isinstance(v, str) else json.dumps(v)) for k, v in fields.items()})
    )


def event_bodies():
    event = maybe(
        st.fixed_dictionaries(
            {
                "type": maybe(st.one_of(st.just("app_home_opened"), text)),
                "user": maybe(users),
                "tab": maybe(st.sampled_from(["home", "messages"])),
                "channel": maybe(text),
                "view": maybe(json_values),
                "event_ts": maybe(text),
            }
        )
    )
    return st.one_of(
        st.fixed_dictionaries(
            {
                "type": st.just("event_callback"),
                "event": event,
                "team_id": maybe(text),
                "api_app_id": maybe(text),
                "event_id": maybe(text),
                "authorizations": maybe(json_values),
            }
        ).map(_drop_missing),
        st.fixed_dictionaries({"type": st.just("url_verification"), "challenge": maybe(text)}).map(_drop_missing),
        json_values,
    )


FORM = "application/x-www-form-urlencoded"


def valid_interactions():
    """Payloads shaped as Slack sends them, with the bot's own ids and odd values where Slack puts
    user input (private_metadata, state values, action values)."""
    user = st.fixed_dictionaries(
        {"id": st.sampled_from([ALICE, "U0ADMIN001"]), "name": st.just("alice"), "team_id": st.just("T0STANDIN1")}
    )
    view = st.fixed_dictionaries(
        {
            "id": st.just("V0FUZZ0001"),
            "type": st.just("modal"),
            "callback_id": st.sampled_from(LISTENER_IDS),
            "private_metadata": metadata,
            "hash": st.just("1.x"),
            "root_view_id": st.just("V0FUZZ0001"),
            "state": st.fixed_dictionaries(
                {
                    "values": st.dictionaries(
                        st.one_of(text, st.sampled_from(["senderName", "quantity", "country", "number_type"])),
                        st.dictionaries(
                            text,
                            st.fixed_dictionaries(
                                {
                                    "type": st.sampled_from(
                                        ["plain_text_input", "static_select", "checkboxes", "number_input"]
                                    ),
                                    "value": text,
                                }
                            ),
                            max_size=2,
                        ),
                        max_size=3,
                    )
                }
            ),
            "blocks": st.just([]),
        }
    )
    action = st.fixed_dictionaries(
        {
            "action_id": ids,
            "block_id": text,
            "value": st.one_of(text, metadata),
            "type": st.just("button"),
            "action_ts": st.just("1795400000.000100"),
        }
    )
    common = {
        "user": user,
        "team": st.just({"id": "T0STANDIN1"}),
        "api_app_id": st.just("A0STANDIN1"),
        "trigger_id": st.just("1.2.3"),
        "token": st.just("x"),
    }
    return st.one_of(
        st.fixed_dictionaries(
            {
                "type": st.just("block_actions"),
                **common,
                "actions": st.lists(action, min_size=1, max_size=2),
                "container": st.just({"type": "message", "channel_id": CHANNEL, "message_ts": "1795400000.000100"}),
                "channel": st.just({"id": CHANNEL}),
                "response_url": st.just("http://127.0.0.1:9/hooks/x"),
                "view": view,
            }
        ),
        st.fixed_dictionaries({"type": st.just("view_submission"), **common, "view": view}),
        st.fixed_dictionaries({"type": st.just("view_closed"), **common, "view": view, "is_cleared": st.booleans()}),
        st.fixed_dictionaries(
            {
                "type": st.just("block_suggestion"),
                **common,
                "action_id": ids,
                "block_id": text,
                "value": text,
                "view": view,
            }
        ),
    )


def slack_requests():
    """(body, content type) of signed requests."""
    return st.one_of(
        interactivity_payloads().map(lambda p: (urlencode({"payload": json.dumps(p)}).encode(), FORM)),
        valid_interactions().map(lambda p: (urlencode({"payload": json.dumps(p)}).encode(), FORM)),
        valid_interactions().map(lambda p: (urlencode({"payload": json.dumps(p)}).encode(), FORM)),
        mutated(valid_interactions()).map(lambda p: (urlencode({"payload": json.dumps(p)}).encode(), FORM)),
        st.one_of(metadata, text).map(lambda p: (urlencode({"payload": p}).encode(), FORM)),  # payload not a dict
        slash_commands().map(lambda c: (urlencode(c).encode(), FORM)),
        st.dictionaries(text, text, max_size=5).map(lambda f: (urlencode(f).encode(), FORM)),
        event_bodies().map(lambda e: (json.dumps(e).encode(), "application/json")),
        st.binary(max_size=200).map(lambda b: (b, st_choice_content_type(b))),
        deep_json.map(lambda b: (b, "application/json")),
        deep_json.map(lambda b: (urlencode({"payload": b.decode()}).encode(), FORM)),
    )


def st_choice_content_type(body: bytes) -> str:
    return FORM if len(body) % 2 else "application/json"


def test_slack_events_signed_fuzz_never_500_and_rejections_write_nothing(world):
    world.slack.add_user("U0ADMIN001", "ada")
    tables = Tables(world.services.settings.resourcebot_db)
    seen: dict[int, int] = {}

    with httpx.Client(base_url=world.bot_url, timeout=10) as client:

        @FUZZ
        @given(request=slack_requests())
        def fuzz(request):
            body, content_type = request
            before = tables.snapshot()
            response = client.post(
                "/slack/events", content=body, headers={"Content-Type": content_type, **signed(body)}
            )
            seen[response.status_code] = seen.get(response.status_code, 0) + 1
            assert response.status_code < 500, (response.status_code, response.text, body[:500])
            if response.status_code >= 400:
                assert tables.snapshot() == before, (response.status_code, body[:500])

        fuzz()
    print("\n/slack/events answers:", dict(sorted(seen.items())))
    assert seen.get(200), seen


def test_slack_events_unsigned_or_badly_signed_are_refused_and_write_nothing(world):
    tables = Tables(world.services.settings.resourcebot_db)
    before = tables.snapshot()
    now = int(time.time())
    headers = st.one_of(
        st.just({}),
        st.fixed_dictionaries({"X-Slack-Request-Timestamp": st.one_of(header_text, st.just(str(now)))}),
        st.fixed_dictionaries(
            {
                "X-Slack-Request-Timestamp": st.one_of(header_text, st.just(str(now))),
                "X-Slack-Signature": st.one_of(header_text, st.just("v0=" + "0" * 64)),
            }
        ),
        st.just("stale"),
        st.just("other-body"),
    )

    with httpx.Client(base_url=world.bot_url, timeout=10) as client:

        @FUZZ
        @given(request=slack_requests(), how=headers)
        def fuzz(request, how):
            body, content_type = request
            if how == "stale":  # signed properly, 6 minutes ago
                sent = signed(body, now - 360)
            elif how == "other-body":  # a valid signature of another body
                sent = signed(body + b"x")
            else:
                sent = how
            response = client.post("/slack/events", content=body, headers={"Content-Type": content_type, **sent})
            assert response.status_code in (401, 403), (response.status_code, response.text, sent)

        fuzz()
    assert tables.snapshot() == before


def test_a_modal_from_before_an_upgrade_is_answered_out_of_date_not_500(world):
    """A request form whose private_metadata no longer parses (the bot changed meanwhile)."""
    payload = {
        "type": "view_submission",
        "user": {"id": ALICE},
        "team": {"id": "T0STANDIN1"},
        "trigger_id": "1.2.3",
        "view": {
            "id": "V0OLD00001",
            "type": "modal",
            "callback_id": "request_form",
            "private_metadata": '{"version": 0, "what": "an older shape"}',
            "state": {"values": {}},
        },
    }
    body = urlencode({"payload": json.dumps(payload)}).encode()
    before = Tables(world.services.settings.resourcebot_db).snapshot()
    response = httpx.post(
        world.bot_url + "/slack/events", content=body, headers={"Content-Type": FORM, **signed(body)}, timeout=10
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["response_action"] == "update" and "no longer be read" in json.dumps(answer["view"])
    assert Tables(world.services.settings.resourcebot_db).snapshot() == before


# ---- every route -------------------------------------------------------------------------------


@pytest.mark.world(cm=True)
def test_every_route_answers_odd_bytes_headers_and_nesting_without_500(world):
    """Arbitrary bodies, content types, encodings and header bytes on every route the bot serves;
    the CM.com callback with its real token and with others."""
    world.driver.slash_command("/resource", "cm-number NL", user=ALICE, channel=CHANNEL)
    world.view(ALICE, callback_id="cm_order")
    world.driver.submit_view(
        {"companyProfileGuid": CM_PROFILE, "quantity": "1", "phoneNumberType": "LOCAL", "areaCode": "020"}, user=ALICE
    )
    token = world.wait(
        lambda: next((r.callback_token for r in world.requests() if r.callback_token), None),
        what="an order's callback token",
    )
    world.wait_idle()
    tables = Tables(world.services.settings.resourcebot_db)
    user, password = world.services.webhook_credentials
    routes = st.sampled_from(
        [
            ("POST", "/slack/events"),
            ("POST", "/webhooks/infobip"),
            ("POST", f"/webhooks/cm/{token}"),
            ("POST", "/webhooks/cm/not-a-token"),
            ("GET", "/documents/abc?expires=1&signature=x"),
            ("GET", "/documents/%ff%fe?expires=%ff"),
            ("GET", "/healthz"),
            ("PUT", "/webhooks/infobip"),
            ("POST", "/nowhere"),
        ]
    )
    bodies = st.one_of(
        st.binary(max_size=300),
        deep_json,
        json_values.map(lambda v: json.dumps(v).encode()),
        st.text(max_size=50).map(lambda t: t.encode("utf-16")),
    )
    content_types = st.one_of(
        st.sampled_from(
            [
                "application/json",
                FORM,
                "text/plain",
                "application/json; charset=latin-1",
                "multipart/form-data; boundary=x",
            ]
        ),
        header_text,
    )
    auths = st.one_of(
        st.none(), st.just(basic(user, password)), header_text, header_text.map(lambda b: (b"Basic " + b).strip())
    )
    seen: dict[int, int] = {}

    with httpx.Client(base_url=world.bot_url, timeout=10) as client:

        @FUZZ
        @given(
            route=routes,
            body=bodies,
            content_type=content_types,
            auth=auths,
            sign=st.booleans(),
            encoding=st.sampled_from([None, "gzip", "identity", "br"]),
        )
        def fuzz(route, body, content_type, auth, sign, encoding):
            method, path = route
            headers = {"Content-Type": content_type}
            if auth is not None:
                headers["Authorization"] = auth
            if encoding:
                headers["Content-Encoding"] = encoding
            if sign:
                headers.update(signed(body))
            before = tables.snapshot()
            response = client.request(method, path, content=body if method != "GET" else None, headers=headers)
            seen[response.status_code] = seen.get(response.status_code, 0) + 1
            assert response.status_code < 500 or response.status_code == 503, (
                route,
                response.status_code,
                response.text,
                body[:200],
            )
            if response.status_code >= 400:
                assert tables.snapshot() == before, (route, response.status_code, body[:200])

        fuzz()
    print("\nevery route answers:", dict(sorted(seen.items())))
    assert seen.get(400) and seen.get(401) and seen.get(404), seen
