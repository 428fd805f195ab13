"""A provider failure is explained with the provider's own name, whichever it is."""

from __future__ import annotations

from bot.providers.cm.client import CmAPIError, CmTransportError, CmUnknownOutcome
from bot.providers.infobip.errors import InfobipTransportError
from bot.slack.provider_errors import explain


def test_each_provider_is_named_in_its_own_failures():
    assert (
        explain(InfobipTransportError("get-resource-requests", "connection refused"))[0]
        == "Infobip could not be reached."
    )
    assert explain(CmTransportError("create-number-request", "connection refused"))[0] == "CM.com could not be reached."
    headline, details = explain(CmUnknownOutcome("create-number-request", "timed out"))
    assert headline.startswith("CM.com did not confirm") and "CM.com" in details[0]
    assert explain(CmAPIError(400, "<b>Quantity</b> too high"))[0] == "&lt;b&gt;Quantity&lt;/b&gt; too high"
