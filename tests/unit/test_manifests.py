"""Both Slack app manifests are ready to import and ask for exactly what the bot needs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.slack.listeners.shortcuts import REQUEST_A_RESOURCE
from bot.slack.scopes import BOT_SCOPES

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = {"http": ROOT / "manifest.yml", "socket": ROOT / "manifest.socket-mode.yml"}


def _load(kind: str) -> dict:
    return yaml.safe_load(MANIFESTS[kind].read_text())


@pytest.mark.parametrize("kind", MANIFESTS)
def test_the_manifest_asks_for_exactly_the_scopes_the_bot_needs(kind):
    assert _load(kind)["oauth_config"]["scopes"]["bot"] == list(BOT_SCOPES)


@pytest.mark.parametrize("kind", MANIFESTS)
def test_the_manifest_offers_the_command_the_shortcut_and_the_home_tab(kind):
    manifest = _load(kind)
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/resource"
    [shortcut] = manifest["features"]["shortcuts"]
    assert (shortcut["type"], shortcut["callback_id"], shortcut["name"]) == (
        "global",
        REQUEST_A_RESOURCE,
        "Request a resource",
    )
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["settings"]["event_subscriptions"]["bot_events"] == ["app_home_opened"]
    assert manifest["settings"]["interactivity"]["is_enabled"] is True


def test_over_http_every_request_url_is_the_one_events_route():
    manifest = _load("http")
    assert manifest["settings"]["socket_mode_enabled"] is False
    urls = [
        manifest["features"]["slash_commands"][0]["url"],
        manifest["settings"]["event_subscriptions"]["request_url"],
        manifest["settings"]["interactivity"]["request_url"],
    ]
    assert all(url.endswith("/slack/events") for url in urls)


def test_in_socket_mode_slack_is_given_no_url():
    manifest = _load("socket")
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert "url" not in manifest["features"]["slash_commands"][0]
    assert "request_url" not in manifest["settings"]["event_subscriptions"]
    assert "request_url" not in manifest["settings"]["interactivity"]
