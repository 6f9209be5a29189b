"""Per-channel settings (SPEC §3): SLA targets, business hours and auto-replies."""

from __future__ import annotations

import itertools
import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_HHMM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SlaTargets(_Strict):
    first_response_minutes: int | None = Field(None, ge=1, le=60 * 24 * 60)
    resolution_minutes: int | None = Field(None, ge=1, le=60 * 24 * 365)
    mode: Literal["calendar", "business"] = "calendar"


class BusinessHours(_Strict):
    """Opening hours in the channel's timezone; a day absent from ``weekly`` is closed."""

    timezone: str = "America/Santiago"
    weekly: dict[Day, list[tuple[str, str]]] = Field(default_factory=dict)
    holidays: list[date] = Field(default_factory=list, max_length=366)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r}") from exc
        return value

    @field_validator("weekly")
    @classmethod
    def _valid_ranges(
        cls, value: dict[str, list[tuple[str, str]]]
    ) -> dict[str, list[tuple[str, str]]]:
        for day, ranges in value.items():
            for start, end in ranges:
                if not (_HHMM.match(start) and _HHMM.match(end)) or start >= end:
                    raise ValueError(f"{day}: {start}-{end} is not a range of HH:MM times")
            ordered = sorted(ranges)
            for (_, end), (start, _) in itertools.pairwise(ordered):
                if start < end:
                    raise ValueError(f"{day}: ranges overlap")
        return value


class AutoReply(_Strict):
    enabled: bool = False
    text: str = Field("", max_length=1000)


class AutoReplies(_Strict):
    first_message: AutoReply = Field(default_factory=AutoReply)  # a client's first message ever
    no_agent: AutoReply = Field(default_factory=AutoReply)  # nobody available to take it
    out_of_hours: AutoReply = Field(default_factory=AutoReply)  # outside business hours
    quiet_period_minutes: int = Field(240, ge=0, le=60 * 24 * 7)


class ChannelSettings(_Strict):
    sla: SlaTargets = Field(default_factory=SlaTargets)
    business_hours: BusinessHours | None = None
    auto_replies: AutoReplies = Field(default_factory=AutoReplies)
    #: WhatsApp only: the Meta commerce catalogue connected to the WhatsApp Business
    #: Account; with it, a catalogue selection goes as an interactive product list
    #: (docs/channels.md "Sending the catalogue")
    commerce_catalog_id: str | None = Field(None, pattern=r"^[0-9]{1,32}$")

    @field_validator("commerce_catalog_id")
    @classmethod
    def _whatsapp_only(cls, value: str | None, info: ValidationInfo) -> str | None:
        # the channel's type comes as validation context when settings are written
        channel_type = (info.context or {}).get("channel_type")
        if value is not None and channel_type not in (None, "whatsapp"):
            raise ValueError("only a WhatsApp channel has a Meta commerce catalogue")
        return value
