"""Which Slack credentials `serve` and `check` need: the signing secret only over HTTP; and the
key of the bot's signed links is never empty, whichever transport it uses."""

from __future__ import annotations

import pytest

from bot.services import link_key
from bot.settings import SettingsError, load_settings, slack_credentials

BOT = "xoxb-1-bot"
APP = "xapp-1-A0-1-app"


def problems(**settings) -> list[str]:
    try:
        load_settings(_env_file=None, required=slack_credentials, **settings)
    except SettingsError as error:
        return error.problems
    return []


def test_over_http_the_signing_secret_is_required_and_empty_is_missing():
    assert problems(slack_bot_token=BOT) == ["SLACK_SIGNING_SECRET: missing"]
    assert problems(slack_bot_token=BOT, slack_signing_secret="") == ["SLACK_SIGNING_SECRET: missing"]
    assert problems(slack_bot_token=BOT, slack_signing_secret="s3cret") == []


def test_in_socket_mode_no_signing_secret_is_asked_for():
    assert problems(slack_bot_token=BOT, slack_app_token=APP) == []
    assert problems(slack_app_token=APP) == ["SLACK_BOT_TOKEN: missing"]
    settings = load_settings(_env_file=None, required=slack_credentials, slack_bot_token=BOT, slack_app_token=APP)
    assert settings.uses_socket_mode and settings.slack_signing_secret is None


def test_a_malformed_app_token_is_named_and_then_http_needs_its_secret():
    found = problems(slack_bot_token=BOT, slack_app_token="xoxb-not-an-app-token")
    assert found[0].startswith("SLACK_APP_TOKEN: must be an app-level token")
    assert "SLACK_SIGNING_SECRET: missing" in found


@pytest.mark.parametrize("secret", [None, ""])
def test_signed_links_get_a_key_from_the_app_token_when_there_is_no_signing_secret(secret):
    settings = load_settings(_env_file=None, slack_bot_token=BOT, slack_app_token=APP, slack_signing_secret=secret)
    key = link_key(settings)
    assert len(key) == 64 and APP not in key
    assert key != link_key(load_settings(_env_file=None, slack_bot_token=BOT, slack_app_token=APP + "2"))
    assert (
        link_key(load_settings(_env_file=None, slack_bot_token=BOT, slack_app_token=APP, slack_signing_secret="s"))
        == "s"
    )
