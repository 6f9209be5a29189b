"""The one place that reads the environment (SPEC §9).

Every other module asks ``get_settings()``. Local defaults for secrets exist only
for the ``local`` stage, so a deployed stage never runs with a published secret.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Stage = Literal["local", "test", "dev", "prod"]

#: Documented local-only values (printed by ``make run``); never used outside ``local``/``test``.
LOCAL_DEFAULTS: dict[str, str] = {
    "meta_app_secret": "local-meta-app-secret",
    "meta_verify_token": "local-verify-token",
    "twitter_consumer_secret": "local-twitter-consumer-secret",
    "stripe_webhook_secret": "whsec_local_atiende_stripe_webhooks",
    "jwt_secret": "local-jwt-secret-change-me-in-any-deployed-stage",
}

#: Local-only values of plain (not secret) settings, also printed by ``make run``.
LOCAL_PLAIN_DEFAULTS: dict[str, str] = {
    "meta_app_id": "local-meta-app-id",
    "twitter_consumer_key": "local-twitter-consumer-key",
    "twitter_webhook_id": "1000000000000000001",
}

#: Queues of the platform; each has a dead-letter queue named ``<name>-dlq``.
QUEUES: tuple[str, ...] = ("inbound", "outbound", "mail", "integrations", "billing", "reports")


class Settings(BaseSettings):
    """Configuration of one process. Secrets are ``SecretStr``: they never print."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    stage: Stage = Field("local", validation_alias="ATIENDE_STAGE")
    region: str = Field(
        "us-east-1", validation_alias=AliasChoices("AWS_REGION", "AWS_DEFAULT_REGION")
    )
    table: str = Field("", validation_alias="ATIENDE_TABLE")
    bucket: str = Field("", validation_alias="ATIENDE_BUCKET")
    queue_prefix: str = Field("", validation_alias="ATIENDE_QUEUE_PREFIX")
    kms_key_id: str = Field("", validation_alias="ATIENDE_KMS_KEY")
    mail_from: str = Field("Atiende <no-reply@atiende.local>", validation_alias="ATIENDE_MAIL_FROM")
    public_url: str = Field("", validation_alias="ATIENDE_PUBLIC_URL")
    port: int = Field(8000, validation_alias="ATIENDE_PORT")
    var_dir: Path = Field(Path("var"), validation_alias="ATIENDE_VAR")
    cors_allow_origin: str | None = Field(None, validation_alias="ATIENDE_CORS_ORIGIN")
    log_level: str = Field("INFO", validation_alias="ATIENDE_LOG_LEVEL")

    dynamodb_endpoint: str | None = Field(None, validation_alias="DYNAMODB_ENDPOINT")
    aws_endpoint_url: str | None = Field(None, validation_alias="AWS_ENDPOINT_URL")

    meta_app_secret: SecretStr | None = Field(None, validation_alias="META_APP_SECRET")
    #: the Meta app's id (public): with the secret, the app token ``<id>|<secret>`` that
    #: asks Graph's ``debug_token`` when a channel's token expires
    meta_app_id: str | None = Field(None, validation_alias="META_APP_ID")
    meta_verify_token: SecretStr | None = Field(None, validation_alias="META_VERIFY_TOKEN")
    twitter_consumer_secret: SecretStr | None = Field(
        None, validation_alias="TWITTER_CONSUMER_SECRET"
    )
    #: the X app's API key (OAuth 1.0a ``oauth_consumer_key``, public): replies and DMs
    twitter_consumer_key: str | None = Field(None, validation_alias="TWITTER_CONSUMER_KEY")
    #: the id of the app's Account Activity webhook (registered once, ``POST /2/webhooks``
    #: with the /webhooks/twitter URL): each connected X account is subscribed to it
    twitter_webhook_id: str | None = Field(None, validation_alias="TWITTER_WEBHOOK_ID")
    graph_api_base_url: str | None = Field(None, validation_alias="GRAPH_API_BASE_URL")
    #: where the browser opens Facebook Login's dialog (``make run``: the fake Graph)
    meta_login_base_url: str = Field(
        "https://www.facebook.com", validation_alias="META_LOGIN_BASE_URL"
    )
    twitter_api_base_url: str | None = Field(None, validation_alias="TWITTER_API_BASE_URL")
    app_store_api_base_url: str | None = Field(None, validation_alias="APP_STORE_API_BASE_URL")
    play_api_base_url: str | None = Field(None, validation_alias="PLAY_API_BASE_URL")
    stripe_api_key: SecretStr | None = Field(None, validation_alias="STRIPE_API_KEY")
    stripe_webhook_secret: SecretStr | None = Field(None, validation_alias="STRIPE_WEBHOOK_SECRET")
    #: only for the fake Stripe server (tests, ``make run``); unset in deployed stages
    stripe_api_base: str | None = Field(None, validation_alias="STRIPE_API_BASE")
    #: the console's key for Stripe.js (public)
    stripe_publishable_key: str | None = Field(None, validation_alias="STRIPE_PUBLISHABLE_KEY")
    #: where the console loads Stripe.js from (``make run`` with the fake: its stand-in)
    stripe_js_url: str = Field("https://js.stripe.com/v3/", validation_alias="STRIPE_JS_URL")
    jwt_secret: SecretStr | None = Field(None, validation_alias="ATIENDE_JWT_SECRET")
    #: the automated tests only (honoured in the ``test`` stage alone): Argon2id at its
    #: smallest cost, so the suite's hundreds of users stay fast
    fast_password_hash: bool = Field(False, validation_alias="ATIENDE_FAST_PASSWORD_HASH")
    #: local only: accept unsigned SNS posts (curl-able inbound email); ignored in other stages
    sns_allow_unsigned: bool = Field(False, validation_alias="ATIENDE_SNS_ALLOW_UNSIGNED")

    @model_validator(mode="after")
    def _derive(self) -> Settings:
        # frozen model: fill derived defaults through object.__setattr__ once, at construction.
        set_ = object.__setattr__
        if not self.table:
            set_(self, "table", f"atiende-{self.stage}")
        if not self.queue_prefix:
            set_(self, "queue_prefix", f"atiende-{self.stage}")
        if not self.bucket:
            set_(self, "bucket", f"atiende-{self.stage}-files")
        if not self.public_url:
            set_(self, "public_url", f"http://127.0.0.1:{self.port}")
        if not self.kms_key_id:
            set_(self, "kms_key_id", f"alias/atiende-{self.stage}-channel-secrets")
        if self.is_local:
            for name, value in LOCAL_DEFAULTS.items():
                if getattr(self, name) is None:
                    set_(self, name, SecretStr(value))
            for name, value in LOCAL_PLAIN_DEFAULTS.items():
                if getattr(self, name) is None:
                    set_(self, name, value)
        return self

    @property
    def is_local(self) -> bool:
        """True on a developer's machine or in tests: files instead of SES, local secrets."""
        return self.stage in ("local", "test")

    @property
    def accepts_unsigned_sns(self) -> bool:
        return self.is_local and self.sns_allow_unsigned

    @property
    def mail_dir(self) -> Path | None:
        """Where outgoing email is kept as ``.eml`` locally; ``None`` means send through SES."""
        return self.var_dir / "mail" if self.is_local else None

    @property
    def outbox_dir(self) -> Path | None:
        """Where outgoing provider requests are recorded locally."""
        return self.var_dir / "outbox" if self.is_local else None

    def queue_name(self, queue: str) -> str:
        return f"{self.queue_prefix}-{queue}"

    @property
    def table_stream_arn(self) -> str:
        """The stream app.py's effects handler reads, as Chalice wants it declared: a
        literal ARN. It stands in for the real one, which exists only once the table
        does: the packaged template replaces it (``Fn::GetAtt Table.StreamArn``,
        infra/package.py) and the local worker asks DynamoDB Local for it."""
        return f"arn:aws:dynamodb:{self.region}:000000000000:table/{self.table}/stream/stack"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget the cached settings (tests change the environment, then call this)."""
    get_settings.cache_clear()
