"""The App Home tab's layout: order, grouping, paging within Slack's limits."""

from datetime import UTC, datetime, timedelta

from bot.slack.home import PAGE_SIZE, HomeState, home_view, ordered
from bot.store.requests import RequestRecord

STATUSES = ["COMPLETED", "UPDATE_REQUESTED", "IN_REVIEW", "REJECTED", "CANCELED", "SOMETHING_NEW"]


def requests(count: int) -> list[RequestRecord]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return [
        RequestRecord(
            id=f"R{n:07d}",
            provider="infobip",
            kind="NUMBER_PURCHASE",
            country="GB",
            number_type="VIRTUAL_LONG_NUMBER",
            requester="U1",
            status=STATUSES[n % len(STATUSES)],
            created_at=(start + timedelta(hours=n)).isoformat(),
            updated_at=(start + timedelta(hours=n)).isoformat(),
        )
        for n in range(count)
    ]


def test_two_hundred_requests_page_within_slacks_block_limit():
    many = requests(200)
    pages = []
    for page in range(200 // PAGE_SIZE + 2):
        view = home_view(many, HomeState(page=page), is_admin=True)
        assert len(view["blocks"]) <= 100
        pages.append(view)
    shown = {r.id for view in pages[:10] for r in many if r.id in str(view["blocks"])}
    assert len(shown) == 200  # every request is on some page
    assert HomeState.load(pages[-1]["private_metadata"]).page == 9  # past the end: the last page


def test_action_required_first_then_newest_first_and_unknown_statuses_are_safe():
    order = ordered(requests(12))
    assert [r.status for r in order[:2]] == ["UPDATE_REQUESTED", "UPDATE_REQUESTED"]
    assert order[0].created_at > order[1].created_at
    assert "SOMETHING_NEW" in str(home_view(requests(12), HomeState(), is_admin=False)["blocks"])


def test_a_stored_filter_that_is_no_longer_a_group_shows_everything():
    assert HomeState.load('{"group": "SOMETHING_OLD"}').group == "all"
    view = home_view(requests(3), HomeState.load('{"group": "SOMETHING_OLD"}'), is_admin=False)
    assert "R0000002" in str(view["blocks"])
