"""What connecting a channel asks for: what identifies it at its provider, and what it
needs to act there. Each channel type's descriptor (:mod:`.registry`) names its pair.

``identifiers`` are public (shown back); ``credentials`` are write-only, sealed with
KMS before they reach the table.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, SecretStr

Digits = Annotated[str, Field(pattern=r"^[0-9]{3,32}$")]


class ConnectionForm(BaseModel):
    """Identifiers or credentials: unknown fields refused, text trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class WhatsAppIds(ConnectionForm):
    phone_number_id: Digits
    business_account_id: Digits
    display_phone_number: str = Field(min_length=3, max_length=32)
    #: as Graph gave them when the number was checked (``/v1/channels/whatsapp/check``)
    verified_name: str = Field("", max_length=200)
    quality_rating: str = Field("", max_length=20)


class WhatsAppSecrets(ConnectionForm):
    access_token: SecretStr = Field(min_length=10)


class FacebookIds(ConnectionForm):
    page_id: Digits
    page_name: str = Field("", max_length=200)


class PageSecrets(ConnectionForm):
    page_access_token: SecretStr = Field(min_length=10)


class InstagramIds(ConnectionForm):
    instagram_account_id: Digits
    page_id: Digits
    username: str = Field("", max_length=100)


class TwitterIds(ConnectionForm):
    user_id: Digits
    screen_name: str = Field(min_length=1, max_length=50)


class TwitterSecrets(ConnectionForm):
    access_token: SecretStr = Field(min_length=10)
    access_token_secret: SecretStr = Field(min_length=10)


class TwitterSearchIds(ConnectionForm):
    keywords: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        min_length=1, max_length=20
    )
    language: str | None = Field(None, pattern=r"^[a-z]{2}$")


class BearerSecrets(ConnectionForm):
    bearer_token: SecretStr = Field(min_length=10)


class EmailIds(ConnectionForm):
    address: EmailStr  # the inbox SES receives for
    display_name: str = Field("", max_length=100)


class NoSecrets(ConnectionForm):
    pass


class ChatIds(ConnectionForm):
    site_name: str = Field(min_length=1, max_length=100)
    allowed_origins: list[str] = Field(default_factory=list, max_length=20)


class AppStoreIds(ConnectionForm):
    app_id: Digits


class AppStoreSecrets(ConnectionForm):
    issuer_id: str = Field(min_length=8, max_length=64)
    key_id: str = Field(min_length=8, max_length=20)
    private_key: SecretStr = Field(min_length=40)


class PlayStoreIds(ConnectionForm):
    package_name: str = Field(pattern=r"^[a-zA-Z][a-zA-Z0-9_]*(\.[a-zA-Z][a-zA-Z0-9_]*)+$")


class PlayStoreSecrets(ConnectionForm):
    service_account_json: SecretStr = Field(min_length=40)
