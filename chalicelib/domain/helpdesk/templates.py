"""WhatsApp message templates (SPEC §4): the tenant's list of Meta-approved texts.

Outside the 24-hour window WhatsApp accepts only a template, named by (name,
language), with its ``{{1}}``..``{{n}}`` parameters. Atiende keeps the tenant's list
and renders a template for a reply; submitting templates to Meta for review is not
done here (an admin records the status Meta gave).
"""

from __future__ import annotations

import re
from typing import Any, Literal

from chalicelib.domain.accounts.settings_items import Kind, SettingsItem
from chalicelib.domain.errors import Conflict, Invalid

Category = Literal["MARKETING", "UTILITY", "AUTHENTICATION"]
Status = Literal["approved", "pending", "rejected"]

#: Meta: lowercase letters, digits and underscores, at most 512 characters
NAME_PATTERN = r"^[a-z0-9_]{1,512}$"
#: Meta's locale codes: a language (``es``, ``fil``) with an optional region (``es_MX``)
LANGUAGE_PATTERN = r"^[a-z]{2,3}(_[A-Z]{2})?$"
BODY_MAX = 1024  # Meta's limit on a template body, in characters

_PLACEHOLDER = re.compile(r"\{\{([1-9][0-9]{0,2})\}\}")


def _braces(n: int | str) -> str:
    return "{{" + str(n) + "}}"


def parameter_count(body: str) -> int:
    """How many parameters ``body`` takes; ValueError unless they are ``{{1}}``..``{{n}}``."""
    rest = _PLACEHOLDER.sub("", body)
    if "{{" in rest or "}}" in rest:
        raise ValueError("write parameters as {{1}}, {{2}}, … (numbers from 1, nothing else)")
    numbers = {int(n) for n in _PLACEHOLDER.findall(body)}
    if numbers != set(range(1, len(numbers) + 1)):
        missing = sorted(set(range(1, max(numbers) + 1)) - numbers)
        raise ValueError(
            "parameters must be numbered from {{1}} without gaps; missing "
            + ", ".join(_braces(n) for n in missing)
        )
    return len(numbers)


def unique_key(name: str, language: str) -> str:
    return f"{name}:{language}"


class TemplateKind(Kind):
    """A template is unique by (name, language); a clash names the fields the client sent."""

    def _taken(self, value: str) -> Conflict:
        name, _, language = value.partition(":")
        return Conflict(
            f"There is already a template “{name}” in language “{language}”.",
            code="name_taken",
            details=[
                {"loc": ["body", field], "msg": "already in use", "type": "unique"}
                for field in ("name", "language")
            ],
        )


TEMPLATES = TemplateKind("template", "templates", unique_field="key", label="template")


def template_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The stored fields: the parameter count is derived from the body, and ``key`` keeps
    (name, language) unique."""
    return {
        **data,
        "parameter_count": parameter_count(data["body"]),
        "key": unique_key(data["name"], data["language"]),
    }


def public_view(item: SettingsItem) -> dict[str, Any]:
    data = item.data
    return {
        "id": item.item_id,
        "name": data["name"],
        "language": data["language"],
        "category": data["category"],
        "body": data["body"],
        "parameter_count": data["parameter_count"],
        "channel_id": data.get("channel_id"),
        "status": data["status"],
        "created_at": item.created_at,
        "updated_at": item.updated_at,
    }


def find_template(tenant_id: str, name: str, language: str) -> SettingsItem | None:
    """The template named (name, language), by the name index: one Query."""
    prefix = unique_key(name, language) + "#"
    found = TEMPLATES.by_prefix(tenant_id, prefix, 1)
    return found[0] if found else None


def _refuse(message: str, code: str, loc: list[Any]) -> Invalid:
    return Invalid(
        message,
        code=code,
        details=[{"loc": ["body", "template", *loc], "msg": message, "type": code}],
    )


def check_parameter(value: str) -> str | None:
    """Why Meta would refuse ``value`` as a parameter, or None."""
    if not value.strip():
        return "a parameter cannot be empty"
    if "\n" in value or "\t" in value or "     " in value:
        return "a parameter cannot hold new lines, tabs or more than four spaces in a row"
    return None


def render_template(
    tenant_id: str, name: str, language: str, parameters: list[str]
) -> tuple[dict[str, Any], str]:
    """The approved template (name, language) and its body with ``parameters`` filled in.

    400 (``Invalid``) if there is no such template, it is not approved, or the
    parameters do not fit it.
    """
    item = find_template(tenant_id, name, language)
    if item is None:
        raise _refuse(
            f"There is no WhatsApp template “{name}” in language “{language}”.",
            "unknown_template",
            ["name"],
        )
    template = public_view(item)
    if template["status"] != "approved":
        raise _refuse(
            f"The template “{name}” ({language}) is {template['status']}, not approved: "
            "WhatsApp sends only approved templates.",
            "template_not_approved",
            ["name"],
        )
    expected = template["parameter_count"]
    if len(parameters) != expected:
        raise _refuse(
            f"The template “{name}” ({language}) takes {expected} parameter"
            f"{'' if expected == 1 else 's'}; {len(parameters)} given.",
            "template_parameters",
            ["parameters"],
        )
    for index, value in enumerate(parameters):
        problem = check_parameter(value)
        if problem:
            raise _refuse(
                f"Parameter {_braces(index + 1)} is not valid: {problem}.",
                "template_parameters",
                ["parameters", index],
            )
    # one pass, so a parameter that contains "{{2}}" is sent as typed
    text = _PLACEHOLDER.sub(lambda m: parameters[int(m.group(1)) - 1], template["body"])
    return template, text
