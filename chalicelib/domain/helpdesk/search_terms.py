"""Search terms for clients and tickets (SPEC §4 "Clients" and "Search"). Pure: no I/O.

What the store writes and what a search asks for go through the same functions here,
so a client is found exactly when this module says it matches.

**Names** — accent- and case-insensitive, by word prefix:

* :func:`fold` is the comparison form of any text: NFKD, every combining mark dropped,
  case-folded (``ß`` -> ``ss``), the few Latin letters that have no decomposition spelled
  out (``ø`` -> ``o``, ``æ`` -> ``ae``, ``ł`` -> ``l``, ...), anything that is not a
  letter or digit turned into a space, spaces collapsed. ``"José Pérez"`` -> ``"jose
  perez"``; ``"Ñandú"`` -> ``"nandu"``; ``"Conceição"`` -> ``"conceicao"``.
* :func:`name_words` is what the store indexes for a client's name: its distinct folded
  words, split on spaces, hyphens, dots and any other punctuation. A word with an
  apostrophe is indexed both joined and as its parts, so ``"O'Higgins"`` is found by
  ``ohig`` as well as by ``higg``: ``"María-José O'Higgins"`` -> ``["maria", "jose",
  "ohiggins", "higgins"]``. One-character words (initials, the ``O`` of ``O'Higgins``)
  are not indexed: no query may contain one (see below), so they could never match.
  At most :data:`MAX_WORDS` words, each cut to :data:`MAX_WORD_LEN` characters.
* :func:`name_query` turns a search into folded words. **A client matches when every
  query word is a prefix of some word of its name** (:func:`matches`): ``"jo per"``
  finds ``José Pérez``; ``"perez jose"`` too (order does not matter). Every query word
  must have at least :data:`MIN_QUERY_WORD_LEN` (2) characters: a one-letter prefix would
  read a 26th of a tenant's index for each search. A query word longer than
  :data:`MAX_WORD_LEN` is cut like the indexed words, so a full long name still matches.

**RUT** (Chilean tax id) — :func:`parse_rut` accepts ``12.345.678-5``, ``12345678-5``,
``123456785``, a ``K`` or ``k`` check digit, surrounding spaces and a body of 1 to 8
digits (``1.234.567-4``, ``76.086.428-5``; no leading zero). :class:`InvalidRut` says
whether the text is not a RUT at all or its check digit is wrong (and which it should
be). :attr:`Rut.canonical` (``12345678-5``) is what the store keeps and indexes.

**Email** — :func:`normalize_email`: stripped, lower-cased as a whole, validated.
**Phone** — :func:`normalize_phone`: digits, with a leading ``+`` kept.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

__all__ = [
    "MAX_PHONE_DIGITS",
    "MAX_WORDS",
    "MAX_WORD_LEN",
    "MIN_PHONE_DIGITS",
    "MIN_QUERY_WORD_LEN",
    "RUT_MAX_BODY",
    "InvalidRut",
    "Rut",
    "check_digit",
    "fold",
    "matches",
    "name_query",
    "name_words",
    "normalize_email",
    "normalize_phone",
    "parse_rut",
]

MAX_WORDS = 8
MAX_WORD_LEN = 40
MIN_QUERY_WORD_LEN = 2
RUT_MAX_BODY = 99_999_999
MIN_PHONE_DIGITS = 6
MAX_PHONE_DIGITS = 15

# --- folding -------------------------------------------------------------------------

#: Apostrophe look-alikes people type in names: ASCII, right and left quotation marks,
#: modifier letters, grave and acute accents, prime (all read as ``'``).
_APOSTROPHES = "'\u2019\u2018\u02bc\u02bb\u0060\u00b4\u2032"
#: Latin letters that NFKD leaves alone (no decomposition), spelled out as a reader would.
_SPELLED = str.maketrans(
    {
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "đ": "d",
        "ð": "d",
        "ħ": "h",
        "\u0131": "i",  # dotless i
        "ł": "l",
        "ŧ": "t",
        "þ": "th",
    }
)


def _fold_char(ch: str) -> str:
    """One character's folded form: its letters and digits, ``'`` for an apostrophe and
    a space for anything else (NFKD may give several characters, apostrophe included:
    U+0149 -> U+02BC U+006E)."""
    if ch in _APOSTROPHES:  # before NFKD, which turns an acute accent into a space and a mark
        return "'"
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", ch).casefold())
    out: list[str] = []
    for c in decomposed.translate(_SPELLED):
        if c in _APOSTROPHES:
            out.append("'")
        elif c.isalnum():
            out.append(c)
        elif not unicodedata.category(c).startswith("M"):
            out.append(" ")
    return "".join(out)


def _fold(text: str, keep_apostrophes: bool) -> str:
    folded = "".join(_fold_char(ch) for ch in text)
    if not keep_apostrophes:
        folded = folded.replace("'", " ")
    return " ".join(folded.split())


def fold(text: str) -> str:
    """The accent- and case-insensitive form of ``text``: ``"José  Pérez"`` -> ``"jose perez"``.

    Idempotent; the result holds only lower-case letters, digits and single spaces. Any
    other character (apostrophes and hyphens included) separates words:
    ``fold("O'Higgins") == "o higgins"`` — :func:`name_words` is where apostrophes join.
    """
    return _fold(text, keep_apostrophes=False)


def _words(text: str, with_parts: bool) -> list[str]:
    """Folded words; an apostrophe joins (``ohiggins``) and, ``with_parts``, also splits."""
    words: list[str] = []
    for token in _fold(text, keep_apostrophes=True).split(" "):
        pieces = [p for p in token.split("'") if p]
        if not pieces:
            continue
        words.append("".join(pieces)[:MAX_WORD_LEN])
        if with_parts and len(pieces) > 1:
            words.extend(p[:MAX_WORD_LEN] for p in pieces)
    return words


def name_words(name: str) -> list[str]:
    """The words under which a client's name is indexed: distinct, folded, in order.

    ``"María-José O'Higgins"`` -> ``["maria", "jose", "ohiggins", "higgins"]``. Words of
    one character are left out (no query may hold one), at most :data:`MAX_WORDS` words
    are kept, each cut to :data:`MAX_WORD_LEN` characters. A name with no letter or digit
    gives ``[]``.
    """
    out: list[str] = []
    for word in _words(name, with_parts=True):
        if len(word) >= MIN_QUERY_WORD_LEN and word not in out:
            out.append(word)
            if len(out) == MAX_WORDS:
                break
    return out


def name_query(query: str) -> list[str]:
    """The folded, distinct words of a name search, in order.

    A client matches when EVERY query word is a prefix of SOME word of
    :func:`name_words` of its name (see :func:`matches`). ``"O'Hig"`` gives ``["ohig"]``.
    Raises :class:`ValueError` for a query without any letter or digit, with a word of
    fewer than :data:`MIN_QUERY_WORD_LEN` characters, or with more than
    :data:`MAX_WORDS` words.
    """
    words: list[str] = []
    for word in _words(query, with_parts=False):
        if len(word) < MIN_QUERY_WORD_LEN:
            raise ValueError(
                f"every word of a name search needs at least {MIN_QUERY_WORD_LEN} "
                f"letters or digits; {word!r} is too short"
            )
        if word not in words:
            words.append(word)
    if not words:
        raise ValueError("a name search needs at least one word of letters or digits")
    if len(words) > MAX_WORDS:
        raise ValueError(f"a name search takes at most {MAX_WORDS} words")
    return words


def matches(query_words: list[str], words: list[str]) -> bool:
    """Whether every query word is a prefix of some name word (``name_query`` x ``name_words``)."""
    return all(any(word.startswith(q) for word in words) for q in query_words)


# --- RUT -----------------------------------------------------------------------------


class InvalidRut(ValueError):
    """Not a RUT (``expected_check`` is None) or a RUT with a wrong check digit."""

    def __init__(self, message: str, expected_check: str | None = None) -> None:
        super().__init__(message)
        self.expected_check = expected_check


def check_digit(body: int) -> str:
    """The modulo-11 check digit: weights 2..7 cycling from the rightmost digit;
    ``11 - sum % 11``, where 11 gives ``"0"`` and 10 gives ``"K"``."""
    total = 0
    for i, digit in enumerate(reversed(str(body))):
        total += int(digit) * (2 + i % 6)
    value = 11 - total % 11
    return "0" if value == 11 else "K" if value == 10 else str(value)


@dataclass(frozen=True)
class Rut:
    """A valid RUT: ``body`` 1..99,999,999 and its check digit ``"0"``..``"9"`` or ``"K"``."""

    body: int
    check: str

    def __post_init__(self) -> None:
        if not 1 <= self.body <= RUT_MAX_BODY:
            raise InvalidRut(f"a RUT number is between 1 and {RUT_MAX_BODY:,}".replace(",", "."))
        expected = check_digit(self.body)
        if self.check != expected:
            raise InvalidRut(
                f"{self.body}-{self.check} is not a valid RUT: "
                f"the check digit should be {expected}",
                expected_check=expected,
            )

    @classmethod
    def of(cls, body: int) -> Rut:
        """The RUT with this number and its computed check digit."""
        return cls(body, check_digit(body))

    @property
    def canonical(self) -> str:
        """``12345678-5``: the form stored and indexed."""
        return f"{self.body}-{self.check}"

    @property
    def formatted(self) -> str:
        """``12.345.678-5``: the form shown to people."""
        return f"{self.body:,}".replace(",", ".") + f"-{self.check}"

    def __str__(self) -> str:
        return self.canonical


_RUT_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212", "-"))
_RUT = re.compile(
    r"(?P<body>[1-9][0-9]?\.[0-9]{3}\.[0-9]{3}|[1-9][0-9]{0,2}\.[0-9]{3}|[1-9][0-9]{0,7})"
    r"-?(?P<check>[0-9Kk])"
)


def parse_rut(text: str) -> Rut:
    """A RUT from any common spelling: ``12.345.678-5``, ``12345678-5``, ``123456785``.

    The check digit may be ``K`` or ``k``; surrounding spaces are ignored; dots, when
    present, must group the digits by three. Raises :class:`InvalidRut` — "is not a RUT"
    when the text is not shaped like one, "the check digit should be X" when it is but
    the modulo-11 check digit does not match.
    """
    cleaned = text.strip().translate(_RUT_DASHES)
    match = _RUT.fullmatch(cleaned)
    if match is None:
        raise InvalidRut(
            f"{text.strip()!r} is not a RUT: expected up to 8 digits and a check digit "
            "(0-9 or K), such as 12.345.678-5, 12345678-5 or 123456785"
        )
    return Rut(int(match["body"].replace(".", "")), match["check"].upper())


# --- email and phone -----------------------------------------------------------------


def normalize_email(text: str) -> str:
    """The stored and searched form of an email address: stripped, lower-cased, valid.

    The whole address is lower-cased, local part included: RFC 5321 lets a server treat
    ``Ana@x.cl`` and ``ana@x.cl`` as two mailboxes, but no provider our tenants' clients
    use does, and Atiende compares addresses (logins, contacts, search) case-insensitively
    everywhere. Validated by ``email-validator`` without DNS look-ups; its message is
    kept in the :class:`ValueError`.
    """
    address = text.strip().lower()
    if not address:
        raise ValueError("an email address is required")
    try:
        result = validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"{address!r} is not a valid email address: {exc}") from exc
    return result.normalized.lower()


_PHONE_SEPARATORS = re.compile(r"[\s\-.()\u2010\u2011\u2012\u2013\u2014\u2212]+")
_PHONE = re.compile(r"\+?[0-9]+")


def normalize_phone(text: str) -> str:
    """A phone number as digits, with its leading ``+`` kept: ``"+56 9 (1234) 56.78"`` ->
    ``"+56912345678"``.

    Spaces, dashes, dots and parentheses are dropped; anything else but a leading ``+``
    is refused, as is a number of fewer than 6 or more than 15 digits (E.164's limit).
    """
    compact = _PHONE_SEPARATORS.sub("", unicodedata.normalize("NFKC", text))
    if not _PHONE.fullmatch(compact):
        raise ValueError(
            f"{text.strip()!r} is not a phone number: use digits, optionally with a leading "
            "+ and spaces, dashes, dots or parentheses"
        )
    digits = len(compact.lstrip("+"))
    if not MIN_PHONE_DIGITS <= digits <= MAX_PHONE_DIGITS:
        raise ValueError(
            f"{text.strip()!r} is not a phone number: it has {digits} digits, "
            f"a phone number has {MIN_PHONE_DIGITS} to {MAX_PHONE_DIGITS}"
        )
    return compact
