import pytest

from bot.domain.forms import FixedField, fixed_fields_for
from bot.domain.validation import (
    GSM7_BASIC,
    ValidatedForm,
    check_sender_name,
    normalize_phone_number,
    pattern_message,
    validate_submission,
)
from bot.slack.acks import errors_response
from bot.slack.form_blocks import build_form
from bot.slack.form_context import FormContext
from bot.slack.form_values import element_value, flatten_state_values
from tests.unit.test_forms import CONSENT, SPEC_REQUIREMENTS, TEMPLATE_ID, req

ALPHA_FIXED = fixed_fields_for("ALPHANUMERIC_REGISTRATION")
NUMBER_FIXED = fixed_fields_for("NUMBER_PURCHASE")
PDF = {
    "id": "F1",
    "name": "registration.pdf",
    "mimetype": "application/pdf",
    "url_private_download": "https://files.slack.com/F1",
}


def state(entries: dict[str, dict]) -> dict:
    """`view.state.values` as Slack sends it: block → action → typed entry."""
    return {block_id: {"a": entry} for block_id, entry in entries.items()}


def text(value):
    return {"type": "plain_text_input", "value": value}


VALID_STATE = state(
    {
        "senderName": text(" ACME "),
        "additionalContactEmails": text("ops@acme.hr\nlegal@acme.hr"),
        "applicationId": text(""),
        "entityId": text(None),
        "companyName": text("ACME d.o.o."),
        "vatNumber": text("HR12345678901"),
        "useCase": {
            "type": "static_select",
            "selected_option": {"text": {"type": "plain_text", "text": "OTP"}, "value": "OTP"},
        },
        "expectedMonthlyMessages": {"type": "number_input", "value": "25000"},
        "companyEmailAddresses": text("info@acme.hr, sales@acme.hr\n\nsupport@acme.hr"),
        "companyWebsite": {"type": "url_text_input", "value": "https://acme.hr"},
        "contactPhoneNumber": text("+385 91 123 4567"),
        "companyRegistrationDocument": {"type": "file_input", "files": [PDF]},
        "registrationForm": {"type": "file_input", "files": []},
        "registrationConsent": {
            "type": "checkboxes",
            "selected_options": [{"text": {"type": "plain_text", "text": CONSENT}, "value": CONSENT}],
        },
    }
)


def submit(values_state=VALID_STATE, requirements=SPEC_REQUIREMENTS, fixed=ALPHA_FIXED, **overrides):
    values = flatten_state_values(values_state)
    values.update(overrides)
    return validate_submission(values, requirements, fixed_fields=fixed, country="HR")


def errors_for(requirements, values, fixed=()):
    result = validate_submission(values, requirements, fixed_fields=fixed, country="HR")
    assert isinstance(result, dict), result
    return result


# ---- flattening view.state.values ------------------------------------------------------------


def test_flatten_reads_each_element_type():
    flat = flatten_state_values(
        {
            "t": {"x": {"type": "plain_text_input", "value": "hi"}},
            "e": {"x": {"type": "email_text_input", "value": "a@b.co"}},
            "u": {"x": {"type": "url_text_input", "value": None}},
            "n": {"x": {"type": "number_input", "value": "7"}},
            "s": {"x": {"type": "static_select", "selected_option": {"value": "A"}}},
            "s0": {"x": {"type": "static_select", "selected_option": None}},
            "m": {"x": {"type": "multi_static_select", "selected_options": [{"value": "A"}, {"value": "B"}]}},
            "c": {"x": {"type": "checkboxes", "selected_options": []}},
            "r": {"x": {"type": "radio_buttons", "selected_option": {"value": "R"}}},
            "d": {"x": {"type": "datepicker", "selected_date": "2025-03-11"}},
            "tm": {"x": {"type": "timepicker", "selected_time": "09:30"}},
            "us": {"x": {"type": "users_select", "selected_user": "U1"}},
            "ch": {"x": {"type": "multi_channels_select", "selected_channels": ["C1"]}},
            "f": {"x": {"type": "file_input", "files": [PDF]}},
        }
    )
    assert flat == {
        "t": "hi",
        "e": "a@b.co",
        "u": None,
        "n": "7",
        "s": "A",
        "s0": None,
        "m": ["A", "B"],
        "c": [],
        "r": "R",
        "d": "2025-03-11",
        "tm": "09:30",
        "us": "U1",
        "ch": ["C1"],
        "f": [PDF],
    }


def test_flatten_keeps_unknown_elements_and_multi_element_blocks():
    assert element_value({"type": "future_input", "value": "v"}) == "v"
    assert element_value({"type": "future_input"}) is None
    flat = flatten_state_values(
        {"b": {"one": {"type": "plain_text_input", "value": "1"}, "two": {"type": "plain_text_input", "value": "2"}}}
    )
    assert flat == {"b": {"one": "1", "two": "2"}}
    assert flatten_state_values(None) == {}


# ---- a whole valid submission ----------------------------------------------------------------


def test_valid_submission_gives_typed_values_for_infobip():
    form = submit()
    assert isinstance(form, ValidatedForm)
    assert form.requirements == [
        {"key": "companyName", "value": "ACME d.o.o."},
        {"key": "vatNumber", "value": "HR12345678901"},
        {"key": "useCase", "value": "OTP"},
        {"key": "expectedMonthlyMessages", "value": 25000},
        {"key": "companyEmailAddresses", "value": ["info@acme.hr", "sales@acme.hr", "support@acme.hr"]},
        {"key": "companyWebsite", "value": "https://acme.hr"},
        {"key": "contactPhoneNumber", "value": "+385911234567"},
        {"key": "registrationConsent", "value": CONSENT},
    ]
    assert form.uploads == {"companyRegistrationDocument": [PDF]}
    assert form.fixed_values() == {"senderName": "ACME", "additionalContactEmails": ["ops@acme.hr", "legal@acme.hr"]}


def test_document_ids_from_the_upload_complete_the_list_in_form_order():
    form = submit()
    full = form.with_document_ids({"companyRegistrationDocument": ["DOC-9"]})
    assert [item["key"] for item in full] == [r["key"] for r in SPEC_REQUIREMENTS if r["key"] != "registrationForm"]
    assert {"key": "companyRegistrationDocument", "value": "DOC-9"} in full
    with pytest.raises(ValueError, match="companyRegistrationDocument"):
        form.with_document_ids({})


def test_multi_value_document_ids_stay_a_list():
    requirement = req(type="DOCUMENT", multipleValuesSupported=True)
    form = validate_submission({"field": [PDF, {**PDF, "id": "F2", "name": "b.png"}]}, [requirement])
    assert form.with_document_ids({"field": ["D1", "D2"]}) == [{"key": "field", "value": ["D1", "D2"]}]


def test_the_built_form_and_validation_agree_on_block_ids():
    page = build_form(FormContext(kind="ALPHANUMERIC_REGISTRATION", country="HR"), SPEC_REQUIREMENTS)[0]
    ids = {b["block_id"] for b in page.blocks if b["type"] == "input"}
    errors = validate_submission({}, page.requirements, fixed_fields=page.fixed_fields)
    assert set(errors) <= ids
    assert set(errors) == {
        "senderName",
        "companyName",
        "useCase",
        "companyWebsite",
        "companyRegistrationDocument",
        "registrationConsent",
    }


def test_errors_response_is_what_slack_expects():
    assert errors_response({"senderName": "Use 3 to 11 characters"}) == {
        "response_action": "errors",
        "errors": {"senderName": "Use 3 to 11 characters"},
    }


# ---- required fields -------------------------------------------------------------------------


def test_missing_required_values_are_reported_per_field_in_words():
    errors = submit(state({}))
    assert errors == {
        "senderName": "This is required",
        "companyName": "This is required",
        "useCase": "Choose an option",
        "companyWebsite": "This is required",
        "companyRegistrationDocument": "Attach a file",
        "registrationConsent": "Tick the box to continue",
    }


def test_whitespace_is_not_a_value():
    assert errors_for([req()], {"field": "   "}) == {"field": "This is required"}
    assert errors_for([req(type="EMAIL", multipleValuesSupported=True)], {"field": " , ;"}) == {
        "field": "This is required"
    }


def test_optional_empty_fields_are_left_out():
    form = validate_submission({"field": ""}, [req(required=False)])
    assert form.requirements == []


# ---- TEXT ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rules", "value", "message"),
    [
        ({"minLength": 3, "maxLength": 100}, "AB", "Use 3 to 100 characters"),
        ({"minLength": 3}, "AB", "Use at least 3 characters"),
        ({"maxLength": 5}, "ABCDEFG", "Use at most 5 characters"),
        ({"minLength": 8, "maxLength": 8}, "ABC", "Use exactly 8 characters"),
    ],
)
def test_text_length_messages(rules, value, message):
    assert errors_for([req(validation=rules)], {"field": value}) == {"field": message}


def test_pattern_uses_fullmatch_and_explains_the_format():
    requirement = req(validation={"pattern": "^[A-Z]{2}[0-9]{8,12}$"})
    assert errors_for([requirement], {"field": "hr12345678"}) == {
        "field": "Must be 2 capital letters followed by 8 to 12 digits "
        "(the format the regulator requires: ^[A-Z]{2}[0-9]{8,12}$)"
    }
    assert errors_for([req(validation={"pattern": "[0-9]{3}"})], {"field": "1234"})
    assert validate_submission({"field": "HR12345678"}, [requirement]).requirements == [
        {"key": "field", "value": "HR12345678"}
    ]


def test_pattern_too_complex_to_describe_is_shown_as_is():
    assert pattern_message("^(OTP|2FA)$") == "Must match the format the regulator requires: ^(OTP|2FA)$"


def test_pattern_python_cannot_read_is_left_to_infobip():
    form = validate_submission({"field": "Ćevapi"}, [req(validation={"pattern": "^\\p{L}+$"})])
    assert form.requirements == [{"key": "field", "value": "Ćevapi"}]


def test_select_value_maps_back_to_the_full_option_text():
    long_option = "Transactional notifications " * 10
    requirement = req(options=[long_option, "Short"])
    page = build_form(FormContext(kind="ALPHANUMERIC_REGISTRATION", country="HR"), [requirement])[0]
    slack_value = next(b for b in page.blocks if b.get("block_id") == "field")["element"]["options"][0]["value"]
    assert validate_submission({"field": slack_value}, [requirement]).requirements == [
        {"key": "field", "value": long_option}
    ]


def test_select_value_that_is_not_an_option_is_refused():
    assert errors_for([req(options=["A", "B"])], {"field": "C"}) == {"field": "Choose one of the listed options"}


def test_multi_select_gives_a_list_of_option_texts():
    requirement = req(options=["A", "B", "C"], multipleValuesSupported=True)
    assert validate_submission({"field": ["A", "C"]}, [requirement]).requirements == [
        {"key": "field", "value": ["A", "C"]}
    ]


def test_multi_value_text_is_one_value_per_line():
    requirement = req(multipleValuesSupported=True, validation={"maxLength": 5})
    assert validate_submission({"field": "one\ntwo, three\n"}, [req(multipleValuesSupported=True)]).requirements == [
        {"key": "field", "value": ["one", "two, three"]}
    ]
    assert errors_for([requirement], {"field": "ok\ntoo long"}) == {"field": "“too long”: Use at most 5 characters"}


def test_consent_ticked_gives_the_consent_text():
    assert validate_submission({"field": [CONSENT]}, [req(options=[CONSENT])]).requirements == [
        {"key": "field", "value": CONSENT}
    ]


def test_consent_that_is_optional_may_stay_unticked():
    assert validate_submission({"field": []}, [req(options=[CONSENT], required=False)]).requirements == []


# ---- INTEGER ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rules", "value", "message"),
    [
        ({"minValue": 1000, "maxValue": 10000000}, "999", "Enter a number from 1,000 to 10,000,000"),
        ({"minValue": 1}, "0", "Enter a number of at least 1"),
        ({"maxValue": 10}, "11", "Enter a number of at most 10"),
        (None, "12.5", "Enter a whole number"),
        (None, "twelve", "Enter a whole number"),
    ],
)
def test_integer_messages(rules, value, message):
    assert errors_for([req(type="INTEGER", validation=rules)], {"field": value}) == {"field": message}


def test_integer_values_are_ints():
    assert validate_submission({"field": "-42"}, [req(type="INTEGER")]).requirements == [{"key": "field", "value": -42}]
    many = req(type="INTEGER", multipleValuesSupported=True)
    assert validate_submission({"field": "1\n2,000\n3"}, [many]).requirements == [
        {"key": "field", "value": [1, 2000, 3]}
    ]


def test_integer_options_give_the_integer_back():
    assert validate_submission({"field": "20"}, [req(type="INTEGER", options=[10, 20])]).requirements == [
        {"key": "field", "value": 20}
    ]


# ---- EMAIL, URL, GSM -------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["name@", "name@example", "two words@example.com", "a@b.c", "@example.com"])
def test_bad_email_addresses(bad):
    assert errors_for([req(type="EMAIL")], {"field": bad}) == {"field": "Enter an email address like name@example.com"}


def test_multi_email_error_names_the_wrong_address():
    errors = errors_for([req(type="EMAIL", multipleValuesSupported=True)], {"field": "ok@example.com\nnot-an-email"})
    assert errors == {"field": "“not-an-email”: Enter an email address like name@example.com"}


@pytest.mark.parametrize(
    "bad", ["acme.hr", "ftp://acme.hr", "https://", "https://acme", "https://acme .hr", "javascript:alert(1)"]
)
def test_urls_need_http_or_https_and_a_host(bad):
    assert errors_for([req(type="URL")], {"field": bad}) == {
        "field": "Enter a full web address starting with https://, e.g. https://www.example.com"
    }


def test_good_urls_pass():
    for good in ("https://acme.hr", "http://www.acme.hr/about?x=1", "https://localhost:8443/x"):
        assert validate_submission({"field": good}, [req(type="URL")]).requirements == [{"key": "field", "value": good}]


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("+385 91 123 4567", "+385911234567"),
        ("00385911234567", "+385911234567"),
        ("+1 (201) 555-0123", "+12015550123"),
        (" +44 7400 123456 ", "+447400123456"),
    ],
)
def test_gsm_is_normalised_to_e164(typed, e164):
    assert normalize_phone_number(typed) == e164
    assert validate_submission({"field": typed}, [req(type="GSM")]).requirements == [{"key": "field", "value": e164}]


@pytest.mark.parametrize("bad", ["091 123 4567", "+385 1", "+999 123456789", "call me"])
def test_gsm_not_in_international_format_is_explained(bad):
    errors = validate_submission({"field": bad}, [req(type="GSM")], country="HR")
    assert errors == {"field": "Enter the number in international format, e.g. +385 92 123 4567"}


def test_gsm_example_without_country():
    assert validate_submission({"field": "x"}, [req(type="GSM")]) == {
        "field": "Enter the number in international format, e.g. +385 91 123 4567"
    }


def test_multi_gsm_values_are_all_normalised():
    requirement = req(type="GSM", multipleValuesSupported=True)
    assert validate_submission({"field": "+385 91 123 4567\n+44 7400 123456"}, [requirement]).requirements == [
        {"key": "field", "value": ["+385911234567", "+447400123456"]}
    ]


# ---- DOCUMENT --------------------------------------------------------------------------------


def test_one_file_only_unless_multiple_values_are_supported():
    errors = errors_for([req(type="DOCUMENT")], {"field": [PDF, {**PDF, "id": "F2"}]})
    assert errors == {"field": "Attach only one file"}
    many = req(type="DOCUMENT", multipleValuesSupported=True)
    assert errors_for([many], {"field": [{**PDF, "id": f"F{i}"} for i in range(11)]}) == {
        "field": "Attach at most 10 files"
    }


def test_files_of_other_types_are_refused():
    errors = errors_for([req(type="DOCUMENT")], {"field": [{"id": "F1", "name": "setup.exe"}]})
    assert errors["field"].startswith("“setup.exe” can't be sent: use doc, docx, jpg")


def test_update_keeps_the_earlier_document_when_none_is_attached():
    form = validate_submission({"field": []}, [req(type="DOCUMENT")], previous={"field": "DOC-1"})
    assert form.requirements == [{"key": "field", "value": "DOC-1"}] and form.uploads == {}
    assert form.with_document_ids({}) == [{"key": "field", "value": "DOC-1"}]


def test_template_document_optional_and_empty_is_fine():
    form = submit()
    assert "registrationForm" not in form.uploads
    assert TEMPLATE_ID not in str(form.requirements)


# ---- fixed fields ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("AB", "Use 3 to 11 characters"),
        ("ACME-MOBILE-1", "Use 3 to 11 characters"),
        ("12345", "Use at least one letter"),
        ("ACME€", "Use only letters, digits, spaces and basic punctuation (GSM-7); remove “€”"),
        ("[ACME]", "Use only letters, digits, spaces and basic punctuation (GSM-7); remove “[”, “]”"),
        ("AC\nME", "Use only letters, digits, spaces and basic punctuation (GSM-7); remove “U+000A”"),
        ("Ćevapi", "Use only letters, digits, spaces and basic punctuation (GSM-7); remove “Ć”"),
    ],
)
def test_sender_name_rules(name, message):
    assert errors_for([], {"senderName": name}, fixed=[FixedField.SENDER_NAME]) == {"senderName": message}


@pytest.mark.parametrize("name", ["ACME", "Zagreb 24", "Café", "A&B Ltd", "1st-Bank", "ÆØÅ.no"])
def test_good_sender_names(name):
    assert check_sender_name(f"  {name} ") == name


def test_gsm7_basic_set_has_its_125_printable_characters():
    assert len(GSM7_BASIC) == len(set(GSM7_BASIC)) == 125


def test_contact_emails_at_most_three_and_all_valid():
    assert (
        errors_for([], {"additionalContactEmails": "a@x.hr\nb@x.hr\nc@x.hr\nd@x.hr"}, ALPHA_FIXED)[
            "additionalContactEmails"
        ]
        == "Add at most 3 email addresses"
    )
    assert (
        errors_for([], {"additionalContactEmails": "a@x.hr\nnope"}, ALPHA_FIXED)["additionalContactEmails"]
        == "“nope”: Enter an email address like name@example.com"
    )
    form = validate_submission(
        {"senderName": "ACME", "additionalContactEmails": "a@x.hr\nA@x.hr"}, [], fixed_fields=ALPHA_FIXED
    )
    assert form.additional_contact_emails == ["a@x.hr"]


def test_quantity_between_1_and_49():
    assert errors_for([], {"quantity": "50"}, NUMBER_FIXED) == {"quantity": "Enter a number from 1 to 49"}
    assert errors_for([], {"quantity": None}, NUMBER_FIXED) == {"quantity": "This is required"}
    form = validate_submission({"quantity": "3", "applicationId": " app-1 "}, [], fixed_fields=NUMBER_FIXED)
    assert form.fixed_values() == {"quantity": 3, "applicationId": "app-1"}


def test_application_and_entity_ids_are_limited_to_255_characters():
    errors = errors_for([], {"senderName": "ACME", "entityId": "e" * 256}, ALPHA_FIXED)
    assert errors == {"entityId": "Use at most 255 characters"}


def test_errors_of_requirements_and_fixed_fields_come_together():
    errors = submit(senderName="X", companyWebsite="acme.hr", contactPhoneNumber="0911234567")
    assert set(errors) == {"senderName", "companyWebsite", "contactPhoneNumber"}


def test_long_keys_are_reported_under_their_block_id():
    from bot.domain.forms import block_id_for

    key = "k" * 300
    assert errors_for([req(key=key)], {}) == {block_id_for(key): "This is required"}
