""".env.example names every setting the bot reads, each with its comment, and its example
values are all valid: the file cannot drift from bot/settings.py."""

from __future__ import annotations

import re
from pathlib import Path

from bot.settings import Settings, load_settings

EXAMPLE = Path(__file__).resolve().parent.parent / ".env.example"
# `# NAME=value` (commented out, as shipped) or `NAME=value`.
ASSIGNMENT = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=(.*)$")


def assignments() -> list[tuple[int, str, str]]:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    return [
        (number, match.group(1), match.group(2))
        for number, line in enumerate(lines)
        if (match := ASSIGNMENT.match(line))
    ]


def test_every_setting_appears_once_and_nothing_else_does():
    names = [name for _, name, _ in assignments()]
    fields = {field.upper() for field in Settings.model_fields}
    assert sorted(fields - set(names)) == [], "settings missing from .env.example"
    assert sorted(set(names) - fields) == [], ".env.example names settings the bot does not read"
    assert len(names) == len(set(names)), "a setting appears twice"


def test_each_setting_has_a_one_line_comment_right_above_it():
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    for number, name, _ in assignments():
        above = lines[number - 1] if number else ""
        assert above.startswith("# ") and not ASSIGNMENT.match(above) and len(above) > 12, (
            f"{name} has no comment of its own above it"
        )


def test_the_example_values_uncommented_are_valid_settings(tmp_path, monkeypatch):
    for field in Settings.model_fields:  # the file alone decides
        monkeypatch.delenv(field.upper(), raising=False)
    env_file = tmp_path / ".env"
    env_file.write_text("".join(f"{name}={value}\n" for _, name, value in assignments()), encoding="utf-8")
    settings = load_settings(_env_file=env_file)
    assert settings.port == 3000 and settings.resourcebot_log_format == "text"
    assert settings.cm_company_profiles == {"Support desk": "0b0c6b8e-5c5f-4a43-9a0a-3c7d2f1e9b11"}
    assert settings.slack_bot_token is not None and settings.infobip_webhook_password is not None


def test_the_file_copied_as_it_is_sets_nothing():
    """Every line is commented out: a copied .env never sets a placeholder credential or URL."""
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    assert [lines[number] for number, _, _ in assignments() if not lines[number].startswith("# ")] == []
