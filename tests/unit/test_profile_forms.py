"""A request form's pages with the company profiles (bot/slack/profiles/form.py): the picker on the
first page only, room kept for it on every page (a submission finds the same pages, each within
Slack's 100 blocks), a picked profile's inputs under new action ids (Slack shows the new values,
not what the view held) and its documents named under their fields, reused or expired."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from bot.clock import Clock
from bot.domain.forms import RequestKind
from bot.domain.profiles import ProfileDocument
from bot.slack.form_context import FormContext
from bot.slack.profiles.form import PICKER_BLOCK, build_pages
from bot.store.db import open_database
from bot.store.profiles import create_profile

DOCUMENT = {"key": "extract", "type": "DOCUMENT", "name": "Extract", "required": True, "category": "OTHER"}


@pytest.fixture
def services(tmp_path):
    db = open_database(tmp_path / "bot.sqlite3")
    yield SimpleNamespace(db=db, clock=Clock())
    db.close()


def long_form(count: int) -> list[dict]:
    return [
        {"key": f"field{n:03d}", "type": "TEXT", "name": f"Field {n}", "required": True, "category": "OTHER"}
        for n in range(count)
    ]


def block(blocks: list[dict], block_id: str) -> dict:
    return next(b for b in blocks if b.get("block_id") == block_id)


def test_the_picker_is_on_the_first_page_and_every_page_fits(services):
    create_profile(services.db, actor="U1", name="Acme", values={})
    form = FormContext(kind=RequestKind.ALPHANUMERIC_REGISTRATION, country="DE", profile_picker=True)
    pages = build_pages(services, form, long_form(130))
    assert len(pages) >= 2
    assert pages[0].blocks[0]["block_id"] == PICKER_BLOCK
    assert all(PICKER_BLOCK not in str(page.blocks) for page in pages[1:])
    assert all(len(page.blocks) <= 100 for page in pages)
    without = build_pages(services, form.model_copy(update={"profile_picker": False}), long_form(130))
    assert PICKER_BLOCK not in str(without[0].blocks)


def test_a_picked_profiles_inputs_get_new_action_ids_and_its_documents_are_named(services):
    fresh = ProfileDocument("acme-extract.pdf", "DOC1", "2026-03-12T09:00:00+00:00")
    acme = create_profile(
        services.db, actor="U1", name="Acme", values={"field000": "A"}, documents={"extract": [fresh]}
    )
    form = FormContext(kind=RequestKind.ALPHANUMERIC_REGISTRATION, country="DE", profile_picker=True, profile=acme.id)
    [page] = build_pages(services, form, [*long_form(2), DOCUMENT], prefill={"field000": "A", "extract": "DOC1"})
    assert block(page.blocks, "field000")["element"]["action_id"] == f"text.{acme.id}"
    extract = block(page.blocks, "extract")
    assert extract["hint"]["text"].startswith("Using acme-extract.pdf from profile Acme (uploaded 12 Mar")
    assert "Leave empty to keep" not in extract["hint"]["text"] and extract["optional"] is True

    old = ProfileDocument("old-extract.pdf", "DOC0", "2025-01-01T00:00:00+00:00", valid_until="2025-12-31")
    beta = create_profile(services.db, actor="U1", name="Beta", values={}, documents={"extract": [old]})
    [page] = build_pages(services, form.model_copy(update={"profile": beta.id}), [*long_form(2), DOCUMENT])
    extract = block(page.blocks, "extract")
    assert "old-extract.pdf expired on 31 Dec 2025" in extract["hint"]["text"]
    assert not extract.get("optional")
