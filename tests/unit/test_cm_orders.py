import pytest

from bot.domain.cm_orders import CmOrder, check_order, is_nanpa

PROFILE = "0b0c6b8e-5c5f-4a43-9a0a-3c7d2f1e9b11"


def values(**overrides):
    base = {"companyProfileGuid": PROFILE, "quantity": "2", "phoneNumberType": "LOCAL", "areaCode": "20"}
    return {**base, **overrides}


def test_a_good_order():
    order = check_order(values(city="Amsterdam", comment="for the NOC"), country="nl")
    assert order == CmOrder(
        country="NL",
        company_profile_guid=PROFILE,
        quantity=2,
        phone_number_type="LOCAL",
        area_code="20",
        city="Amsterdam",
        comment="for the NOC",
    )


@pytest.mark.parametrize(
    "overrides,country,block,fragment",
    [
        ({"companyProfileGuid": "not-a-uuid"}, "NL", "companyProfileGuid", "UUID"),
        ({"quantity": "0"}, "NL", "quantity", "1 to 1000"),
        ({"quantity": "1001"}, "NL", "quantity", "1 to 1000"),
        ({"phoneNumberType": "MOBILE"}, "NL", "phoneNumberType", "toll-free"),
        ({"areaCode": "", "city": ""}, "NL", "areaCode", "area code, a city"),
        ({"areaCode": "2O"}, "NL", "areaCode", "digits only"),
        ({"rangeSize": "50"}, "NL", "rangeSize", "10, 100"),
        ({"rangeSize": "10", "quantity": "15"}, "NL", "quantity", "multiple of 10"),
        ({}, "US", "region", "need a region"),
        ({"region": "NY"}, "NL", "region", "only for North American"),
        ({"region": "ZZ"}, "US", "region", "regions CM.com offers"),
        ({"comment": "x" * 501}, "NL", "comment", "under 500"),
    ],
)
def test_each_rule_gets_an_inline_error(overrides, country, block, fragment):
    errors = check_order(values(**overrides), country=country, range_sizes=(10, 100), regions=("NY", "NJ"))
    assert fragment in errors[block]


def test_the_accounts_own_quantity_limit_and_nanpa_countries():
    assert "1 to 50" in check_order(values(quantity="60"), country="NL", max_quantity=50)["quantity"]
    assert is_nanpa("US") and is_nanpa("CA") and is_nanpa("JM") and not is_nanpa("NL")
    assert isinstance(check_order(values(region="NY"), country="US", regions=("NY",)), CmOrder)
