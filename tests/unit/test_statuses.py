from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.statuses import (
    RequestStatus,
    StatusChange,
    StatusGroup,
    can_cancel,
    can_update,
    describe_status,
    is_final,
    newer_status,
    should_replace,
    status_badge,
    status_rank,
)

T0 = datetime(2025, 3, 11, 9, 22, 47, tzinfo=UTC)


def at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("status", "group", "color", "label"),
    [
        ("PENDING", StatusGroup.PENDING, "yellow", "Pending"),
        ("AUTOMATIC_VALIDATION", StatusGroup.PENDING, "yellow", "Automatic validation"),
        ("PENDING_REVIEW", StatusGroup.PENDING, "yellow", "Waiting for review"),
        ("IN_REVIEW", StatusGroup.PENDING, "yellow", "In review"),
        ("IN_PROGRESS", StatusGroup.PENDING, "yellow", "In progress"),
        ("UPDATE_REQUESTED", StatusGroup.ACTION_REQUIRED, "red", "Update requested"),
        (
            "UPDATE_REQUESTED_BY_INTERNAL_REVIEWER",
            StatusGroup.ACTION_REQUIRED,
            "red",
            "Update requested by the reviewer",
        ),
        ("REJECTED", StatusGroup.REJECTED, "red", "Rejected"),
        ("CANCELED", StatusGroup.CANCELED, "grey", "Canceled"),
        ("CANCEL_REQUESTED", StatusGroup.CANCELED, "grey", "Cancellation requested"),
        ("COMPLETED", StatusGroup.COMPLETED, "green", "Completed"),
    ],
)
def test_every_known_status_has_its_web_interface_group(status, group, color, label):
    info = describe_status(status)
    assert (info.known, info.group, info.color, info.label) == (True, group, color, label)
    assert info.badge == f"{info.emoji} {label}"


def test_all_eleven_statuses_are_covered():
    assert len(RequestStatus) == 11


def test_group_emojis_tell_action_required_and_rejected_apart():
    assert describe_status("UPDATE_REQUESTED").emoji != describe_status("REJECTED").emoji
    assert describe_status("COMPLETED").emoji == "🟢"


def test_unknown_status_is_shown_raw_in_a_safe_group():
    info = describe_status("WAITING_FOR_CARRIER")
    assert info.known is False
    assert info.group == StatusGroup.PENDING
    assert info.label == "WAITING_FOR_CARRIER"
    assert info.final is False
    assert status_badge("WAITING_FOR_CARRIER") == "🟡 WAITING_FOR_CARRIER"
    assert not can_update("WAITING_FOR_CARRIER") and not can_cancel("WAITING_FOR_CARRIER")


@pytest.mark.parametrize("missing", [None, "", "   "])
def test_missing_status_does_not_crash(missing):
    assert describe_status(missing).label == "UNKNOWN"


def test_status_values_are_read_case_insensitively():
    assert describe_status("completed").group == StatusGroup.COMPLETED
    assert is_final(" completed ")


@pytest.mark.parametrize("status", [s.value for s in RequestStatus])
def test_update_and_cancel_only_while_update_is_requested(status):
    editable = status in ("UPDATE_REQUESTED", "UPDATE_REQUESTED_BY_INTERNAL_REVIEWER")
    assert can_update(status) is editable
    assert can_cancel(status) is editable


@pytest.mark.parametrize("status", [s.value for s in RequestStatus])
def test_only_completed_rejected_canceled_are_final(status):
    assert is_final(status) is (status in ("COMPLETED", "REJECTED", "CANCELED"))


def test_rank_follows_the_life_cycle():
    order = [
        "PENDING",
        "PENDING_REVIEW",
        "AUTOMATIC_VALIDATION",
        "UPDATE_REQUESTED",
        "IN_REVIEW",
        "UPDATE_REQUESTED_BY_INTERNAL_REVIEWER",
        "IN_PROGRESS",
        "CANCEL_REQUESTED",
        "COMPLETED",
    ]
    ranks = [status_rank(status) for status in order]
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks)
    assert status_rank("SOMETHING_NEW") < status_rank("PENDING")


def test_first_status_is_always_taken():
    assert should_replace(None, StatusChange("PENDING", at(0)))


def test_newer_event_wins_and_late_event_is_ignored():
    review = StatusChange("IN_REVIEW", at(10))
    assert should_replace(review, StatusChange("IN_PROGRESS", at(20)))
    assert not should_replace(review, StatusChange("AUTOMATIC_VALIDATION", at(5)))


def test_update_after_update_requested_moves_back_to_automatic_validation():
    asked = StatusChange("UPDATE_REQUESTED", at(10))
    updated = StatusChange("AUTOMATIC_VALIDATION", at(20))
    assert status_rank(updated.status) < status_rank(asked.status)
    assert newer_status(asked, updated) is updated


@pytest.mark.parametrize("final", ["COMPLETED", "REJECTED", "CANCELED"])
def test_final_status_is_never_replaced_by_a_non_final_one(final):
    done = StatusChange(final, at(10))
    for later in ("IN_PROGRESS", "UPDATE_REQUESTED", "AUTOMATIC_VALIDATION", "CANCEL_REQUESTED", "NEW_THING"):
        assert newer_status(done, StatusChange(later, at(3600))) is done


def test_final_status_wins_even_with_an_older_time():
    # webhook and read-back clocks may differ; a final status is the last word anyway
    current = StatusChange("IN_PROGRESS", at(30))
    completed = StatusChange("COMPLETED", at(20))
    assert newer_status(current, completed) is completed


def test_final_status_is_corrected_only_by_a_newer_final_one():
    canceled = StatusChange("CANCELED", at(10))
    assert should_replace(canceled, StatusChange("COMPLETED", at(11)))
    assert not should_replace(canceled, StatusChange("COMPLETED", at(9)))
    assert not should_replace(canceled, StatusChange("COMPLETED", at(10)))


def test_same_time_goes_to_the_status_further_along():
    assert should_replace(StatusChange("PENDING_REVIEW", at(0)), StatusChange("IN_REVIEW", at(0)))
    assert not should_replace(StatusChange("IN_REVIEW", at(0)), StatusChange("PENDING_REVIEW", at(0)))


def test_same_event_twice_does_not_flap():
    first = StatusChange("IN_REVIEW", at(0))
    assert newer_status(first, StatusChange("IN_REVIEW", at(0))) is first


def test_naive_times_are_utc():
    naive = StatusChange("IN_REVIEW", datetime(2025, 3, 11, 9, 22, 47))
    assert naive.at == T0
    assert should_replace(naive, StatusChange("IN_PROGRESS", at(1)))


def test_cm_statuses_are_open_strings_mapped_onto_the_same_groups():
    from bot.domain.statuses import CM, StatusGroup, can_cancel, can_update, describe_status, is_final

    assert describe_status("Pending", CM).group is StatusGroup.PENDING
    assert describe_status("ACCEPTED", CM).group is StatusGroup.COMPLETED and is_final("Accepted", CM)
    assert describe_status("Rejected", CM).group is StatusGroup.REJECTED
    assert describe_status("Cancelled", CM).group is StatusGroup.CANCELED
    odd = describe_status("WaitingForCarrier", CM)
    assert odd.group is StatusGroup.PENDING and odd.label == "WaitingForCarrier" and not odd.final
    assert can_cancel("Pending", CM) and can_cancel("WaitingForCarrier", CM) and not can_cancel("Completed", CM)
    assert not can_update("Pending", CM)  # CM.com accepts or rejects; it never asks for changes
