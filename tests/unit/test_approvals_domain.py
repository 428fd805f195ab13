"""The rules of approvals: which changes wait for a decision, who may decide, when one expires."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from bot.domain.approvals import (
    APPROVAL_KINDS,
    DEFAULT_APPROVAL_FOR,
    PURCHASE,
    deciders,
    expired,
    expires_at,
    may_decide,
    needs_approval,
)
from bot.settings import load_settings

APPROVERS = frozenset({"U0ANN", "U0BEN"})


def test_no_approvers_means_no_approvals_as_before():
    assert not needs_approval(PURCHASE, approvers=frozenset(), approval_for=DEFAULT_APPROVAL_FOR, monthly_price=50)


def test_only_the_listed_kinds_need_one():
    assert needs_approval(PURCHASE, approvers=APPROVERS, approval_for={PURCHASE}, monthly_price=5)
    assert not needs_approval(PURCHASE, approvers=APPROVERS, approval_for={"cm-order"}, monthly_price=5)
    assert needs_approval("cm-order", approvers=APPROVERS, approval_for={"cm-order"})


@pytest.mark.parametrize(
    ("monthly", "free_below", "needed"),
    [(0.99, 1, False), (1, 1, True), (Decimal("2.50"), Decimal("2.5"), True), (0, 0, True), (None, 100, True)],
)
def test_a_purchase_below_the_free_limit_needs_none_and_an_unknown_price_is_not_free(monthly, free_below, needed):
    assert (
        needs_approval(
            PURCHASE, approvers=APPROVERS, approval_for={PURCHASE}, monthly_price=monthly, free_below=free_below
        )
        is needed
    )


def test_only_approvers_decide_and_never_on_their_own_request():
    assert may_decide("U0ANN", "U0REQ", APPROVERS)
    assert not may_decide("U0REQ", "U0REQ", APPROVERS | {"U0REQ"})
    assert not may_decide("U0OTHER", "U0REQ", APPROVERS)
    assert deciders("U0ANN", APPROVERS) == ["U0BEN"]
    assert deciders("U0REQ", APPROVERS) == ["U0ANN", "U0BEN"]


def test_expiry_is_the_asked_time_plus_the_hours():
    asked = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    expiry = expires_at(asked, 72)
    assert expiry == datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    assert not expired(expiry, expiry - timedelta(seconds=1)) and expired(expiry, expiry)


def test_settings_read_the_approval_kinds_and_approvers_and_refuse_what_they_are_not():
    settings = load_settings(_env_file=None, resourcebot_approval_for=" Purchase , cm-order ")
    assert settings.resourcebot_approval_for == {PURCHASE, "cm-order"}
    assert load_settings(_env_file=None).resourcebot_approval_for == DEFAULT_APPROVAL_FOR <= APPROVAL_KINDS
    with pytest.raises(Exception, match="RESOURCEBOT_APPROVAL_FOR"):
        load_settings(_env_file=None, resourcebot_approval_for="purchase,lunch")
    both = load_settings(_env_file=None, resourcebot_approvers="U0ANN1, S0GROUP1")
    assert both.resourcebot_approvers == {"U0ANN1", "S0GROUP1"}
    with pytest.raises(Exception, match="RESOURCEBOT_APPROVERS"):
        load_settings(_env_file=None, resourcebot_approvers="U0ANN1,@approvers")


def test_an_approval_channel_is_a_channel_id_and_needs_approvers():
    assert load_settings(_env_file=None, resourcebot_approvers="U0ANN1", resourcebot_approval_channel="C0APPROVE")
    with pytest.raises(Exception, match="RESOURCEBOT_APPROVAL_CHANNEL"):
        load_settings(_env_file=None, resourcebot_approvers="U0ANN1", resourcebot_approval_channel="#approvals")
    with pytest.raises(Exception, match="RESOURCEBOT_APPROVERS: missing"):
        load_settings(_env_file=None, resourcebot_approval_channel="C0APPROVE")
