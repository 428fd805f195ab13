import json

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.domain.field_rules import describe_pattern, example_phone_number
from bot.domain.forms import (
    ALLOWED_DOCUMENT_EXTENSIONS,
    FixedField,
    RequestKind,
    block_id_for,
    category_name,
    feedback_by_key,
    fixed_fields_for,
    option_for_value,
)
from bot.domain.requirements import Requirement
from bot.slack.form_blocks import DOWNLOAD_ACTION_PATTERN, build_form, document_id_from_action, form_title
from bot.slack.form_context import FormContext
from bot.slack.view_metadata import PrivateMetadataTooLarge

TEMPLATE_ID = (
    "103AFCC51DC08FDD351D6ACB689FA071FDF7F7EB92FD6451F62A3AA92EBFA695"
    "96150BE4C4BFFBC97182A27D716ED0D3CB67682EF7E0D615EC501064A8B9A201"
)
CONSENT = "I consent that Infobip will do registration in my name."

# The requirements-lookup example of Infobip's OpenAPI document.
SPEC_REQUIREMENTS = [
    {
        "key": "companyName",
        "type": "TEXT",
        "name": "Company Name",
        "description": "The legal name of the company.",
        "required": True,
        "category": "BUSINESS_DETAILS",
        "validation": {"minLength": 3, "maxLength": 100},
    },
    {
        "key": "vatNumber",
        "type": "TEXT",
        "name": "VAT Number",
        "description": "The company's VAT registration number.",
        "required": False,
        "category": "BUSINESS_DETAILS",
        "validation": {"pattern": "^[A-Z]{2}[0-9]{8,12}$"},
    },
    {
        "key": "useCase",
        "type": "TEXT",
        "name": "Use Case",
        "description": "Describe the intended messaging use case.",
        "required": True,
        "category": "USE_CASE_DETAILS",
        "options": ["OTP", "Alerts", "Promotions", "Notifications"],
    },
    {
        "key": "expectedMonthlyMessages",
        "type": "INTEGER",
        "name": "Expected Monthly Messages",
        "description": "Estimated number of messages you plan to send per month.",
        "required": False,
        "category": "USE_CASE_DETAILS",
        "validation": {"minValue": 1000, "maxValue": 10000000},
    },
    {
        "key": "companyEmailAddresses",
        "type": "EMAIL",
        "name": "Company Email Addresses",
        "description": "Email addresses associated with the company.",
        "required": False,
        "multipleValuesSupported": True,
        "category": "CONTACT_INFORMATION",
    },
    {
        "key": "companyWebsite",
        "type": "URL",
        "name": "Company Website",
        "description": "The official website of the company.",
        "required": True,
        "category": "BUSINESS_DETAILS",
    },
    {
        "key": "contactPhoneNumber",
        "type": "GSM",
        "name": "Contact Phone Number",
        "description": "Primary contact phone number in international format.",
        "required": False,
        "category": "CONTACT_INFORMATION",
    },
    {
        "key": "companyRegistrationDocument",
        "type": "DOCUMENT",
        "name": "Company Registration Document",
        "description": "Official document confirming company registration.",
        "required": True,
        "category": "BUSINESS_DETAILS",
    },
    {
        "key": "registrationForm",
        "type": "DOCUMENT",
        "name": "Registration Form",
        "description": "Please fill in the provided template and upload the completed document.",
        "required": False,
        "category": "OTHER",
        "attachment": {"documentId": TEMPLATE_ID, "documentType": "TEMPLATE"},
    },
    {
        "key": "registrationConsent",
        "type": "TEXT",
        "name": "Registration Consent",
        "description": "Confirm your consent for Infobip to perform the registration on your behalf.",
        "required": True,
        "category": "OTHER",
        "options": [CONSENT],
    },
]

ALPHA = FormContext(kind=RequestKind.ALPHANUMERIC_REGISTRATION, country="HR")
NUMBERS = FormContext(
    kind=RequestKind.NUMBER_PURCHASE, country="US", number_type="TEN_DIGIT_LONG_CODE", capabilities=("SMS",), quantity=3
)


# ---- helpers ---------------------------------------------------------------------------------

LIMITS = {"label": 2000, "hint": 2000, "placeholder": 150}


def assert_valid_modal(blocks: list[dict]) -> None:
    """Blocks Slack accepts: slack_sdk's validation, a lossless round trip and our own limit walk."""
    View(type="modal", title="Request", submit="Send", blocks=blocks).validate_json()
    assert [Block.parse(block).to_dict() for block in blocks] == blocks
    assert len(blocks) <= 100
    block_ids = [block["block_id"] for block in blocks if "block_id" in block]
    assert len(block_ids) == len(set(block_ids))
    for block in blocks:
        check_block(block)


def check_block(block: dict) -> None:
    assert len(block.get("block_id", "")) <= 255
    for name, limit in LIMITS.items():
        if name in block:
            assert 1 <= len(block[name]["text"]) <= limit
    if block["type"] == "header":
        assert len(block["text"]["text"]) <= 150
    if block["type"] == "context":
        assert 1 <= len(block["elements"]) <= 10
        assert all(len(element["text"]) <= 3000 for element in block["elements"])
    if block["type"] == "actions":
        assert 1 <= len(block["elements"]) <= 25
        assert len({e["action_id"] for e in block["elements"]}) == len(block["elements"])
    if block["type"] == "section":
        assert len(block["text"]["text"]) <= 3000
    for element in [block.get("element"), block.get("accessory"), *block.get("elements", [])]:
        if isinstance(element, dict) and "action_id" in element:
            check_element(element)


def check_element(element: dict) -> None:
    assert len(element["action_id"]) <= 255
    if "placeholder" in element:
        assert len(element["placeholder"]["text"]) <= 150
    if element["type"] == "plain_text_input":
        assert 0 <= element.get("min_length", 0) <= element.get("max_length", 3000) <= 3000
    if element["type"] == "number_input":
        assert element["is_decimal_allowed"] is False
        if "min_value" in element and "max_value" in element:
            assert int(element["min_value"]) <= int(element["max_value"])
    if element["type"] == "file_input":
        assert 1 <= element["max_files"] <= 10
    if element["type"] == "checkboxes":
        assert len(element["options"]) <= 10
    if element["type"] == "button":
        assert len(element["text"]["text"]) <= 75 and len(element.get("value", "")) <= 2000
    options = element.get("options", []) + [o for g in element.get("option_groups", []) for o in g["options"]]
    assert len(element.get("options", [])) <= 100 and len(element.get("option_groups", [])) <= 100
    for option in options:
        assert len(option["text"]["text"]) <= 75 and len(option["value"]) <= 150
    values = [option["value"] for option in options]
    assert len(values) == len(set(values))


def one_page(context=ALPHA, requirements=SPEC_REQUIREMENTS, **kwargs) -> list[dict]:
    pages = build_form(context, requirements, **kwargs)
    assert len(pages) == 1
    assert_valid_modal(pages[0].blocks)
    return pages[0].blocks


def block(blocks: list[dict], block_id: str) -> dict:
    return next(b for b in blocks if b.get("block_id") == block_id)


def element(blocks: list[dict], block_id: str) -> dict:
    return block(blocks, block_id)["element"]


def after(blocks: list[dict], block_id: str) -> dict:
    index = blocks.index(block(blocks, block_id))
    return blocks[index + 1]


def req(**fields) -> dict:
    return {"key": "field", "type": "TEXT", "name": "Field", "required": True, "category": "BUSINESS_DETAILS", **fields}


# ---- the spec example ------------------------------------------------------------------------


def test_spec_example_gives_one_valid_modal_with_a_block_per_requirement_key():
    blocks = one_page()
    input_ids = [b["block_id"] for b in blocks if b["type"] == "input"]
    assert input_ids[:4] == ["senderName", "additionalContactEmails", "applicationId", "entityId"]
    assert sorted(input_ids[4:]) == sorted(r["key"] for r in SPEC_REQUIREMENTS)


def test_categories_get_human_headers_in_order_of_first_appearance():
    headers = [b["text"]["text"] for b in one_page() if b["type"] == "header"]
    assert headers == ["Request details", "Business details", "Use case details", "Contact information", "Other"]


def test_requirements_are_grouped_under_their_category_header():
    blocks = one_page()
    ids = [b.get("block_id") or b["text"]["text"] if b["type"] in ("input", "header") else None for b in blocks]
    ids = [i for i in ids if i]
    business = ids.index("Business details")
    assert ids[business + 1 : business + 5] == [
        "companyName",
        "vatNumber",
        "companyWebsite",
        "companyRegistrationDocument",
    ]


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("BUSINESS_DETAILS", "Business details"),
        ("CONTACT_INFORMATION", "Contact information"),
        ("OTHER", "Other"),
        (None, "Other"),
        ("BRAND_REGISTRATION_INFO", "Brand Registration Info"),
    ],
)
def test_category_names(raw, name):
    assert category_name(raw) == name


def test_description_is_the_hint_and_optional_fields_are_marked():
    blocks = one_page()
    company = block(blocks, "companyName")
    assert company["hint"]["text"] == "The legal name of the company."
    assert company["label"]["text"] == "Company Name"
    assert "optional" not in company
    assert block(blocks, "vatNumber")["optional"] is True


# ---- one requirement type at a time ----------------------------------------------------------


def test_text_becomes_plain_text_input_with_length_limits():
    el = element(one_page(requirements=[SPEC_REQUIREMENTS[0]]), "companyName")
    assert el == {"type": "plain_text_input", "action_id": "text", "min_length": 3, "max_length": 100}


def test_optional_text_leaves_min_length_to_validation_so_empty_is_allowed():
    el = element(one_page(requirements=[req(required=False, validation={"minLength": 5, "maxLength": 9})]), "field")
    assert "min_length" not in el and el["max_length"] == 9


def test_text_lengths_are_clamped_to_slack_caps():
    el = element(one_page(requirements=[req(validation={"minLength": 5000, "maxLength": 9000})]), "field")
    assert el["max_length"] == 3000 and el["min_length"] == 3000 and el["multiline"] is True


def test_contradictory_lengths_drop_the_minimum():
    el = element(one_page(requirements=[req(validation={"minLength": 20, "maxLength": 10})]), "field")
    assert "min_length" not in el and el["max_length"] == 10


def test_pattern_is_explained_in_the_hint():
    hint = block(one_page(requirements=[SPEC_REQUIREMENTS[1]]), "vatNumber")["hint"]["text"]
    assert hint.endswith("Format: 2 capital letters followed by 8 to 12 digits.")


def test_text_with_options_becomes_a_static_select():
    el = element(one_page(), "useCase")
    assert el["type"] == "static_select" and el["action_id"] == "select"
    assert [o["value"] for o in el["options"]] == ["OTP", "Alerts", "Promotions", "Notifications"]


def test_long_options_get_short_values_that_map_back_to_the_full_text():
    long_option = "Transactional notifications " * 10
    requirement = req(options=[long_option, "Short"])
    el = element(one_page(requirements=[requirement]), "field")
    value = el["options"][0]["value"]
    assert len(value) <= 150 and len(el["options"][0]["text"]["text"]) <= 75
    assert option_for_value(Requirement.model_validate(requirement), value) == long_option


def test_more_than_100_options_use_option_groups():
    el = element(one_page(requirements=[req(options=[f"Option {i}" for i in range(250)])]), "field")
    assert "options" not in el
    assert [len(group["options"]) for group in el["option_groups"]] == [100, 100, 50]


def test_duplicate_options_are_shown_once():
    el = element(one_page(requirements=[req(options=["A", "A", "B"])]), "field")
    assert [o["value"] for o in el["options"]] == ["A", "B"]


def test_multi_value_text_with_options_becomes_a_multi_select():
    el = element(one_page(requirements=[req(options=["A", "B", "C"], multipleValuesSupported=True)]), "field")
    assert el["type"] == "multi_static_select"


def test_consent_text_becomes_a_checkbox():
    el = element(one_page(), "registrationConsent")
    assert el == {
        "type": "checkboxes",
        "action_id": "consent",
        "options": [{"text": {"type": "plain_text", "text": CONSENT}, "value": CONSENT}],
    }


def test_long_consent_is_quoted_in_the_hint_and_the_box_says_i_agree():
    consent = "I confirm that " + "all of this is true and " * 10
    blocks = one_page(requirements=[req(options=[consent])])
    assert element(blocks, "field")["options"][0]["text"]["text"] == "I agree"
    assert consent.strip() in block(blocks, "field")["hint"]["text"]


def test_integer_becomes_a_whole_number_input_with_range():
    el = element(one_page(), "expectedMonthlyMessages")
    assert el["type"] == "number_input" and el["is_decimal_allowed"] is False
    assert (el["min_value"], el["max_value"]) == ("1000", "10000000")
    assert el["placeholder"]["text"] == "1,000 to 10,000,000"


def test_integer_with_options_becomes_a_select_of_numbers():
    requirement = req(type="INTEGER", options=[10, 20, 50])
    el = element(one_page(requirements=[requirement]), "field")
    assert el["type"] == "static_select" and [o["value"] for o in el["options"]] == ["10", "20", "50"]
    assert option_for_value(Requirement.model_validate(requirement), "20") == 20


def test_email_and_url_use_their_slack_inputs():
    blocks = one_page(requirements=[req(key="mail", type="EMAIL"), SPEC_REQUIREMENTS[5]])
    assert element(blocks, "mail")["type"] == "email_text_input"
    assert element(blocks, "companyWebsite")["type"] == "url_text_input"


def test_multi_value_email_is_a_multiline_box_one_per_line():
    blocks = one_page()
    el = element(blocks, "companyEmailAddresses")
    assert el["type"] == "plain_text_input" and el["multiline"] is True
    assert "One address per line." in block(blocks, "companyEmailAddresses")["hint"]["text"]


def test_gsm_placeholder_is_an_international_number_of_the_country():
    el = element(one_page(), "contactPhoneNumber")
    assert el["type"] == "plain_text_input"
    assert el["placeholder"]["text"] == example_phone_number("HR")
    assert el["placeholder"]["text"].startswith("+385 ")


def test_unknown_country_still_gets_an_example_number():
    assert example_phone_number("XX") == "+385 91 123 4567"
    assert example_phone_number(None).startswith("+")


def test_document_becomes_a_file_input_with_the_accepted_types():
    el = element(one_page(), "companyRegistrationDocument")
    assert el == {
        "type": "file_input",
        "action_id": "files",
        "filetypes": list(ALLOWED_DOCUMENT_EXTENSIONS),
        "max_files": 1,
    }
    multi = element(one_page(requirements=[req(type="DOCUMENT", multipleValuesSupported=True)]), "field")
    assert multi["max_files"] == 10


def test_template_gets_a_download_button_right_before_its_upload():
    blocks = one_page()
    index = blocks.index(block(blocks, "registrationForm"))
    section = blocks[index - 1]
    button = section["accessory"]
    assert section["type"] == "section" and "*Registration Form*" in section["text"]["text"]
    assert button["text"]["text"] == "Download template"
    assert DOWNLOAD_ACTION_PATTERN.match(button["action_id"])
    assert button["action_id"] == f"download_document:{TEMPLATE_ID}" and button["value"] == TEMPLATE_ID
    assert document_id_from_action(button) == TEMPLATE_ID


@pytest.mark.parametrize(("kind", "text"), [("SAMPLE", "Download sample"), ("PREFILLED_DOCUMENT", "Download document")])
def test_sample_and_prefilled_documents_have_their_own_button_text(kind, text):
    requirement = req(type="DOCUMENT", attachment={"documentId": "D1", "documentType": kind})
    blocks = one_page(requirements=[requirement])
    assert blocks[blocks.index(block(blocks, "field")) - 1]["accessory"]["text"]["text"] == text


def test_unknown_requirement_type_is_asked_as_text():
    assert element(one_page(requirements=[req(type="DATE")]), "field")["type"] == "plain_text_input"


def test_label_falls_back_to_the_key_and_long_texts_are_cut():
    blocks = one_page(requirements=[req(name="", description="d" * 5000)])
    assert block(blocks, "field")["label"]["text"] == "field"
    assert len(block(blocks, "field")["hint"]["text"]) == 2000
    long_label = one_page(requirements=[req(name="n" * 3000)])
    assert len(block(long_label, "field")["label"]["text"]) == 2000


def test_duplicate_keys_give_one_block():
    blocks = one_page(requirements=[req(), req(name="Again")])
    assert [b["label"]["text"] for b in blocks if b.get("block_id") == "field"] == ["Field"]


def test_a_key_too_long_for_slack_gets_a_stable_short_block_id():
    key = "k" * 300
    assert block_id_for(key) == block_id_for(key) and len(block_id_for(key)) <= 255
    assert block_id_for("companyName") == "companyName"
    one_page(requirements=[req(key=key)])


def test_requirement_models_are_accepted_too():
    blocks = one_page(requirements=[Requirement.model_validate(r) for r in SPEC_REQUIREMENTS])
    assert block(blocks, "companyName")


def test_empty_requirements_still_give_the_fixed_fields():
    blocks = one_page(requirements=[])
    assert [b["block_id"] for b in blocks if b["type"] == "input"] == [f.value for f in fixed_fields_for(ALPHA.kind)]


# ---- fixed fields ----------------------------------------------------------------------------


def test_sender_name_is_3_to_11_characters():
    el = element(one_page(), "senderName")
    assert (el["min_length"], el["max_length"]) == (3, 11)
    assert "optional" not in block(one_page(), "senderName")


def test_contact_emails_application_and_entity_are_optional():
    blocks = one_page()
    assert element(blocks, "additionalContactEmails")["multiline"] is True
    for name in ("additionalContactEmails", "applicationId", "entityId"):
        assert block(blocks, name)["optional"] is True
    assert element(blocks, "applicationId")["max_length"] == 255


def test_number_purchase_asks_quantity_instead_of_sender_name():
    blocks = one_page(context=NUMBERS, requirements=[])
    el = element(blocks, "quantity")
    assert el["type"] == "number_input" and (el["min_value"], el["max_value"]) == ("1", "49")
    assert el["initial_value"] == "3"
    assert not any(b.get("block_id") == "senderName" for b in blocks)
    assert fixed_fields_for(RequestKind.NUMBER_PURCHASE)[0] == FixedField.QUANTITY


def test_a_requirement_with_a_fixed_field_key_wins():
    blocks = one_page(requirements=[req(key="entityId", name="Regulator entity")])
    assert [b["label"]["text"] for b in blocks if b.get("block_id") == "entityId"] == ["Regulator entity"]


# ---- prefill and feedback (update flow) ------------------------------------------------------

PREVIOUS = {
    "senderName": "ACME",
    "additionalContactEmailAddresses": ["a@example.com", "b@example.com"],
    "companyName": "ACME d.o.o.",
    "useCase": "Alerts",
    "expectedMonthlyMessages": 5000,
    "companyEmailAddresses": ["x@acme.hr", "y@acme.hr"],
    "companyWebsite": "https://acme.hr",
    "contactPhoneNumber": "+385911234567",
    "companyRegistrationDocument": "DOC-1",
    "registrationConsent": CONSENT,
}


def test_prefill_puts_previous_values_in_every_kind_of_element():
    blocks = one_page(prefill=PREVIOUS)
    assert element(blocks, "senderName")["initial_value"] == "ACME"
    assert element(blocks, "additionalContactEmails")["initial_value"] == "a@example.com\nb@example.com"
    assert element(blocks, "companyName")["initial_value"] == "ACME d.o.o."
    assert element(blocks, "useCase")["initial_option"] == {
        "text": {"type": "plain_text", "text": "Alerts"},
        "value": "Alerts",
    }
    assert element(blocks, "expectedMonthlyMessages")["initial_value"] == "5000"
    assert element(blocks, "companyEmailAddresses")["initial_value"] == "x@acme.hr\ny@acme.hr"
    assert element(blocks, "companyWebsite")["initial_value"] == "https://acme.hr"
    assert element(blocks, "contactPhoneNumber")["initial_value"] == "+385911234567"
    consent = element(blocks, "registrationConsent")
    assert consent["initial_options"] == consent["options"]


def test_prefill_of_a_multi_select_selects_every_previous_option():
    requirement = req(options=["A", "B", "C"], multipleValuesSupported=True)
    el = element(one_page(requirements=[requirement], prefill={"field": ["A", "C"]}), "field")
    assert [o["value"] for o in el["initial_options"]] == ["A", "C"]


def test_prefill_that_slack_would_refuse_is_left_out_but_shown_in_the_hint():
    blocks = one_page(prefill={"companyWebsite": "acme dot hr", "expectedMonthlyMessages": 5, "useCase": "Gone"})
    assert "initial_value" not in element(blocks, "companyWebsite")
    assert "You sent: acme dot hr" in block(blocks, "companyWebsite")["hint"]["text"]
    assert "initial_value" not in element(blocks, "expectedMonthlyMessages")
    assert "initial_option" not in element(blocks, "useCase")


def test_a_document_sent_before_may_be_kept():
    blocks = one_page(prefill=PREVIOUS)
    upload = block(blocks, "companyRegistrationDocument")
    assert upload["optional"] is True
    assert "Leave empty to keep the document you sent before." in upload["hint"]["text"]


def test_reviewer_feedback_follows_its_field_escaped():
    blocks = one_page(
        prefill=PREVIOUS, feedback={"companyName": "Use the legal name <!channel>", "senderName": "Too generic"}
    )
    remark = after(blocks, "companyName")
    assert remark["type"] == "context"
    assert remark["elements"][0]["text"] == "⚠️ Reviewer: Use the legal name &lt;!channel&gt;"
    assert after(blocks, "senderName")["elements"][0]["text"] == "⚠️ Reviewer: Too generic"


def test_feedback_for_no_field_and_the_note_go_on_top():
    blocks = one_page(feedback={"formerField": "Please <b>fix</b>"}, note="Only 2 out of 5 & more")
    text = blocks[0]["elements"][0]["text"]
    assert blocks[0]["type"] == "context"
    assert "📝 Only 2 out of 5 &amp; more" in text
    assert "*formerField*: Please &lt;b&gt;fix&lt;/b&gt;" in text


def test_feedback_by_key_uses_the_code_when_the_text_is_empty():
    items = [
        {"key": "companyName", "code": "RES_REQ_FEED_FORMAT", "feedback": ""},
        {"key": "vatNumber", "code": "RES_REQ_FEED_LENGTH_OOR", "feedback": "Too short."},
        {"key": "vatNumber", "code": "RES_REQ_FEED_OTHER", "feedback": "And no spaces."},
        {"key": "x", "code": "RES_REQ_FEED_NEW_CODE"},
    ]
    assert feedback_by_key(items) == {
        "companyName": "The format is not accepted.",
        "vatNumber": "Too short. And no spaces.",
        "x": "Please check this value.",
    }


# ---- the 100-block limit ---------------------------------------------------------------------


def many_requirements(count: int, *, with_extras: bool = True) -> list[dict]:
    kinds = ["TEXT", "INTEGER", "EMAIL", "URL", "GSM", "DOCUMENT"]
    result = []
    for i in range(count):
        kind = kinds[i % len(kinds)]
        item = {
            "key": f"r{i:03}",
            "type": kind,
            "name": f"Requirement {i}",
            "description": f"About {i}",
            "required": i % 2 == 0,
            "category": ["BUSINESS_DETAILS", "USE_CASE_DETAILS", "COMPANY_PROFILE"][i % 3],
        }
        if with_extras and kind == "DOCUMENT":
            item["attachment"] = {"documentId": f"DOC{i}", "documentType": "TEMPLATE"}
        result.append(item)
    return result


def test_150_requirements_are_split_into_valid_pages():
    requirements = many_requirements(150)
    feedback = {f"r{i:03}": f"Fix {i}" for i in range(0, 150, 7)}
    pages = build_form(ALPHA, requirements, feedback=feedback, prefill={"r000": "x"})
    assert len(pages) > 1
    shown = []
    for number, page in enumerate(pages):
        assert_valid_modal(page.blocks)
        assert (page.page, page.page_count) == (number, len(pages))
        assert page.blocks[0]["elements"][0]["text"].startswith(f"Page {number + 1} of {len(pages)}")
        shown += [r.key for r in page.requirements]
    categories = ["BUSINESS_DETAILS", "USE_CASE_DETAILS", "COMPANY_PROFILE"]
    assert shown == [r["key"] for r in sorted(requirements, key=lambda r: categories.index(r["category"]))]
    assert pages[0].fixed_fields == fixed_fields_for(ALPHA.kind)
    assert all(page.fixed_fields == () for page in pages[1:])


def test_every_page_input_matches_its_page_fields():
    pages = build_form(ALPHA, many_requirements(150))
    for page in pages:
        inputs = [b["block_id"] for b in page.blocks if b["type"] == "input"]
        assert inputs == [f.value for f in page.fixed_fields] + [r.key for r in page.requirements]


def test_compact_layout_is_used_before_splitting():
    # 80 inputs + headers + feedback contexts + templates overflow 100 blocks; 80 inputs alone fit
    requirements = many_requirements(80)
    feedback = {f"r{i:03}": "Fix" for i in range(80)}
    pages = build_form(ALPHA, requirements, feedback=feedback)
    assert len(pages) == 1
    blocks = pages[0].blocks
    assert_valid_modal(blocks)
    assert not any(b["type"] in ("header", "context", "section") for b in blocks)
    assert block(blocks, "r000")["hint"]["text"].startswith("⚠️ Reviewer: Fix")
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert {b["value"] for b in buttons} == {r["attachment"]["documentId"] for r in requirements if "attachment" in r}


def test_block_budget_leaves_room_for_the_callers_blocks():
    pages = build_form(ALPHA, many_requirements(40), block_budget=20)
    assert len(pages) > 1 and all(len(page.blocks) <= 20 for page in pages)
    with pytest.raises(ValueError):
        build_form(ALPHA, [], block_budget=3)


def test_huge_requirement_lists_still_give_valid_views():
    pages = build_form(NUMBERS, many_requirements(1000), feedback={f"r{i:03}": "x" for i in range(1000)})
    for page in pages:
        assert_valid_modal(page.blocks)
    assert sum(len(page.requirements) for page in pages) == 1000


# ---- private_metadata ------------------------------------------------------------------------


def test_form_context_dumps_compactly_and_loads_back():
    context = FormContext(
        kind="NUMBER_PURCHASE",
        country="US",
        number_type="TOLL_FREE_NUMBER",
        capabilities=("SMS", "VOICE"),
        quantity=5,
        request_id="9b1c",
        page=1,
        page_count=2,
        state_key="abc",
        channel_id="C1",
    )
    raw = context.dump()
    assert json.loads(raw) == {
        "k": "NUMBER_PURCHASE",
        "c": "US",
        "nt": "TOLL_FREE_NUMBER",
        "cap": ["SMS", "VOICE"],
        "q": 5,
        "r": "9b1c",
        "p": 1,
        "pc": 2,
        "s": "abc",
        "ch": "C1",
    }
    assert FormContext.load(raw) == context


def test_form_context_leaves_defaults_out():
    assert ALPHA.dump() == '{"k":"ALPHANUMERIC_REGISTRATION","c":"HR"}'


def test_form_context_over_3000_characters_is_refused_clearly():
    with pytest.raises(PrivateMetadataTooLarge, match="3000.*server-side"):
        FormContext(kind="ALPHANUMERIC_REGISTRATION", country="HR", state_key="x" * 3000).dump()
    fits = FormContext(kind="ALPHANUMERIC_REGISTRATION", country="HR", state_key="x" * 2900).dump()
    assert len(fits) <= 3000


def test_form_context_ignores_keys_it_does_not_know():
    assert FormContext.load('{"k":"ALPHANUMERIC_REGISTRATION","c":"DE","zz":1}').country == "DE"


def test_form_title_fits_slack():
    assert form_title(ALPHA) == "Request Sender ID · HR"
    assert len(form_title(NUMBERS.model_copy(update={"request_id": "1"}))) <= 24


def test_describe_pattern_handles_simple_patterns_and_gives_up_on_complex_ones():
    assert describe_pattern("^[A-Z]{2}[0-9]{8,12}$") == "2 capital letters followed by 8 to 12 digits"
    assert describe_pattern("^IBAN[0-9]+$") == "“IBAN” followed by one or more digits"
    assert describe_pattern("^\\d{5}-\\d{4}$") == "5 digits followed by “-” followed by 4 digits"
    assert describe_pattern("[A-Za-z0-9]{3,}") == "at least 3 letters or digits"
    assert describe_pattern("^(OTP|2FA)$") is None
    assert describe_pattern("^[A-F]{2}$") is None


def test_feedback_by_key_reads_models_too():
    from enum import Enum
    from types import SimpleNamespace

    class Code(Enum):
        FORMAT = "RES_REQ_FEED_FORMAT"

    assert feedback_by_key([SimpleNamespace(key="vatNumber", code=Code.FORMAT, feedback=None)]) == {
        "vatNumber": "The format is not accepted."
    }


def test_update_form_asks_only_requirements_because_patch_cannot_change_fixed_fields():
    update = ALPHA.model_copy(update={"request_id": "R2345678"})
    pages = build_form(update, SPEC_REQUIREMENTS, prefill={"senderName": "ACME", "companyName": "Acme d.o.o."})
    input_ids = [b["block_id"] for page in pages for b in page.blocks if b["type"] == "input"]
    assert "senderName" not in input_ids and "additionalContactEmails" not in input_ids
    assert "companyName" in input_ids
    assert pages[-1].fixed_fields == ()
