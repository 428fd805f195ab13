"""Bolt middleware for what the listeners would each repeat, as Netflix Dispatch's Slack plugin does:
the acting user, a submitted form's values, and a view's metadata, read once and put in the Bolt
`context`. Bolt passes a context key to every listener that names it as a parameter, so a listener
just asks for `actor`, `values` or `metadata`:

    app.view(BUY_CONFIRM, middleware=[view_metadata(BuyContext), form_values])(partial(buy_confirmed, services))

    async def buy_confirmed(services, ack, body, client, actor, values, metadata: BuyContext): ...

What can't be read raises ValueError before the listener runs; bot/slack/listeners/errors.py answers
it ("out of date" for a submission, a quiet ack for anything else).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from slack_bolt.context.async_context import AsyncBoltContext

from bot.slack.form_values import flatten_state_values
from bot.slack.permissions import Actor
from bot.slack.view_metadata import ViewMetadata

if TYPE_CHECKING:
    from bot.services import Services

Next = Callable[[], Awaitable[None]]
Middleware = Callable[..., Awaitable[None]]


def _view(body: Mapping[str, Any]) -> Mapping[str, Any]:
    view = body.get("view")
    return view if isinstance(view, Mapping) else {}


async def acting_user(services: Services, context: AsyncBoltContext, next_: Next) -> None:
    """`actor`: who clicked, typed or submitted, and what they may change (None without a user).
    Registered for the whole app (bot/slack/listeners/__init__.py)."""
    context["actor"] = Actor(services, context.user_id) if context.user_id else None
    await next_()


async def form_values(body: dict[str, Any], context: AsyncBoltContext, next_: Next) -> None:
    """`values`: the view's inputs as {block_id: value} (bot/slack/form_values.py)."""
    state = _view(body).get("state")
    try:
        context["values"] = flatten_state_values(state.get("values") if isinstance(state, Mapping) else None)
    except (AttributeError, TypeError) as error:  # not the shape Slack sends
        raise ValueError(f"the view's state can't be read: {error}") from error
    await next_()


def view_metadata(model: type[ViewMetadata], *, only_in: str | None = None) -> Middleware:
    """`metadata`: the view's private_metadata read as `model` (`model.load`). With `only_in`, only
    a view with that callback_id is read: elsewhere (another view, a message) `metadata` is None."""

    async def read_metadata(body: dict[str, Any], context: AsyncBoltContext, next_: Next) -> None:
        view = _view(body)
        if only_in is not None and view.get("callback_id") != only_in:
            context["metadata"] = None
        else:
            context["metadata"] = model.load(view.get("private_metadata"))
        await next_()

    return read_metadata
