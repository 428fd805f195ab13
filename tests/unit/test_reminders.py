from datetime import UTC, datetime, timedelta

from bot.domain.reminders import days_until_rejection, reminder_allowed, reminder_due

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
IDLE = timedelta(hours=48)


def test_first_reminder_after_the_idle_time_only_while_action_is_required():
    assert not reminder_due("UPDATE_REQUESTED", T0, None, T0 + timedelta(hours=47), IDLE)
    assert reminder_due("UPDATE_REQUESTED", T0, None, T0 + timedelta(hours=48), IDLE)
    assert reminder_due("UPDATE_REQUESTED_BY_INTERNAL_REVIEWER", T0, None, T0 + timedelta(days=3), IDLE)
    assert not reminder_due("IN_REVIEW", T0, None, T0 + timedelta(days=3), IDLE)
    assert not reminder_due("COMPLETED", T0, None, T0 + timedelta(days=3), IDLE)


def test_then_weekly_and_a_new_wait_starts_afresh():
    reminded = T0 + timedelta(days=2)
    assert not reminder_due("UPDATE_REQUESTED", T0, reminded, reminded + timedelta(days=6), IDLE)
    assert reminder_due("UPDATE_REQUESTED", T0, reminded, reminded + timedelta(days=7), IDLE)
    later_wait = T0 + timedelta(days=10)  # updated, then asked for changes again
    assert not reminder_due("UPDATE_REQUESTED", later_wait, reminded, later_wait + timedelta(hours=1), IDLE)
    assert reminder_due("UPDATE_REQUESTED", later_wait, reminded, later_wait + timedelta(days=2), IDLE)


def test_at_most_one_a_day_and_days_left_before_rejection():
    assert reminder_allowed(None, T0)
    assert not reminder_allowed(T0, T0 + timedelta(hours=23))
    assert reminder_allowed(T0, T0 + timedelta(hours=24))
    assert days_until_rejection(T0, T0 + timedelta(days=3)) == 27
    assert days_until_rejection(T0, T0 + timedelta(days=31)) == 0
