"""One descriptor per channel type: everything Atiende knows about a provider, said once.

A :class:`ChannelProvider` holds what connecting asks for (identifiers, credentials),
which identifier the provider's payloads carry, how its events arrive (a signed webhook,
our chat widget, or our polling), who sends its replies in private and in public, what
plan limit it counts against and which credential may expire. Every list of channel
types in Atiende is read from :data:`PROVIDERS`; tests/unit/channels/
test_provider_registry.py checks each descriptor is complete.

The descriptors are plain data, so the domain may read them: the code they name
(verify, parse, send, poll) is a dotted ``"module:function"`` string, imported the
first time it is called (:func:`resolve`). Reading the registry therefore loads no
provider code, no HTTP client and no signing library, and adds no import edge a cycle
could run through (docs/decisions.md, "One descriptor per channel provider").
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

from chalicelib.channels import connection as forms
from chalicelib.channels.events import ChannelType


@dataclass(frozen=True)
class Inbound:
    """How a channel's events reach the inbound queue, and what reads them there."""

    envelope: str  # ``WebhookEnvelope.provider`` of the queued body
    parse: str  # ``(raw body) -> list[InboundEvent]``
    webhook: str | None = None  # the route the provider posts to, when it pushes
    verify: str | None = None  # what that route checks the provider's signature with


@dataclass(frozen=True)
class Polling:
    """A channel we ask for news (SPEC §3): how, how often, and where."""

    poll: str  # ``(identifiers, credentials, account_id, cursor, base_url, http)
    #            -> (events, next cursor)``; it mints any short-lived token itself
    interval: timedelta
    base_url_setting: str  # the ``Settings`` field that points it elsewhere (local, tests)


@dataclass(frozen=True)
class Replies:
    """Who sends an agent's answer: ``(OutboundRequest, Exchange) -> SendResult``.

    ``private`` None: the channel has no private messages (a store review is answered
    in public only). A channel with one kind of message names its sender twice."""

    private: str | None
    public: str | None
    public_names_a_post: bool = False  # published under the client's comment or post


@dataclass(frozen=True)
class ChannelProvider:
    channel_type: ChannelType
    label: str  # the channel's kind in people's words (emails, transcripts)
    identifiers: type[forms.ConnectionForm]  # public: shown back
    credentials: type[forms.ConnectionForm]  # write-only: sealed with KMS
    account_id: str | None  # the identifier the provider's payloads carry; None: the
    #                         channel is known by its own id (nothing pushes to it)
    inbound: Inbound
    replies: Replies
    plan_limit: str | None  # the ``Plan`` field it counts against; None: unlimited
    polling: Polling | None = None
    expiring_credential: str | None = None  # a token whose expiry the provider can tell
    issues_public_key: bool = False  # connect makes ``identifiers.public_key`` (a widget's)
    account_id_ignores_case: bool = False
    #: the longest text one outgoing message takes (Meta's and X's limits)
    message_limit: int = 4096
    #: its sender attaches files to a private message (X DMs and the chat: text only)
    sends_files: bool = False

    @property
    def public_only(self) -> bool:
        return self.replies.private is None and self.replies.public is not None

    def account_id_of(self, identifiers: Mapping[str, Any], channel_id: str) -> str:
        """The id the provider's payloads carry for this channel."""
        if self.account_id is None:
            return channel_id
        found = str(identifiers[self.account_id])
        return found.lower() if self.account_id_ignores_case else found

    def sender(self, public: bool) -> Callable[..., Any] | None:
        name = self.replies.public if public else self.replies.private
        return resolve(name) if name else None


@cache
def resolve(name: str) -> Any:
    """``"package.module:attribute"``, imported on first use."""
    module, _, attribute = name.partition(":")
    return getattr(importlib.import_module(module), attribute)


_META = Inbound(
    envelope="meta",
    parse="chalicelib.channels.meta:parse",
    webhook="/webhooks/meta",
    verify="chalicelib.channels.meta:verify_signature",
)
_POLLED = Inbound(envelope="poll", parse="chalicelib.channels.events:parse_normalised")
_OUT = "chalicelib.channels.outbound."
_PAGE_REPLIES = Replies(
    private=_OUT + "meta_pages:send_message",
    public=_OUT + "meta_pages:reply_to_comment",
    public_names_a_post=True,
)
# keyword-search channels only hold an app bearer token: X refuses their sends clearly
_X_REPLIES = Replies(
    private=_OUT + "twitter:send_dm",
    public=_OUT + "twitter:reply_to_tweet",
    public_names_a_post=True,
)

PROVIDERS: dict[str, ChannelProvider] = {
    provider.channel_type: provider
    for provider in (
        ChannelProvider(
            channel_type="whatsapp",
            label="WhatsApp",
            identifiers=forms.WhatsAppIds,
            credentials=forms.WhatsAppSecrets,
            account_id="phone_number_id",
            inbound=_META,
            replies=Replies(private=_OUT + "whatsapp:send", public=_OUT + "whatsapp:send"),
            sends_files=True,
            plan_limit="whatsapp_numbers",
            expiring_credential="access_token",
        ),
        ChannelProvider(
            channel_type="facebook",
            label="Facebook",
            identifiers=forms.FacebookIds,
            credentials=forms.PageSecrets,
            account_id="page_id",
            inbound=_META,
            replies=_PAGE_REPLIES,
            message_limit=2000,
            sends_files=True,
            plan_limit=None,
            expiring_credential="page_access_token",
        ),
        ChannelProvider(
            channel_type="instagram",
            label="Instagram",
            identifiers=forms.InstagramIds,
            credentials=forms.PageSecrets,
            account_id="instagram_account_id",
            inbound=_META,
            replies=_PAGE_REPLIES,
            message_limit=1000,
            sends_files=True,
            plan_limit=None,
            expiring_credential="page_access_token",
        ),
        ChannelProvider(
            channel_type="twitter",
            label="X (Twitter)",
            identifiers=forms.TwitterIds,
            credentials=forms.TwitterSecrets,
            account_id="user_id",
            inbound=Inbound(
                envelope="twitter",
                parse="chalicelib.channels.twitter:parse",
                webhook="/webhooks/twitter",
                verify="chalicelib.channels.twitter:verify_signature",
            ),
            replies=_X_REPLIES,
            message_limit=10000,
            plan_limit="twitter_accounts",
        ),
        ChannelProvider(
            channel_type="twitter_search",
            label="X (Twitter)",
            identifiers=forms.TwitterSearchIds,
            credentials=forms.BearerSecrets,
            account_id=None,  # found by its own id when polled
            inbound=_POLLED,
            replies=_X_REPLIES,
            message_limit=10000,
            plan_limit="twitter_accounts",
            polling=Polling(
                poll="chalicelib.channels.twitter_search:poll",
                interval=timedelta(minutes=2),  # near real time
                base_url_setting="twitter_api_base_url",
            ),
        ),
        ChannelProvider(
            channel_type="email",
            label="email",
            identifiers=forms.EmailIds,
            credentials=forms.NoSecrets,
            account_id="address",
            account_id_ignores_case=True,
            inbound=Inbound(
                envelope="ses",
                parse="chalicelib.channels.email:parse",
                webhook="/webhooks/email",
                verify="chalicelib.channels.email:sns_message_is_trusted",
            ),
            replies=Replies(private=_OUT + "email:send", public=_OUT + "email:send"),
            sends_files=True,
            plan_limit=None,
        ),
        ChannelProvider(
            channel_type="chat",
            label="chat",
            identifiers=forms.ChatIds,
            credentials=forms.NoSecrets,
            account_id="public_key",
            issues_public_key=True,
            # our own widget's routes (api/chat.py) queue its messages already normalised
            inbound=Inbound(envelope="chat", parse="chalicelib.channels.events:parse_normalised"),
            replies=Replies(private=_OUT + "chat:send", public=_OUT + "chat:send"),
            plan_limit=None,
        ),
        ChannelProvider(
            channel_type="app_store",
            label="App Store",
            identifiers=forms.AppStoreIds,
            credentials=forms.AppStoreSecrets,
            account_id="app_id",
            inbound=_POLLED,
            replies=Replies(private=None, public=_OUT + "app_store:reply"),
            plan_limit=None,
            # not more often: both stores publish reviews with a delay anyway
            polling=Polling(
                poll="chalicelib.channels.app_store:poll",
                interval=timedelta(minutes=15),
                base_url_setting="app_store_api_base_url",
            ),
        ),
        ChannelProvider(
            channel_type="play_store",
            label="Google Play",
            identifiers=forms.PlayStoreIds,
            credentials=forms.PlayStoreSecrets,
            account_id="package_name",
            inbound=_POLLED,
            replies=Replies(private=None, public=_OUT + "play_store:reply"),
            plan_limit=None,
            polling=Polling(
                poll="chalicelib.channels.play_store:poll",
                interval=timedelta(minutes=15),
                base_url_setting="play_api_base_url",
            ),
        ),
    )
}


def provider(channel_type: str) -> ChannelProvider:
    """The descriptor of ``channel_type`` (KeyError for a type Atiende does not know)."""
    return PROVIDERS[channel_type]


def polling_of(channel_type: str) -> Polling | None:
    found = PROVIDERS.get(channel_type)
    return found.polling if found else None


def is_polled(channel_type: str) -> bool:
    return polling_of(channel_type) is not None


def is_public_only(channel_type: str) -> bool:
    found = PROVIDERS.get(channel_type)
    return bool(found and found.public_only)


def public_answer_names_a_post(channel_type: str) -> bool:
    found = PROVIDERS.get(channel_type)
    return bool(found and found.replies.public_names_a_post)


def label_of(channel_type: str) -> str:
    found = PROVIDERS.get(channel_type)
    return found.label if found else channel_type


def expiring_credential_of(channel_type: str) -> str | None:
    found = PROVIDERS.get(channel_type)
    return found.expiring_credential if found else None


def sharing_limit(limit: str) -> list[str]:
    """The channel types that count against one plan limit."""
    return [p.channel_type for p in PROVIDERS.values() if p.plan_limit == limit]


def parser_of(envelope: str) -> Callable[[str], Any] | None:
    """What reads a queued body of ``envelope`` (one parser per envelope: tested)."""
    for found in PROVIDERS.values():
        if found.inbound.envelope == envelope:
            parser: Callable[[str], Any] = resolve(found.inbound.parse)
            return parser
    return None
