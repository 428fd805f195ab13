"""The Bolt middleware that reads once what listeners need (the acting user, a form's values, a view's
metadata) into the context, and the permission the acting user is asked for."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from slack_bolt.context.async_context import AsyncBoltContext

from bot.slack.home import HomeState
from bot.slack.middleware import acting_user, form_values, view_metadata
from bot.slack.numbers.metadata import SearchState
from bot.slack.permissions import NUMBERS, ROUTING, Actor


class Next:
    def __init__(self) -> None:
        self.called = False

    async def __call__(self) -> None:
        self.called = True


def services(*, admins=(), number_managers=(), routing_managers=()):
    settings = SimpleNamespace(
        resourcebot_admins=set(admins),
        resourcebot_number_managers=set(number_managers),
        resourcebot_routing_managers=set(routing_managers),
    )
    return SimpleNamespace(
        settings=settings,
        is_admin=lambda user: user in settings.resourcebot_admins,
        may_manage_numbers=lambda user: user in (settings.resourcebot_number_managers or settings.resourcebot_admins),
        may_manage_routing=lambda user: user in (settings.resourcebot_routing_managers or settings.resourcebot_admins),
    )


def submission(private_metadata=None, values=None, callback_id="cb") -> dict:
    view = {"id": "V1", "type": "modal", "callback_id": callback_id, "state": {"values": values or {}}}
    if private_metadata is not None:
        view["private_metadata"] = private_metadata
    return {"type": "view_submission", "user": {"id": "U1"}, "view": view}


async def test_form_values_are_flattened_into_the_context():
    context, proceed = AsyncBoltContext(), Next()
    values = {"senderName": {"text": {"type": "plain_text_input", "value": "ACME"}}}
    await form_values(body=submission(values=values), context=context, next_=proceed)
    assert context["values"] == {"senderName": "ACME"} and proceed.called
    await form_values(body={"type": "block_actions"}, context=context, next_=proceed)
    assert context["values"] == {}  # a click in a message has no view


async def test_a_state_not_shaped_as_slack_sends_it_is_unreadable_input():
    with pytest.raises(ValueError, match="state"):
        await form_values(body=submission(values={"b": ["not", "actions"]}), context=AsyncBoltContext(), next_=Next())


async def test_view_metadata_is_read_as_the_listeners_model():
    context, proceed = AsyncBoltContext(), Next()
    await view_metadata(SearchState)(body=submission('{"c":"GB","p":2}'), context=context, next_=proceed)
    assert context["metadata"] == SearchState(country="GB", page=2) and proceed.called


async def test_view_metadata_that_cannot_be_read_stops_before_the_listener():
    proceed = Next()
    with pytest.raises(ValueError):
        await view_metadata(SearchState)(
            body=submission('{"older": "shape"}'), context=AsyncBoltContext(), next_=proceed
        )
    assert not proceed.called
    context = AsyncBoltContext()
    await view_metadata(HomeState)(body=submission("not json"), context=context, next_=proceed)
    assert context["metadata"] == HomeState()  # lenient: the defaults


async def test_only_in_reads_the_metadata_of_that_view_alone():
    read = view_metadata(SearchState, only_in="numbers_search")
    context = AsyncBoltContext()
    await read(body=submission('{"c":"GB"}', callback_id="numbers_search"), context=context, next_=Next())
    assert context["metadata"] == SearchState(country="GB")
    await read(body=submission("anything", callback_id="my_numbers"), context=context, next_=Next())
    assert context["metadata"] is None
    await read(body={"type": "block_actions", "user": {"id": "U1"}}, context=context, next_=Next())
    assert context["metadata"] is None


async def test_the_acting_user_is_in_the_context():
    shared = services(admins={"UADMIN"})
    context, proceed = AsyncBoltContext(user_id="U1"), Next()
    await acting_user(shared, context=context, next_=proceed)
    assert context["actor"] == Actor(shared, "U1") and proceed.called
    nobody = AsyncBoltContext()
    await acting_user(shared, context=nobody, next_=Next())
    assert nobody["actor"] is None


def test_the_actor_is_asked_for_a_permission_once_and_told_whom_to_ask():
    shared = services(admins={"UADMIN"}, routing_managers={"UROUTE"})
    admin, router, other = Actor(shared, "UADMIN"), Actor(shared, "UROUTE"), Actor(shared, "U1")
    assert admin.is_admin and not router.is_admin
    assert admin.may(NUMBERS) and not router.may(NUMBERS) and router.may(ROUTING) and not admin.may(ROUTING)
    assert router.refusal(ROUTING, "change inbound routing") is None
    assert other.refusal(ROUTING, "change inbound routing").startswith(
        "Only routing managers can change inbound routing: ask <@UROUTE>."
    )
    assert "Only number managers can buy numbers: <@UADMIN>" in router.refusal(NUMBERS, "buy numbers")
