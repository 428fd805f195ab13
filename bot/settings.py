"""The bot's settings: one pydantic-settings model, read from the environment and a `.env` file.

Problems are reported by setting name, all at once, without echoing values (several are
secrets). Which settings are required depends on the command: `sandbox` needs none, `serve`
needs the Slack credentials.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.domain.approvals import APPROVAL_KINDS, DEFAULT_APPROVAL_FOR

if TYPE_CHECKING:
    from bot.http_guard import Limits

SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
SLACK_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
SLACK_USERGROUP_ID = re.compile(r"^S[A-Z0-9]{2,}$")
UUID_TEXT = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# What each Slack token is called when it is wrong, and the prefix Slack gives that kind.
_SLACK_TOKEN_KINDS = {"slack_bot_token": ("a bot token", "xoxb-"), "slack_app_token": ("an app-level token", "xapp-")}


def _check_http_url(value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http(s) URL with a host, e.g. https://example.com")
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"

    infobip_base_url: str | None = None
    infobip_api_key: SecretStr | None = None
    infobip_webhook_username: str | None = None
    infobip_webhook_password: SecretStr | None = None

    cm_base_url: str | None = None
    cm_product_token: SecretStr | None = None
    cm_account_id: str | None = None
    # The company profiles people may pick in the CM.com form: "Name=uuid,Other name=uuid".
    cm_company_profiles: Annotated[dict[str, str], NoDecode] = Field(default_factory=dict)

    public_url: str | None = None
    resourcebot_db: Path = Path("data/resourcebot.sqlite3")
    resourcebot_admins: Annotated[frozenset[str], NoDecode] = Field(default_factory=frozenset)
    resourcebot_channel: str | None = None
    # Who may buy and cancel numbers, and who may change associations and inbound routing;
    # empty means RESOURCEBOT_ADMINS. Anyone may look.
    # How often open requests are compared with the provider (catches statuses Infobip does not
    # notify, and webhooks missed while the bot was down); 0 turns it off.
    resourcebot_reconcile_seconds: float = Field(300.0, ge=0)
    # How often changes left without an outcome (a crash, a lost answer) are looked up at the
    # provider and finished; also once at start-up.
    resourcebot_recover_seconds: float = Field(30.0, gt=0)
    # A submission whose answer was lost and that has not shown up at the provider after this
    # long is taken as never made, and its requester told.
    resourcebot_unconfirmed_give_up_seconds: float = Field(600.0, gt=0)
    # How long a requirements lookup's answer is kept for the next form of the same type, country
    # and options (bot/providers/infobip/requirements_cache.py); 0 turns the cache off.
    resourcebot_requirements_cache_seconds: float = Field(3600.0, ge=0)
    # What one request may cost (bot/http_guard.py): body sizes by route, how long its headers and
    # its body may take to arrive, and how many connections are served at once.
    resourcebot_max_slack_body_bytes: int = Field(2 * 1024 * 1024, ge=64 * 1024)
    resourcebot_max_webhook_body_bytes: int = Field(256 * 1024, ge=16 * 1024)
    resourcebot_header_timeout_seconds: float = Field(10.0, gt=0)
    resourcebot_body_timeout_seconds: float = Field(10.0, gt=0)
    resourcebot_max_connections: int = Field(1000, ge=10)
    # Where attached files may come from besides Slack's own file host, e.g. the Slack stand-in:
    # "http://127.0.0.1:5555". The bot token is sent there: name only hosts you run.
    resourcebot_slack_file_origins: Annotated[frozenset[tuple[str, str, int]], NoDecode] = Field(
        default_factory=frozenset
    )
    # A request waiting on its requester this long gets a reminder (at most one a day).
    resourcebot_remind_after_hours: float = Field(48.0, gt=0)
    resourcebot_number_managers: Annotated[frozenset[str], NoDecode] = Field(default_factory=frozenset)
    resourcebot_routing_managers: Annotated[frozenset[str], NoDecode] = Field(default_factory=frozenset)
    # Who may create, change and delete company profiles (everyone may use them); empty means RESOURCEBOT_ADMINS.
    resourcebot_profile_managers: Annotated[frozenset[str], NoDecode] = Field(default_factory=frozenset)
    # Approvals (bot/domain/approvals.py): who decides (Slack user and user group ids; none: no approvals), where
    # their requests are posted (none: a DM to each), which actions need one, the monthly price a
    # purchase needs none below (in the number's currency), and when an undecided one expires.
    resourcebot_approvers: Annotated[frozenset[str], NoDecode] = Field(default_factory=frozenset)
    resourcebot_approval_channel: str | None = None
    resourcebot_approval_for: Annotated[frozenset[str], NoDecode] = Field(default_factory=lambda: DEFAULT_APPROVAL_FOR)
    resourcebot_approval_free_below: float = Field(0.0, ge=0)
    resourcebot_approval_expires_hours: float = Field(72.0, gt=0)
    # Operations: where `serve` listens unless --host/--port say otherwise (PaaS platforms set PORT),
    # and how the logs look (json: one object per line, for log collectors).
    host: str = "127.0.0.1"
    port: int = Field(3000, ge=0, le=65535)
    resourcebot_log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    resourcebot_log_format: Literal["text", "json"] = "text"

    @field_validator("resourcebot_log_level", mode="before")
    @classmethod
    def _log_level_any_case(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("resourcebot_log_format", mode="before")
    @classmethod
    def _log_format_any_case(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("slack_api_url", "infobip_base_url", "cm_base_url", "public_url")
    @classmethod
    def _urls(cls, value: str | None) -> str | None:
        return _check_http_url(value or None)

    @field_validator("slack_api_url")
    @classmethod
    def _slack_api_url_ends_with_slash(cls, value: str) -> str:
        # slack_sdk joins method names onto the base URL.
        return value if value.endswith("/") else value + "/"

    @field_validator("slack_bot_token", "slack_app_token")
    @classmethod
    def _slack_token_kind(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        kind, prefix = _SLACK_TOKEN_KINDS[info.field_name or ""]
        if value is not None and not value.get_secret_value().startswith(prefix):
            raise ValueError(f"must be {kind} starting with {prefix}")
        return value

    @field_validator("cm_account_id")
    @classmethod
    def _cm_account(cls, value: str | None) -> str | None:
        if value and not UUID_TEXT.match(value.strip()):
            raise ValueError("must be the voice account's GUID, e.g. 0b0c6b8e-5c5f-4a43-9a0a-3c7d2f1e9b11")
        return value.strip() if value else value

    @field_validator("cm_company_profiles", mode="before")
    @classmethod
    def _profiles(cls, value: object) -> dict[str, str]:
        if not isinstance(value, str):
            return dict(value or {})  # type: ignore[arg-type]
        profiles = {}
        for item in filter(None, (part.strip() for part in value.split(","))):
            name, sep, guid = item.rpartition("=")
            if not sep or not name.strip() or not UUID_TEXT.match(guid.strip()):
                raise ValueError(
                    "must be comma-separated Name=uuid pairs, e.g. Support=0b0c6b8e-5c5f-4a43-9a0a-3c7d2f1e9b11"
                )
            profiles[name.strip()] = guid.strip().lower()
        return profiles

    @field_validator("resourcebot_slack_file_origins", mode="before")
    @classmethod
    def _file_origins(cls, value: object) -> frozenset[tuple[str, str, int]]:
        from bot.slack.files import parse_origins

        return parse_origins(value) if isinstance(value, str) else frozenset(value or ())  # type: ignore[arg-type]

    @field_validator("resourcebot_approvers", mode="before")
    @classmethod
    def _approvers(cls, value: object) -> frozenset[str]:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        ids = frozenset(value or ())  # type: ignore[arg-type]
        bad = sorted(i for i in ids if not (SLACK_USER_ID.match(i) or SLACK_USERGROUP_ID.match(i)))
        if bad:
            raise ValueError(
                f"must be comma-separated Slack user IDs like U012ABCDEF or user group IDs like S012ABCDEF; "
                f"not: {', '.join(bad)}"
            )
        return ids

    @field_validator("resourcebot_approval_channel")
    @classmethod
    def _approval_channel(cls, value: str | None) -> str | None:
        if value and not SLACK_CHANNEL_ID.match(value):
            raise ValueError("must be a Slack channel ID like C012ABCDEF (not a #name)")
        return value

    @field_validator("resourcebot_approval_for", mode="before")
    @classmethod
    def _approval_for(cls, value: object) -> frozenset[str]:
        if isinstance(value, str):
            value = [part.strip().lower() for part in value.split(",") if part.strip()]
        kinds = frozenset(value or ())  # type: ignore[arg-type]
        bad = sorted(kinds - APPROVAL_KINDS)
        if bad:
            allowed = ", ".join(sorted(APPROVAL_KINDS))
            raise ValueError(f"must be a comma-separated list of {allowed}; not: {', '.join(bad)}")
        return kinds

    @field_validator(
        "resourcebot_admins",
        "resourcebot_number_managers",
        "resourcebot_routing_managers",
        "resourcebot_profile_managers",
        mode="before",
    )
    @classmethod
    def _admins(cls, value: object) -> frozenset[str]:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        ids = frozenset(value or ())  # type: ignore[arg-type]
        bad = sorted(i for i in ids if not SLACK_USER_ID.match(i))
        if bad:
            raise ValueError(f"must be comma-separated Slack user IDs like U012ABCDEF; not: {', '.join(bad)}")
        return ids

    def pairing_problems(self) -> list[str]:
        """Settings that only make sense together, reported by the one that is missing."""
        problems = []
        if self.infobip_base_url and not self.infobip_api_key:
            # The key alone is fine: it is then the built-in sandbox's key.
            problems.append("INFOBIP_API_KEY: missing (needed together with INFOBIP_BASE_URL)")
        groups = [
            ("INFOBIP_WEBHOOK_USERNAME", "INFOBIP_WEBHOOK_PASSWORD"),
            ("CM_BASE_URL", "CM_PRODUCT_TOKEN", "CM_ACCOUNT_ID"),
        ]
        if self.resourcebot_approval_channel and not self.resourcebot_approvers:
            # A channel for approval requests with nobody to decide them: approvals would stay off.
            problems.append("RESOURCEBOT_APPROVERS: missing (needed together with RESOURCEBOT_APPROVAL_CHANNEL)")
        for group in groups:
            present = [name for name in group if getattr(self, name.lower())]
            if present and len(present) < len(group):
                for name in group:
                    if name not in present:
                        problems.append(f"{name}: missing (needed together with {', '.join(present)})")
        return problems

    @property
    def http_limits(self) -> Limits:
        from bot.http_guard import Limits

        return Limits(
            slack_body=self.resourcebot_max_slack_body_bytes,
            webhook_body=self.resourcebot_max_webhook_body_bytes,
            body_seconds=self.resourcebot_body_timeout_seconds,
            header_seconds=self.resourcebot_header_timeout_seconds,
            connections=self.resourcebot_max_connections,
        )

    @property
    def uses_infobip_sandbox(self) -> bool:
        return self.infobip_base_url is None

    @property
    def uses_socket_mode(self) -> bool:
        return self.slack_app_token is not None

    @property
    def cm_configured(self) -> bool:
        return self.cm_base_url is not None


class SettingsError(Exception):
    """Every settings problem found, each as 'NAME: what is wrong'."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def slack_credentials(settings: Settings) -> tuple[str, ...]:
    """What `serve` and `check` need from Slack: the bot token, and the signing secret only over
    HTTP (in Socket Mode nothing Slack sends is signed)."""
    return ("SLACK_BOT_TOKEN",) if settings.uses_socket_mode else ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")


def load_settings(required: Iterable[str] | Callable[[Settings], Iterable[str]] = (), **overrides: object) -> Settings:
    """Read the settings; raise SettingsError listing every missing or malformed one. `required`
    names settings that must be set, or says which from the settings read (e.g. slack_credentials)."""
    problems: list[str] = []
    malformed: set[str] = set()
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        for error in exc.errors():
            # Never echo error["input"]: it may be a token.
            field = str(error["loc"][0]) if error["loc"] else "settings"
            malformed.add(field)
            problems.append(f"{field.upper()}: {error['msg'].removeprefix('Value error, ')}")
        # Read again with the malformed ones at their defaults, to find the other problems too.
        defaults = {
            field: Settings.model_fields[field].get_default(call_default_factory=True)
            for field in malformed
            if field in Settings.model_fields
        }
        settings = Settings(**{**overrides, **defaults})  # type: ignore[arg-type]
    # A malformed one is named once, by what is wrong with it, not again as missing from its group.
    problems += [p for p in settings.pairing_problems() if p.partition(":")[0].lower() not in malformed]
    for name in required(settings) if callable(required) else required:
        value = getattr(settings, name.lower())
        if name.lower() not in malformed and (value in (None, "") or isinstance(value, SecretStr) and not value):
            problems.append(f"{name.upper()}: missing")
    if problems:
        raise SettingsError(problems)
    return settings
