"""The package layering, pinned: the domain is pure (no Slack: escaping and Block Kit are bot/slack/'s),
providers know neither the store nor Slack, use cases know no Slack (they queue what Slack is told).

Reads every module's imports from its syntax tree (nothing is imported), so a forbidden import
fails here even when it sits in a function body or under `if TYPE_CHECKING:`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[2] / "bot"

DOMAIN_MAY_NOT_IMPORT = (
    "bot.providers",
    "bot.slack",
    "bot.store",
    "bot.usecases",
    "slack_sdk",
    "slack_bolt",
    "httpx",
    "sqlite_utils",
    "starlette",
)
PROVIDERS_MAY_NOT_IMPORT = ("bot.store", "bot.slack")
USE_CASES_MAY_NOT_IMPORT = ("bot.slack", "slack_sdk", "slack_bolt")


def _package_of(path: Path) -> str:
    """The package a module's relative imports start from ("bot.domain" for bot/domain/forms.py)."""
    return ".".join(path.relative_to(BOT.parent).parent.parts)


def imported_modules(source: str, package: str) -> list[tuple[int, str]]:
    """(line, module) for every import in `source`, relative ones resolved against `package`;
    `from a import b` also counts as importing `a.b` (b may be a module: `from bot import slack`)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]) if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def _forbidden(module: str, names: tuple[str, ...]) -> bool:
    return any(module == name or module.startswith(name + ".") for name in names)


def violations(package: str, names: tuple[str, ...]) -> list[str]:
    problems = set()
    for path in sorted((BOT / package).rglob("*.py")):
        for line, module in imported_modules(path.read_text(encoding="utf-8"), _package_of(path)):
            if _forbidden(module, names):
                problems.add(f"{path.relative_to(BOT.parent)}:{line} imports {module}")
    return sorted(problems)


def test_the_modules_are_there():
    assert len(list((BOT / "domain").rglob("*.py"))) > 5
    assert len(list((BOT / "providers").rglob("*.py"))) > 5


def test_the_domain_imports_no_provider_slack_store_use_case_or_io_library():
    assert violations("domain", DOMAIN_MAY_NOT_IMPORT) == []


def test_providers_import_neither_the_store_nor_slack():
    assert violations("providers", PROVIDERS_MAY_NOT_IMPORT) == []


def test_use_cases_import_nothing_of_slack():
    assert violations("usecases", USE_CASES_MAY_NOT_IMPORT) == []


@pytest.mark.parametrize(
    ("source", "module"),
    [
        ("import httpx", "httpx"),
        ("import slack_sdk.web.async_client as web", "slack_sdk"),
        ("from bot.store.requests import RequestRecord", "bot.store"),
        ("from bot import slack", "bot.slack"),
        ("from ..providers.infobip import models", "bot.providers"),
        ("from .. import usecases", "bot.usecases"),
        ("def f():\n    from starlette.responses import Response", "starlette"),
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from sqlite_utils import Database", "sqlite_utils"),
    ],
)
def test_every_kind_of_import_is_seen(source, module):
    found = [name for _, name in imported_modules(source, "bot.domain")]
    assert any(_forbidden(name, (module,)) for name in found), found


def test_allowed_imports_pass():
    found = [
        name
        for _, name in imported_modules(
            "from bot.domain.events import EventKind\nimport pydantic", "bot.providers.infobip"
        )
    ]
    assert not any(_forbidden(name, DOMAIN_MAY_NOT_IMPORT) for name in found)
