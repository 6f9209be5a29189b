"""The nine channel types: what identifies each at its provider and what it needs to act.

``identifiers`` are public (shown back); ``credentials`` are write-only, sealed with
KMS before they reach the table. ``account_id`` is what the provider's webhooks name,
so an inbound payload finds its channel with one query.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, SecretStr

from chalicelib.channels.events import ChannelType

Digits = Annotated[str, Field(pattern=r"^[0-9]{3,32}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class WhatsAppIds(_Strict):
    phone_number_id: Digits
    business_account_id: Digits
    display_phone_number: str = Field(min_length=3, max_length=32)


class WhatsAppSecrets(_Strict):
    access_token: SecretStr = Field(min_length=10)


class FacebookIds(_Strict):
    page_id: Digits
    page_name: str = Field("", max_length=200)


class PageSecrets(_Strict):
    page_access_token: SecretStr = Field(min_length=10)


class InstagramIds(_Strict):
    instagram_account_id: Digits
    page_id: Digits
    username: str = Field("", max_length=100)


class TwitterIds(_Strict):
    user_id: Digits
    screen_name: str = Field(min_length=1, max_length=50)


class TwitterSecrets(_Strict):
    access_token: SecretStr = Field(min_length=10)
    access_token_secret: SecretStr = Field(min_length=10)


class TwitterSearchIds(_Strict):
    keywords: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        min_length=1, max_length=20
    )
    language: str | None = Field(None, pattern=r"^[a-z]{2}$")


class BearerSecrets(_Strict):
    bearer_token: SecretStr = Field(min_length=10)


class EmailIds(_Strict):
    address: EmailStr  # the inbox SES receives for
    display_name: str = Field("", max_length=100)


class NoSecrets(_Strict):
    pass


class ChatIds(_Strict):
    site_name: str = Field(min_length=1, max_length=100)
    allowed_origins: list[str] = Field(default_factory=list, max_length=20)


class AppStoreIds(_Strict):
    app_id: Digits


class AppStoreSecrets(_Strict):
    issuer_id: str = Field(min_length=8, max_length=64)
    key_id: str = Field(min_length=8, max_length=20)
    private_key: SecretStr = Field(min_length=40)


class PlayStoreIds(_Strict):
    package_name: str = Field(pattern=r"^[a-zA-Z][a-zA-Z0-9_]*(\.[a-zA-Z][a-zA-Z0-9_]*)+$")


class PlayStoreSecrets(_Strict):
    service_account_json: SecretStr = Field(min_length=40)


CATALOG: dict[ChannelType, tuple[type[_Strict], type[_Strict]]] = {
    "whatsapp": (WhatsAppIds, WhatsAppSecrets),
    "facebook": (FacebookIds, PageSecrets),
    "instagram": (InstagramIds, PageSecrets),
    "twitter": (TwitterIds, TwitterSecrets),
    "twitter_search": (TwitterSearchIds, BearerSecrets),
    "email": (EmailIds, NoSecrets),
    "chat": (ChatIds, NoSecrets),
    "app_store": (AppStoreIds, AppStoreSecrets),
    "play_store": (PlayStoreIds, PlayStoreSecrets),
}

PollState = Literal["twitter_search", "app_store", "play_store"]
POLLED: frozenset[str] = frozenset({"twitter_search", "app_store", "play_store"})


def account_id(channel_type: ChannelType, identifiers: dict[str, Any], channel_id: str) -> str:
    """The id the provider's payloads carry for this channel."""
    if channel_type == "whatsapp":
        return str(identifiers["phone_number_id"])
    if channel_type == "facebook":
        return str(identifiers["page_id"])
    if channel_type == "instagram":
        return str(identifiers["instagram_account_id"])
    if channel_type == "twitter":
        return str(identifiers["user_id"])
    if channel_type == "email":
        return str(identifiers["address"]).lower()
    if channel_type == "chat":
        return str(identifiers["public_key"])
    if channel_type == "app_store":
        return str(identifiers["app_id"])
    if channel_type == "play_store":
        return str(identifiers["package_name"])
    return channel_id  # twitter_search: found by its own id when polled


def new_public_key() -> str:
    """The chat widget's public key: safe to embed in a web page."""
    return "pk_" + secrets.token_urlsafe(18)
