"""One sender form for several countries: which fields are asked once, which once per country.

A requirement is **shared** when every country of the form asks for it with the same definition
(key, type, name, description, whether it is required, its options and rules, its template): it
is one field, under its own key. Any other requirement — a key only some countries ask for, or
one whose definition differs (Serbia's 9-digit PIB under `vatNumber`, where Croatia asks for an
HR VAT number) — is one field per country that asks for it, keyed `<CC>:<key>` (`RS:vatNumber`)
and labelled with the country, so field ids stay unique and each maps back to its key.

`split_form` turns the validated merged form back into each country's own form, under the keys
Infobip knows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from bot.domain.profiles import Profile, fill_problems
from bot.domain.requirements import Requirement
from bot.domain.validation import ValidatedForm

SEPARATOR = ":"


def country_key(country: str, key: str) -> str:
    """The merged key of a requirement asked per country: `RS:vatNumber`."""
    return f"{country}{SEPARATOR}{key}"


def split_key(merged_key: str, countries: Sequence[str]) -> tuple[str | None, str]:
    """(country, key) of a merged key; country None for a shared field."""
    head, sep, rest = merged_key.partition(SEPARATOR)
    if sep and head in countries:
        return head, rest
    return None, merged_key


def shared_keys(sets: Mapping[str, Sequence[Requirement]]) -> set[str]:
    """Keys every country asks for with the same definition."""
    if not sets:
        return set()
    by_country = [{r.key: r for r in requirements} for requirements in sets.values()]
    first, *rest = by_country
    return {key for key, requirement in first.items() if all(other.get(key) == requirement for other in rest)}


def merge(sets: Mapping[str, Sequence[Requirement]]) -> list[Requirement]:
    """The merged form's requirements, countries in the given order: a shared one where it first
    appears, under its key; every other one as its country's, keyed and labelled with it."""
    shared = shared_keys(sets)
    merged: list[Requirement] = []
    seen: set[str] = set()
    for country, requirements in sets.items():
        for requirement in requirements:
            if requirement.key in shared:
                if requirement.key not in seen:
                    seen.add(requirement.key)
                    merged.append(requirement)
                continue
            merged.append(
                requirement.model_copy(
                    update={
                        "key": country_key(country, requirement.key),
                        "name": f"{requirement.name or requirement.key} ({country})",
                    }
                )
            )
    return merged


def split_form(form: ValidatedForm, country: str, countries: Sequence[str]) -> ValidatedForm:
    """One country's form out of the merged one: the shared fields and its own, under Infobip's
    keys; the fixed fields (sender name, contact emails, application, entity) are everyone's."""

    def own(merged_key: str) -> str | None:
        owner, key = split_key(merged_key, countries)
        return key if owner in (None, country) else None

    def mapped(pairs: Mapping[str, Any]) -> dict[str, Any]:
        return {key: value for merged, value in pairs.items() if (key := own(merged)) is not None}

    requirements = [
        {"key": key, "value": item["value"]} for item in form.requirements if (key := own(item["key"])) is not None
    ]
    return replace(
        form,
        requirements=requirements,
        uploads=mapped(form.uploads),
        multiple=frozenset(key for merged in form.multiple if (key := own(merged)) is not None),
        order=tuple(key for merged in form.order if (key := own(merged)) is not None),
    )


# ---- Company profiles ---------------------------------------------------------------------------


def keyed_profile(profile: Profile, merged: Sequence[Requirement], countries: Sequence[str]) -> Profile:
    """`profile` under the merged form's keys: each per-country field (`RS:vatNumber`) given the
    profile's value (or documents) of its key, the shared ones and the fixed fields as they are."""
    values = dict(profile.values)
    documents = {}
    for requirement in merged:
        _, key = split_key(requirement.key, countries)
        if key in profile.values:
            values[requirement.key] = profile.values[key]
        if profile.documents.get(key):
            documents[requirement.key] = list(profile.documents[key])
    return replace(profile, values=values, documents=documents)


def problems_by_country(
    merged: Sequence[Requirement], values: Mapping[str, Any], countries: Sequence[str]
) -> dict[str, str]:
    """What each country's rules refuse of the prefilled values, by field: a per-country field by
    its country's, a shared one (and the fixed fields) by the first country's, as on submit."""
    groups: dict[str, list[Requirement]] = {}
    for requirement in merged:
        owner, _ = split_key(requirement.key, countries)
        groups.setdefault(owner or countries[0], []).append(requirement)
    problems: dict[str, str] = {}
    for country, requirements in groups.items():
        problems.update(fill_problems(requirements, values, country))
    return problems
