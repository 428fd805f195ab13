"""Infobip's wire models → the domain's types, at the provider boundary.

The domain never imports this package; whoever holds an Infobip model and calls the domain maps
it here first.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.domain import requirements as domain
from bot.providers.infobip.models import Requirement


def to_domain_requirement(requirement: Requirement) -> domain.Requirement:
    """One requirement of Infobip's lookup as the domain's requirement. The domain's model reads
    Infobip's field names (drafts store requirements under them), rules and attachment included,
    so the requirement is read as Infobip wrote it; fields the domain has no use for are left out."""
    return domain.Requirement.model_validate(requirement.model_dump(mode="json", by_alias=True))


def to_domain_requirements(requirements: Iterable[Requirement]) -> list[domain.Requirement]:
    return [to_domain_requirement(requirement) for requirement in requirements]
