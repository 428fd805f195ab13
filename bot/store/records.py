"""Reading a table's rows as pydantic records, and claiming a row once (intents, approvals)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlite_utils
from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Table(Generic[M]):
    """A table whose rows are `model` records; `json_fields` are stored as JSON text."""

    name: str
    model: type[M]
    json_fields: Collection[str] = ()

    def select(self, db: sqlite_utils.Database, where: str, args: list[Any], suffix: str = "") -> list[M]:
        """The rows as records: NULL columns left out (so the record's default stands).
        `where` and `suffix` come from code, never from input."""
        cursor = db.execute(f"SELECT * FROM {self.name} WHERE {where} {suffix}", args)
        columns = [column[0] for column in cursor.description]
        return [
            self.model(
                **{
                    k: (json.loads(v) if k in self.json_fields and v else v)
                    for k, v in zip(columns, row, strict=True)
                    if v is not None
                }
            )
            for row in cursor.fetchall()
        ]

    def first(self, db: sqlite_utils.Database, where: str, args: list[Any]) -> M | None:
        found = self.select(db, where, args)
        return found[0] if found else None


@dataclass(frozen=True)
class Claimed(Generic[M]):
    """`first`: this insert stored the row. Otherwise `row` is the earlier one with the same key
    (a repeat) or, with `busy`, the open one on the same target (someone is at it right now)."""

    row: M
    first: bool
    busy: bool = False


def insert_once(
    db: sqlite_utils.Database,
    table: Table[M],
    insert: str,
    args: list[Any],
    *,
    key: str,
    open_on_target: tuple[str, list[Any]],
) -> Claimed[M]:
    """Run `insert` of a row keyed by a person's action key, or say who has it: the primary key
    refuses a second row of the same key, a partial unique index a second open row on the target
    (`open_on_target`: where and args that find it). Call inside a write transaction."""
    try:
        db.execute(insert, args)
    except sqlite3.IntegrityError:
        earlier = table.first(db, "key = ?", [key])
        if earlier is not None:
            return Claimed(earlier, first=False)
        running = table.first(db, *open_on_target)
        if running is None:  # settled between the insert and this read: the caller may try again
            raise
        return Claimed(running, first=False, busy=True)
    stored = table.first(db, "key = ?", [key])
    assert stored is not None  # inserted just now, in this transaction
    return Claimed(stored, first=True)
