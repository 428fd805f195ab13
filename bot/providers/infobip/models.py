"""Pydantic models for the Infobip API, keeping its quirks.

Enumerations that Infobip may extend (statuses, types, feedback codes) are typed as
`Enum | str`: a known value becomes the enum member, an unknown one stays a plain string
instead of failing the whole response.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class InfobipModel(BaseModel):
    """Base for every model: unknown fields are kept, not rejected (the API grows)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


# ---- Requirements lookup -------------------------------------------------------------------

class RequirementType(StrEnum):
    TEXT = "TEXT"
    INTEGER = "INTEGER"
    EMAIL = "EMAIL"
    URL = "URL"
    GSM = "GSM"
    DOCUMENT = "DOCUMENT"


class DocumentType(StrEnum):
    TEMPLATE = "TEMPLATE"
    SAMPLE = "SAMPLE"
    PREFILLED_DOCUMENT = "PREFILLED_DOCUMENT"


class RequirementValidation(InfobipModel):
    """Rules on a TEXT (min/max length, pattern) or INTEGER (min/max value) requirement."""

    min_length: int | None = Field(None, alias="minLength")
    max_length: int | None = Field(None, alias="maxLength")
    pattern: str | None = None
    min_value: int | None = Field(None, alias="minValue")
    max_value: int | None = Field(None, alias="maxValue")


class RequirementAttachment(InfobipModel):
    """A document the user can download: a template to fill in, a sample, a prefilled form."""

    document_id: str = Field(alias="documentId")
    document_type: DocumentType | str = Field(alias="documentType")


class Requirement(InfobipModel):
    """One field a country's regulation asks for, as the requirements lookup returns it."""

    key: str
    type: RequirementType | str
    name: str = ""
    description: str = ""
    required: bool = False
    multiple_values_supported: bool = Field(False, alias="multipleValuesSupported")
    category: str | None = None
    options: list[str | int] | None = None
    validation: RequirementValidation | None = None
    attachment: RequirementAttachment | None = None


class RequirementsLookupResult(InfobipModel):
    requirements: list[Requirement] = Field(default_factory=list)


# A submitted value: a string, an integer, or a list of them when multipleValuesSupported.
RequirementValue = str | int | list[str] | list[int] | list[str | int]


class FilledRequirement(InfobipModel):
    key: str
    value: Any
