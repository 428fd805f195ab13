"""The operations table must say what the contract says: paths, methods and rate limits."""

import json
from pathlib import Path

import pytest

from bot.providers.infobip.operations import OPERATIONS, match_operation

SPEC = json.loads((Path(__file__).parent / "infobip-openapi.json").read_text())
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


def _spec_operations():
    for path, item in SPEC["paths"].items():
        for method, op in item.items():
            if method in HTTP_METHODS:
                yield op["operationId"], method.upper(), path, op.get("x-throttling-info")


def test_table_covers_every_contract_operation_and_nothing_else():
    assert {op_id for op_id, *_ in _spec_operations()} == set(OPERATIONS)


@pytest.mark.parametrize("op_id,method,path,throttling", list(_spec_operations()))
def test_operation_matches_contract(op_id, method, path, throttling):
    op = OPERATIONS[op_id]
    assert (op.method, op.path) == (method, path)
    if not throttling:
        assert op.rate is None
        return
    rule = throttling[0]
    if rule["type"] == "time":
        per = {"s": 1, "m": 60}[rule["timeUnit"]]
        assert op.rate == pytest.approx(rule["numberOfRequests"] / per)
    else:
        assert op.rate == rule["replenishRate"]
        assert op.burst == rule["burstCapacity"]


def test_literal_paths_win_over_templates():
    assert match_operation("GET", "/provisioning/1/associations/single").operation_id == "get-resource-association"
    assert match_operation("GET", "/numbers/1/numbers/available").operation_id == "get-available-numbers"
    assert match_operation("GET", "/numbers/1/numbers/ABC").operation_id == "get-single-owned-number"
    assert match_operation("GET", "/nowhere") is None
