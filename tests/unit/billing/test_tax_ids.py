"""Tax ids become Stripe tax ids of their type, checked by their digits (issue 14 item 3)."""

from __future__ import annotations

import pytest

from chalicelib.domain.billing.tax_ids import stripe_tax_id
from chalicelib.domain.errors import Invalid


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12.345.678-5", ("cl_tin", "12.345.678-5")),
        ("12345678-5", ("cl_tin", "12.345.678-5")),
        ("76.123.456-0", ("cl_tin", "76.123.456-0")),
        ("9.876.543-3", ("cl_tin", "9.876.543-3")),
        ("11.222.333/0001-81", ("br_cnpj", "11.222.333/0001-81")),
        ("11222333000181", ("br_cnpj", "11.222.333/0001-81")),
        ("529.982.247-25", ("br_cpf", "529.982.247-25")),
        ("52998224725", ("br_cpf", "529.982.247-25")),
        ("ABC-123456-XY", None),  # another country's: kept, shown as a custom field
        ("", None),
        (None, None),
    ],
)
def test_a_tax_id_is_typed_and_normalised(typed, expected):
    assert stripe_tax_id(typed) == expected


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("12.345.678-9", "Chilean RUT"),
        ("76.123.456-7", "Chilean RUT"),
        ("11.222.333/0001-80", "Brazilian CNPJ"),
        ("111.111.111-11", "Brazilian CPF"),
        ("529.982.247-24", "Brazilian CPF"),
    ],
)
def test_a_wrong_check_digit_is_refused_with_the_field(typed, kind):
    with pytest.raises(Invalid) as refused:
        stripe_tax_id(typed)
    assert kind in refused.value.message
    assert refused.value.details[0]["loc"] == ["body", "fiscal", "tax_id"]


def test_the_establishment_refuses_a_wrong_rut_and_writes_nothing(world, admin):
    before = world.call("GET", "/v1/establishment", token=admin).json
    answer = world.call(
        "PATCH", "/v1/establishment", admin, {"fiscal": {"tax_id": "12.345.678-9", "legal_name": "X"}}
    )  # fmt: skip
    assert answer.status_code == 400
    assert answer.json["error"]["code"] == "validation_error"
    assert "Chilean RUT" in answer.json["error"]["message"]
    assert world.call("GET", "/v1/establishment", admin).json == before
