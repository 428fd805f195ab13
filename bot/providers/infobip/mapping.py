"""Infobip's wire models → the domain's types, at the provider boundary.

The domain never imports this package; whoever holds an Infobip model and calls the domain maps
it here first.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.domain import requirements as domain
from bot.providers.infobip.models import Requirement, RequirementAttachment, RequirementValidation


def _rules(validation: RequirementValidation | None) -> domain.RequirementRules | None:
    if validation is None:
        return None
    return domain.RequirementRules(
        min_length=validation.min_length,
        max_length=validation.max_length,
        pattern=validation.pattern,
        min_value=validation.min_value,
        max_value=validation.max_value,
    )


def _document(attachment: RequirementAttachment | None) -> domain.RequirementDocument | None:
    if attachment is None:
        return None
    return domain.RequirementDocument(document_id=attachment.document_id, document_type=attachment.document_type)


def to_domain_requirement(requirement: Requirement) -> domain.Requirement:
    """One requirement of Infobip's lookup as the domain's requirement."""
    return domain.Requirement(
        key=requirement.key,
        type=str(requirement.type),
        name=requirement.name,
        description=requirement.description,
        required=requirement.required,
        multiple_values_supported=requirement.multiple_values_supported,
        category=requirement.category,
        options=requirement.options,
        validation=_rules(requirement.validation),
        attachment=_document(requirement.attachment),
    )


def to_domain_requirements(requirements: Iterable[Requirement]) -> list[domain.Requirement]:
    return [to_domain_requirement(requirement) for requirement in requirements]
