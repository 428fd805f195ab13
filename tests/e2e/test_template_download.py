"""A requirement's template is downloadable from the form, through a signed link to the bot."""

from __future__ import annotations

import httpx

from bot.sandbox.infobip.requirements_catalog import TEMPLATE_DOCUMENT_ID
from tests.support.names import ALICE, CHANNEL


def template_button(view: dict) -> dict:
    for block in view["blocks"]:
        elements = [block.get("accessory")] + block.get("elements", [])
        for element in elements:
            if element and element.get("action_id", "").startswith("download_document:"):
                return element
    raise AssertionError("no template button in the form")


def test_the_template_button_downloads_the_document_and_a_forged_link_does_not(world):
    world.driver.slash_command("/resource", "sender HR", user=ALICE, channel=CHANNEL)
    button = template_button(world.view(callback_id="request_form", contains="registrationForm"))
    assert button["url"].startswith(world.bot_url + "/documents/")

    downloaded = httpx.get(button["url"])
    assert downloaded.status_code == 200
    assert downloaded.content.startswith(b"%PDF") and "attachment" in downloaded.headers["content-disposition"]

    forged = httpx.get(button["url"].replace("signature=", "signature=0"))
    other_document = httpx.get(button["url"].replace(TEMPLATE_DOCUMENT_ID, "SOMEONE-ELSES-DOCUMENT"))
    assert forged.status_code == 403 and other_document.status_code == 403

    clicked = world.driver.block_action(button["action_id"], button["value"], user=ALICE)
    assert clicked.status == 200  # Slack reports the click; the bot acks it
