"""Requests filed together: the group written once, its summary queued once, and updated with
a root update of any of its requests in the same transaction."""

from __future__ import annotations

import pytest

from bot.store import outbox
from bot.store.db import open_database, write
from bot.store.intents import IntentState, claim, settle
from bot.store.request_groups import (
    GroupMember,
    create_group,
    get_group,
    group_id_for,
    post_summary,
    post_summary_if_settled,
    record_summary,
)


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "bot.sqlite3")
    yield database
    database.close()


def _filed(db, key: str, request_id: str) -> None:
    with write(db):
        claim(
            db,
            key=key,
            action="request.submit",
            target=f"form:{key}",
            actor="U1",
            provider="infobip",
            params={},
            context={},
        )
        settle(db, key, IntentState.DONE, {}, resolved_by="call", request_id=request_id)


def kinds(db, request_id: str) -> list[str]:
    return [r[0] for r in db.execute("SELECT kind FROM outbox WHERE request_id = ? ORDER BY id", [request_id])]


def test_a_group_is_written_once_per_submission(db):
    group_id = group_id_for("view:V1:h1")
    assert group_id == group_id_for("view:V1:h1") != group_id_for("view:V1:h2")
    members = [GroupMember("HR", "view:V1:h1:HR"), GroupMember("RS", "view:V1:h1:RS")]
    first = create_group(db, group_id, requester="U1", channel="C1", members=members, refused={"GB": "not offered"})
    again = create_group(db, group_id, requester="U2", channel="C2", members=members[:1], refused={})
    assert first == again and again.members == members and again.refused == {"GB": "not offered"}


def test_the_summary_is_queued_once_and_remembers_where_it_was_posted(db):
    group_id = group_id_for("view:V1:h1")
    create_group(db, group_id, requester="U1", channel="C1", members=[GroupMember("HR", "k:HR")], refused={})
    post_summary(db, group_id)
    post_summary(db, group_id)
    assert kinds(db, group_id) == [outbox.GROUP_SUMMARY]
    record_summary(db, group_id, "C1", "111.222")
    group = get_group(db, group_id)
    assert group is not None and (group.message_channel, group.message_ts) == ("C1", "111.222")


def test_a_root_update_of_a_grouped_request_updates_its_summary_and_only_its_own(db):
    group_id = group_id_for("view:V1:h1")
    create_group(db, group_id, requester="U1", channel="C1", members=[GroupMember("HR", "k:HR")], refused={})
    _filed(db, "k:HR", "RHR")
    _filed(db, "k:alone", "RALONE")
    with write(db):
        outbox.enqueue(db, "RHR", outbox.ROOT_UPDATE)
        outbox.enqueue_all(db, "RHR", [(outbox.THREAD_REPLY, {"event": 1}), (outbox.ROOT_UPDATE, None)])
        outbox.enqueue(db, "RALONE", outbox.ROOT_UPDATE)
        outbox.enqueue(db, "RHR", outbox.HOME_REFRESH)
    assert kinds(db, group_id) == [outbox.GROUP_UPDATE, outbox.GROUP_UPDATE]
    assert kinds(db, "RALONE") == [outbox.ROOT_UPDATE]
    heads = {item.request_id: item for item in outbox.due(db)}
    assert outbox.superseded(db, heads[group_id])  # rendered from the current state: the later one shows it


def test_after_a_crash_the_summary_waits_for_every_country_to_be_settled(db):
    group_id = group_id_for("view:V1:h1")
    members = [GroupMember("HR", "k:HR"), GroupMember("RS", "k:RS")]
    create_group(db, group_id, requester="U1", channel="C1", members=members, refused={})
    _filed(db, "k:HR", "RHR")
    with write(db):
        claim(
            db,
            key="k:RS",
            action="request.submit",
            target="form:k:RS",
            actor="U1",
            provider="infobip",
            params={},
            context={},
        )
    assert not post_summary_if_settled(db, group_id) and kinds(db, group_id) == []
    with write(db):
        settle(db, "k:RS", IntentState.REFUSED, {"not_sent": True}, resolved_by="recovery")
    assert post_summary_if_settled(db, group_id) and post_summary_if_settled(db, group_id)
    assert kinds(db, group_id) == [outbox.GROUP_SUMMARY]
