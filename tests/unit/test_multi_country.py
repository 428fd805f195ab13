"""The merge of several countries' requirement sets into one sender form, and its split back."""

from __future__ import annotations

from bot.domain.multi_country import (
    country_key,
    keyed_profile,
    merge,
    problems_by_country,
    shared_keys,
    split_form,
    split_key,
)
from bot.domain.profiles import Profile, ProfileDocument
from bot.domain.requirements import Requirement
from bot.domain.validation import ValidatedForm


def req(key: str, **fields) -> Requirement:
    return Requirement.model_validate({"key": key, "type": "TEXT", "name": key.title(), **fields})


COMPANY = req("companyName", required=True)
VAT_HR = req("vatNumber", validation={"pattern": "^HR[0-9]{11}$"})
VAT_RS = req("vatNumber", validation={"pattern": "^[0-9]{9}$"})
DOC = req("companyRegistrationDocument", type="DOCUMENT")
MONTHLY = req("expectedMonthlyMessages", type="INTEGER")

SETS = {"HR": [COMPANY, VAT_HR, DOC, MONTHLY], "RS": [COMPANY, VAT_RS, DOC]}


def test_a_requirement_every_country_asks_the_same_is_one_field_under_its_key():
    assert shared_keys(SETS) == {"companyName", "companyRegistrationDocument"}
    merged = {r.key: r for r in merge(SETS)}
    assert merged["companyName"] == COMPANY and merged["companyRegistrationDocument"] == DOC


def test_a_key_whose_rules_differ_is_one_field_per_country_labelled_with_it():
    merged = {r.key: r for r in merge(SETS)}
    assert merged["HR:vatNumber"].name == "Vatnumber (HR)" and merged["HR:vatNumber"].validation == VAT_HR.validation
    assert merged["RS:vatNumber"].validation == VAT_RS.validation
    assert "vatNumber" not in merged


def test_a_key_only_some_countries_ask_for_is_theirs():
    keys = [r.key for r in merge(SETS)]
    assert "HR:expectedMonthlyMessages" in keys and "expectedMonthlyMessages" not in keys
    assert len(keys) == len(set(keys))  # field ids stay unique


def test_a_difference_in_description_or_requiredness_is_a_difference():
    assert shared_keys({"HR": [COMPANY], "SI": [req("companyName", required=False)]}) == set()
    assert shared_keys({"HR": [DOC], "SI": [DOC.model_copy(update={"description": "AJPES extract"})]}) == set()


def test_the_merged_form_keeps_the_countries_order_and_asks_a_shared_field_where_it_first_appears():
    keys = [r.key for r in merge({"RS": [VAT_RS, COMPANY], "HR": [COMPANY, VAT_HR]})]
    assert keys == ["RS:vatNumber", "companyName", "HR:vatNumber"]


def test_one_country_alone_shares_everything():
    assert [r.key for r in merge({"HR": SETS["HR"]})] == [r.key for r in SETS["HR"]]


def test_keys_map_back():
    assert split_key(country_key("RS", "vatNumber"), ["HR", "RS"]) == ("RS", "vatNumber")
    assert split_key("companyName", ["HR", "RS"]) == (None, "companyName")
    assert split_key("XX:odd", ["HR", "RS"]) == (None, "XX:odd")  # a colon of the key's own


def test_each_country_gets_the_shared_values_and_its_own_under_infobips_keys():
    form = ValidatedForm(
        requirements=[
            {"key": "companyName", "value": "Acme"},
            {"key": "HR:vatNumber", "value": "HR12345678901"},
            {"key": "RS:vatNumber", "value": "123456789"},
            {"key": "HR:expectedMonthlyMessages", "value": 5000},
        ],
        uploads={"companyRegistrationDocument": [{"id": "F1"}], "RS:extract": [{"id": "F2"}]},
        multiple=frozenset({"HR:emails"}),
        order=("companyName", "HR:vatNumber", "RS:vatNumber", "HR:expectedMonthlyMessages", "RS:extract"),
        sender_name="ACME",
    )
    hr = split_form(form, "HR", ["HR", "RS"])
    rs = split_form(form, "RS", ["HR", "RS"])
    assert hr.requirements == [
        {"key": "companyName", "value": "Acme"},
        {"key": "vatNumber", "value": "HR12345678901"},
        {"key": "expectedMonthlyMessages", "value": 5000},
    ]
    assert rs.requirements == [{"key": "companyName", "value": "Acme"}, {"key": "vatNumber", "value": "123456789"}]
    assert set(hr.uploads) == {"companyRegistrationDocument"} and set(rs.uploads) == {
        "companyRegistrationDocument",
        "extract",
    }
    assert hr.multiple == {"emails"} and rs.multiple == frozenset()
    assert rs.order == ("companyName", "vatNumber", "extract")
    assert hr.sender_name == rs.sender_name == "ACME"


def test_a_profile_fills_a_shared_field_under_its_key_and_each_countrys_own_from_the_same_key():
    document = ProfileDocument("acme.pdf", "doc-1", "2026-01-05T10:00:00")
    profile = Profile(
        "p1",
        "Acme",
        values={"companyName": "Acme", "vatNumber": "HR12345678901", "additionalContactEmails": ["a@acme.example"]},
        documents={"companyRegistrationDocument": [document]},
    )
    sets = {
        "HR": [COMPANY, VAT_HR, DOC],
        "RS": [COMPANY, VAT_RS, req("companyRegistrationDocument", type="DOCUMENT", description="Serbian")],
    }
    keyed = keyed_profile(profile, merge(sets), ("HR", "RS"))
    assert keyed.values["companyName"] == "Acme"
    assert keyed.values["HR:vatNumber"] == keyed.values["RS:vatNumber"] == "HR12345678901"
    assert keyed.values["additionalContactEmails"] == ["a@acme.example"]  # fixed fields as they are
    assert keyed.documents == {
        "HR:companyRegistrationDocument": [document],
        "RS:companyRegistrationDocument": [document],
    }


def test_a_prefilled_value_is_checked_by_its_countrys_rules():
    merged = merge(SETS)
    values = {"companyName": "Acme", "HR:vatNumber": "HR12345678901", "RS:vatNumber": "HR12345678901"}
    problems = problems_by_country(merged, values, ("HR", "RS"))
    assert set(problems) == {"RS:vatNumber"}
