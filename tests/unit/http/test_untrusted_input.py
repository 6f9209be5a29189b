"""What comes from outside is read with limits: JSON depth, characters, digits."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.channels.events import MalformedPayload
from chalicelib.channels.provider_json import load_object
from chalicelib.domain.errors import NotFound
from chalicelib.domain.helpdesk.tickets import parse_number
from chalicelib.untrusted import (
    MAX_JSON_DEPTH,
    TooDeep,
    clean_strings,
    is_ascii_number,
    json_depth,
    load_json,
    refused_character,
)


def nested(depth):
    return "[" * depth + "]" * depth


def test_json_as_deep_as_the_limit_is_read_and_one_level_more_is_refused():
    assert json_depth(load_json(nested(MAX_JSON_DEPTH))) == MAX_JSON_DEPTH
    with pytest.raises(TooDeep):
        load_json(nested(MAX_JSON_DEPTH + 1))


@pytest.mark.parametrize("depth", [999, 1000, 5000, 200_000])
def test_json_deeper_than_python_can_recurse_is_refused_not_crashed(depth):
    with pytest.raises(TooDeep):
        load_json(nested(depth))
    with pytest.raises(TooDeep):
        load_json('{"a":' * depth + "1" + "}" * depth)


def test_a_provider_payload_nested_too_deep_is_malformed_with_the_reason():
    with pytest.raises(MalformedPayload, match="deeper than 32"):
        load_object(nested(1000))


@given(
    st.recursive(
        st.none() | st.integers() | st.text(), lambda c: st.lists(c) | st.dictionaries(st.text(), c)
    )
)
def test_depth_is_measured_like_json_nesting(value):
    text = json.dumps(value)
    assert json_depth(value) == max((i for i in _running_depths(text)), default=0)


def _running_depths(text):
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            yield depth
        elif char in "]}":
            depth -= 1


@pytest.mark.parametrize(
    ("text", "refused"),
    [("tab\tand\nnewline", None), ("👩\u200d💻 ZWJ", None), ("\u0646\u06cc\u0645\u200c\u0641\u0627\u0635\u0644\u0647", None),
     ("\x00", "U+0000"), ("\x7f", "U+007F"), ("\x9b", "U+009B"), ("\u2066", "U+2066"),
     ("\U0001fffe", "U+1FFFE"), ("\udfff", "U+DFFF")],
)  # fmt: skip
def test_which_characters_a_text_may_hold(text, refused):
    assert refused_character(text) == refused


def test_every_string_of_a_body_is_cleaned_and_each_refusal_is_located():
    cleaned, errors = clean_strings(
        {"name": "Jose\u0301", "tags": ["ok", "bad\x1b"], "meta": {"k\x00": "v"}}, ("body",)
    )
    assert cleaned["name"] == "José"
    assert [e["loc"] for e in errors] == [["body", "tags", 1], ["body", "meta"]]


@pytest.mark.parametrize("text", ["²", "٣", "1²", "", "-1", "1.0", " 1", "١٢"])
def test_only_ascii_digits_are_numbers(text):
    assert not is_ascii_number(text)


@pytest.mark.parametrize("text", ["²", "٣", "0", "000000000010"])
def test_a_ticket_number_that_is_not_ascii_digits_is_not_found(text):
    with pytest.raises(NotFound):
        parse_number(text)
