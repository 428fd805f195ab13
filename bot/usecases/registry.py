"""The one table of use cases, by the action their intents carry (recovery looks them up here)."""

from __future__ import annotations

from bot.usecases.buy_number import BUY_NUMBER
from bot.usecases.cancel_number import CANCEL_NUMBER
from bot.usecases.cancel_request import CANCEL_REQUEST
from bot.usecases.order_cm_numbers import ORDER_CM_NUMBERS
from bot.usecases.provisioning import USE_CASES as PROVISIONING
from bot.usecases.runner import UseCase
from bot.usecases.set_number_platform import SET_NUMBER_PLATFORM
from bot.usecases.submit_request import SUBMIT_REQUEST
from bot.usecases.update_request import UPDATE_REQUEST

USE_CASES: dict[str, UseCase] = {
    use_case.action: use_case
    for use_case in (
        SUBMIT_REQUEST,
        UPDATE_REQUEST,
        CANCEL_REQUEST,
        BUY_NUMBER,
        CANCEL_NUMBER,
        SET_NUMBER_PLATFORM,
        ORDER_CM_NUMBERS,
        *PROVISIONING.values(),
    )
}
