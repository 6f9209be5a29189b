"""Reading what comes from outside: JSON with a depth limit, clean text, ASCII numbers.

Shared by the API's request parsing, the webhooks and the queue consumers, so a body a
stranger wrote is read the same way everywhere.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

#: Deeper than any body Atiende or a provider sends (Meta's webhooks nest about 8 levels);
#: deep enough for free-form metadata, far from Python's recursion limit.
MAX_JSON_DEPTH = 32


class UntrustedInput(ValueError):
    """Input refused before it reaches the product's rules; the message says why."""


class TooDeep(UntrustedInput):
    pass


def load_json(raw: str | bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` that refuses nesting deeper than ``max_depth`` (arrays and objects).

    ``json.loads`` itself recurses once per level and fails with ``RecursionError`` near
    1,000 levels; that error is no ``ValueError`` and escaped every handler as a 500.
    Raises :class:`TooDeep` or ``ValueError`` (bad JSON, bad UTF-8).
    """
    try:
        data = json.loads(raw)
    except RecursionError:
        raise TooDeep(f"the JSON nests deeper than {max_depth} levels") from None
    if json_depth(data) > max_depth:
        raise TooDeep(f"the JSON nests deeper than {max_depth} levels")
    return data


def json_depth(data: Any) -> int:
    """How many arrays/objects deep ``data`` goes (a scalar is 0), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        depth += 1
        deepest = max(deepest, depth)
        stack.extend((child, depth) for child in children if isinstance(child, dict | list))
    return deepest


# --- text ----------------------------------------------------------------------------------
#: Invisible characters that reorder what a reader sees (Trojan Source, CVE-2021-42574).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ALLOWED_CONTROLS = frozenset("\t\n")


def refused_character(text: str) -> str | None:
    """The first character a text field may not hold, as ``U+XXXX``; None when clean.

    Refused: control characters other than tab and newline (NUL, ESC and the rest of C0
    and C1), lone surrogates, the bidirectional overrides and isolates, and Unicode's
    non-characters. Emoji joiners and other format characters stay allowed.
    """
    for char in text:
        if char in _ALLOWED_CONTROLS:
            continue
        code = ord(char)
        category = unicodedata.category(char)
        if (
            category in ("Cc", "Cs")
            or char in _BIDI_CONTROLS
            or 0xFDD0 <= code <= 0xFDEF
            or (code & 0xFFFE) == 0xFFFE
        ):
            return f"U+{code:04X}"
    return None


def clean_text(text: str) -> str:
    """Line ends as ``\\n`` and the text in Unicode NFC; raises when a character is refused."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = refused_character(text)
    if bad is not None:
        raise UntrustedInput(f"must not contain the control or invisible character {bad}")
    return unicodedata.normalize("NFC", text)


def clean_strings(data: Any, where: tuple[str | int, ...] = ()) -> tuple[Any, list[dict[str, Any]]]:
    """Every string of a JSON value (keys included) through :func:`clean_text`.

    Returns the cleaned value and one error per refused string, located like pydantic's
    field errors (``loc`` from the top of the value), so a 400 names each field.
    """
    errors: list[dict[str, Any]] = []

    def clean(value: Any, loc: tuple[str | int, ...]) -> Any:
        if isinstance(value, str):
            try:
                return clean_text(value)
            except UntrustedInput as exc:
                errors.append({"loc": list(loc), "msg": str(exc), "type": "refused_character"})
                return value
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                name = clean(key, loc) if isinstance(key, str) else key
                out[name] = clean(item, (*loc, key))
            return out
        if isinstance(value, list):
            return [clean(item, (*loc, index)) for index, item in enumerate(value)]
        return value

    return clean(data, where), errors


def is_ascii_number(text: str) -> bool:
    """Only the digits 0-9. ``str.isdigit`` also accepts "²" or "٣", which ``int`` refuses
    (or reads as another number): never use it on input."""
    return bool(text) and text.isascii() and text.isdigit()
