"""What a country's regulation asks for: the requirements a request form is built from.

The domain's own model of a requirement, importing no provider: a provider maps its lookup
results onto it at its boundary (`bot.providers.infobip.mapping`). It also reads the camelCase
names a requirement is stored under in drafts (`multipleValuesSupported`, `minLength`,
`documentId`, ...), so a saved form reopens as it was; those names are Infobip's, and Infobip's
wire models (`bot.providers.infobip.models`) extend these rather than state the fields again.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

# The document types a DOCUMENT requirement accepts, with the content type of each.
DOCUMENT_CONTENT_TYPES: dict[str, str] = {
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".pdf": "application/pdf",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".mp4": "video/mp4",
    ".avi": "video/x-msvideo",
    ".mov": "video/quicktime",
    ".webm": "video/webm",
}


class DocumentType(StrEnum):
    """What an attached document is for."""

    TEMPLATE = "TEMPLATE"
    SAMPLE = "SAMPLE"
    PREFILLED_DOCUMENT = "PREFILLED_DOCUMENT"


class _Model(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")


class RequirementRules(_Model):
    """Rules on a TEXT (min/max length, pattern) or INTEGER (min/max value) requirement."""

    min_length: int | None = Field(None, alias="minLength")
    max_length: int | None = Field(None, alias="maxLength")
    pattern: str | None = None
    min_value: int | None = Field(None, alias="minValue")
    max_value: int | None = Field(None, alias="maxValue")


class RequirementDocument(_Model):
    """A document the user can download: a template to fill in, a sample, a prefilled form."""

    document_id: str = Field(alias="documentId")
    document_type: DocumentType | str = Field(alias="documentType", union_mode="left_to_right")


class Requirement(_Model):
    """One field a country's regulation asks for."""

    key: str
    type: str  # TEXT, INTEGER, EMAIL, URL, GSM, DOCUMENT; a provider may add others
    name: str = ""
    description: str = ""
    required: bool = False
    multiple_values_supported: bool = Field(False, alias="multipleValuesSupported")
    category: str | None = None
    options: list[str | int] | None = None
    validation: RequirementRules | None = None
    attachment: RequirementDocument | None = None
