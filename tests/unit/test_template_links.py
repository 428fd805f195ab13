from bot.slack.template_links import add_download_links, link_is_valid, signed_link


def test_a_link_is_valid_until_it_expires_and_only_for_its_document():
    link = signed_link("https://bot.example.com/", "secret", "DOC1", now=1_000)
    query = dict(part.split("=") for part in link.split("?")[1].split("&"))
    assert link.startswith("https://bot.example.com/documents/DOC1?")
    assert link_is_valid("secret", "DOC1", query["expires"], query["signature"], now=1_000)
    assert not link_is_valid("secret", "DOC1", query["expires"], query["signature"], now=1_000 + 24 * 3600 + 1)
    assert not link_is_valid("secret", "DOC2", query["expires"], query["signature"], now=1_000)
    assert not link_is_valid("other", "DOC1", query["expires"], query["signature"], now=1_000)
    assert not link_is_valid("secret", "DOC1", "soon", query["signature"], now=1_000)


def test_only_template_buttons_become_links_and_the_input_is_not_changed():
    blocks = [
        {"type": "section", "accessory": {"type": "button", "action_id": "download_document:D1", "value": "D1"}},
        {"type": "actions", "elements": [{"type": "button", "action_id": "other", "value": "x"}]},
    ]
    linked = add_download_links(blocks, "https://bot", "s")
    assert linked[0]["accessory"]["url"].startswith("https://bot/documents/D1?")
    assert "url" not in linked[1]["elements"][0]
    assert "url" not in blocks[0]["accessory"]
