"""Search terms (SPEC §4 "Clients" and "Search"): folding, name words, RUT, email, phone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.helpdesk.search_terms import (
    MAX_WORD_LEN,
    MAX_WORDS,
    InvalidRut,
    Rut,
    check_digit,
    fold,
    matches,
    name_query,
    name_words,
    normalize_email,
    normalize_phone,
    parse_rut,
)


@pytest.fixture(autouse=True)
def aws() -> Iterator[dict[str, str]]:
    """The module under test is pure: no moto stack (it costs ~0.35 s a test here)."""
    yield {}


# --- fold ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("José Pérez", "jose perez"),
        ("  JOSÉ \t\n  pérez ", "jose perez"),
        ("Ñandú", "nandu"),
        ("ß", "ss"),
        ("Straße", "strasse"),
        ("Ø", "o"),
        ("Søren", "soren"),
        ("Æ", "ae"),
        ("Œuvre", "oeuvre"),
        ("Łódź", "lodz"),
        ("Þór", "thor"),
        ("İstanbul", "istanbul"),
        ("Conceição", "conceicao"),
        ("João Gonçalves", "joao goncalves"),
        ("Müller", "muller"),
        ("O'Higgins", "o higgins"),
        ("María-José", "maria jose"),
        ("Nº 42", "no 42"),
        ("\uff21\uff22\uff23\uff11\uff12", "abc12"),  # full-width letters and digits (NFKD)
        ("", ""),
        ("¡¿...?!", ""),
    ],
)
def test_fold_examples(text: str, folded: str) -> None:
    assert fold(text) == folded


@given(st.text())
def test_fold_is_idempotent_and_only_lowercase_letters_digits_and_single_spaces(
    text: str,
) -> None:
    folded = fold(text)
    assert fold(folded) == folded
    assert folded == folded.strip()
    assert "  " not in folded
    assert all(c.isalnum() for c in folded.replace(" ", ""))
    assert folded.casefold() == folded


# --- name words and queries ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("José Pérez", ["jose", "perez"]),
        ("María-José O'Higgins", ["maria", "jose", "ohiggins", "higgins"]),
        ("D\u2019Angelo", ["dangelo", "angelo"]),  # typographic apostrophe
        ("D\u00b4Angelo", ["dangelo", "angelo"]),  # acute accent used as one
        ("Ma. Inés Núñez", ["ma", "ines", "nunez"]),
        ("Juan J. Pérez Pérez", ["juan", "perez"]),  # 1-letter initials and repeats left out
        ("Tienda 24/7", ["tienda", "24"]),
        ("", []),
        ("- . '", []),
    ],
)
def test_name_words_examples(name: str, words: list[str]) -> None:
    assert name_words(name) == words


def test_name_words_keeps_at_most_eight_words_each_cut_to_forty_characters() -> None:
    long = "a" * 50
    assert name_words(long) == ["a" * MAX_WORD_LEN]
    many = " ".join(f"w{i}" for i in range(12))
    assert name_words(many) == [f"w{i}" for i in range(MAX_WORDS)]
    # duplicates do not use up the eight places
    assert name_words("ana ana ana " + many) == ["ana"] + [f"w{i}" for i in range(MAX_WORDS - 1)]


@given(st.text())
def test_every_name_word_is_folded_distinct_and_bounded(name: str) -> None:
    words = name_words(name)
    assert len(words) <= MAX_WORDS
    assert len(set(words)) == len(words)
    for word in words:
        assert fold(word) == word
        assert " " not in word
        assert 2 <= len(word) <= MAX_WORD_LEN


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("José", ["jose"]),
        ("jo  PÉR", ["jo", "per"]),
        ("O'Hig", ["ohig"]),
        ("higgins", ["higgins"]),
        ("maria-jose", ["maria", "jose"]),
        ("ana ana", ["ana"]),
        ("x" * 60, ["x" * MAX_WORD_LEN]),
    ],
)
def test_name_query_examples(query: str, words: list[str]) -> None:
    assert name_query(query) == words


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "at least one word"),
        ("  -- ¿? ", "at least one word"),
        ("j", "at least 2 letters or digits; 'j' is too short"),
        ("juan j perez", "'j' is too short"),
        (" ".join(f"w{i}" for i in range(MAX_WORDS + 1)), "at most 8 words"),
    ],
)
def test_name_query_refuses_empty_and_one_letter_words(query: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        name_query(query)


@pytest.mark.parametrize(
    ("query", "name", "found"),
    [
        ("jose", "José Pérez", True),
        ("JO per", "José Pérez", True),
        ("perez jose", "José Pérez", True),  # order does not matter
        ("jose gomez", "José Pérez", False),  # every query word must match
        ("ose", "José Pérez", False),  # prefixes only
        ("higgins", "María-José O'Higgins", True),
        ("ohig", "María-José O'Higgins", True),
        ("O'Higgins", "María-José O'Higgins", True),
        ("maria-jose", "María José O'Higgins", True),
        ("nandu", "ÑANDÚ", True),
        ("conceição", "Maria da Conceicao", True),
        ("x" * 60, "x" * 60, True),  # both sides cut the same way
    ],
)
def test_a_client_matches_when_every_query_word_prefixes_a_name_word(
    query: str, name: str, found: bool
) -> None:
    assert matches(name_query(query), name_words(name)) is found


@given(st.text(min_size=1), st.data())
def test_any_prefix_of_any_name_word_finds_the_name(name: str, data: st.DataObject) -> None:
    words = name_words(name)
    if not words:
        return
    word = data.draw(st.sampled_from(words))
    prefix = word[: data.draw(st.integers(2, len(word)))]
    # a name word is already folded, so any piece of it reads back as itself
    assert name_query(prefix) == [prefix]
    assert matches(name_query(prefix), words)


# --- RUT ------------------------------------------------------------------------------


def _reference_check_digit(body: int) -> str:
    """The classic Chilean one-liner, written independently of ``check_digit``:
    ``S = (S + digit * (9 - m++ % 6)) % 11`` from the right, starting at S = 1; the check
    digit is S - 1, or K when S is 0."""
    s, m = 1, 0
    while body:
        s = (s + body % 10 * (9 - m % 6)) % 11
        body //= 10
        m += 1
    return str(s - 1) if s else "K"


# Worked by hand for 12.345.678: 8*2 + 7*3 + 6*4 + 5*5 + 4*6 + 3*7 + 2*2 + 1*3 = 138;
# 138 % 11 = 6; 11 - 6 = 5.
KNOWN_RUTS = [
    ("11.111.111-1", 11_111_111, "1"),
    ("12.345.678-5", 12_345_678, "5"),
    ("76.086.428-5", 76_086_428, "5"),
    ("5.126.663-3", 5_126_663, "3"),
    ("1.234.567-4", 1_234_567, "4"),
    ("20.000.000-5", 20_000_000, "5"),
    ("76.354.771-K", 76_354_771, "K"),  # 11 - r == 10 -> K
    ("10.000.013-K", 10_000_013, "K"),
    ("60.805.000-0", 60_805_000, "0"),  # 11 - r == 11 -> 0
    ("10.000.004-0", 10_000_004, "0"),
    ("99.999.999-9", 99_999_999, "9"),
]


@pytest.mark.parametrize(("formatted", "body", "check"), KNOWN_RUTS)
def test_known_ruts(formatted: str, body: int, check: str) -> None:
    assert check_digit(body) == check == _reference_check_digit(body)
    rut = parse_rut(formatted)
    assert rut == Rut(body, check)
    assert rut.formatted == formatted
    assert rut.canonical == f"{body}-{check}" == str(rut)


@pytest.mark.parametrize(
    "text",
    [
        "12.345.678-5",
        "12345678-5",
        "123456785",
        "  12.345.678-5 \n",
        "12.345.6785",
        "12.345.678\u20135",  # en dash from a word processor
    ],
)
def test_parse_rut_accepts_the_common_spellings(text: str) -> None:
    assert parse_rut(text).canonical == "12345678-5"


@pytest.mark.parametrize("text", ["76.354.771-K", "76.354.771-k", "76354771k", "76354771-K"])
def test_parse_rut_accepts_k_in_either_case(text: str) -> None:
    assert parse_rut(text) == Rut(76_354_771, "K")


def test_short_ruts_are_formatted_with_as_many_dots_as_they_need() -> None:
    assert Rut.of(1_234_567).formatted == "1.234.567-4"
    assert Rut.of(123_456).formatted == f"123.456-{check_digit(123_456)}"
    assert Rut.of(999).formatted == f"999-{check_digit(999)}"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "abc",
        "12.345.678",  # no check digit: not 1234567-8, dots group the body by three
        "12.345.678-",
        "12.345.678-X",
        "12.345.678-55",
        "123.456.789-2",  # nine digits
        "1234567890",
        "12,345,678-5",
        "1.2345.678-5",
        "012.345.678-5",
        "0-0",
        "-5",
        "12 345 678-5",
        "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668-\u0665",  # Arabic-Indic digits
    ],
)
def test_parse_rut_says_when_the_text_is_not_a_rut(text: str) -> None:
    with pytest.raises(InvalidRut, match="is not a RUT") as caught:
        parse_rut(text)
    assert caught.value.expected_check is None
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12.345.678-4", "5"), ("12345678K", "5"), ("76.354.771-0", "K"), ("60805000-k", "0")],
)
def test_parse_rut_says_which_check_digit_it_should_be(text: str, expected: str) -> None:
    with pytest.raises(InvalidRut, match=f"the check digit should be {expected}$") as caught:
        parse_rut(text)
    assert caught.value.expected_check == expected


def test_a_rut_cannot_be_built_invalid() -> None:
    with pytest.raises(InvalidRut, match="check digit should be 5"):
        Rut(12_345_678, "4")
    with pytest.raises(InvalidRut, match="check digit should be K"):
        Rut(76_354_771, "k")  # the check digit is kept upper-case
    with pytest.raises(InvalidRut, match=r"between 1 and 99\.999\.999"):
        Rut.of(0)
    with pytest.raises(InvalidRut, match=r"between 1 and 99\.999\.999"):
        Rut.of(100_000_000)


bodies = st.integers(min_value=1, max_value=99_999_999)


@given(bodies)
def test_check_digit_agrees_with_an_independent_implementation(body: int) -> None:
    assert check_digit(body) == _reference_check_digit(body)


@given(bodies, st.sampled_from(["formatted", "canonical", "compact"]), st.booleans())
def test_parse_rut_round_trips_every_format(body: int, spelling: str, lower_k: bool) -> None:
    rut = Rut.of(body)
    text = {
        "formatted": rut.formatted,
        "canonical": rut.canonical,
        "compact": rut.canonical.replace("-", ""),
    }[spelling]
    if lower_k:
        text = text.lower()
    assert parse_rut(text) == rut
    assert parse_rut(f"  {text} ") == rut


@given(bodies, st.sampled_from(list("0123456789Kk")), st.booleans())
def test_any_other_check_digit_is_refused_with_the_right_one(
    body: int, wrong: str, formatted: bool
) -> None:
    right = check_digit(body)
    if wrong.upper() == right:
        wrong = "0" if right != "0" else "1"
    rut = Rut.of(body)
    text = (rut.formatted if formatted else rut.canonical)[:-1] + wrong
    with pytest.raises(InvalidRut, match=f"the check digit should be {right}$"):
        parse_rut(text)


# --- email ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("ana@example.cl", "ana@example.cl"),
        ("  Ana.Perez@Example.CL \n", "ana.perez@example.cl"),
        ("JOSÉ@EXÁMPLE.CL", "josé@exámple.cl"),
        ("soporte+ventas@tienda.cl", "soporte+ventas@tienda.cl"),
    ],
)
def test_normalize_email(text: str, normalized: str) -> None:
    assert normalize_email(text) == normalized
    assert normalize_email(normalized) == normalized


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "an email address is required"),
        ("   ", "an email address is required"),
        ("ana", "not a valid email address: .*@"),
        ("ana@", "not a valid email address"),
        ("@example.cl", "not a valid email address"),
        ("ana@@example.cl", "not a valid email address"),
        ("ana perez@example.cl", "not a valid email address"),
        ("Ana <ana@example.cl>", "not a valid email address"),
        ("ana@localhost", "not a valid email address"),
    ],
)
def test_normalize_email_refuses_invalid_addresses(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        normalize_email(text)


# --- phone ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("+56 9 1234 5678", "+56912345678"),
        ("+56-9-1234-5678", "+56912345678"),
        ("(2) 2345.6789", "223456789"),
        (" +1 (415) 555-0100 ", "+14155550100"),
        ("123456", "123456"),
        ("+" + "1" * 15, "+" + "1" * 15),
        (
            "\uff0b\uff15\uff16\uff19\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18",
            "+56912345678",
        ),  # full-width
    ],
)
def test_normalize_phone(text: str, normalized: str) -> None:
    assert normalize_phone(text) == normalized
    assert normalize_phone(normalized) == normalized


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not a phone number: use digits"),
        ("+", "not a phone number: use digits"),
        ("12345", "has 5 digits"),
        ("1" * 16, "has 16 digits"),
        ("+56 9 1234 567x", "use digits"),
        ("56+912345678", "use digits"),
        ("++56912345678", "use digits"),
        ("+56 9 1234 5678 ext 2", "use digits"),
    ],
)
def test_normalize_phone_refuses_what_is_not_a_phone_number(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        normalize_phone(text)
