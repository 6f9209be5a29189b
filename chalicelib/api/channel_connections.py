"""Connecting channels the way their providers expect: X's OAuth 1.0a login and Account
Activity subscription, and the setup an email inbox needs (docs/channels.md)."""

from __future__ import annotations

from pydantic import Field

from chalicelib.api.channels import ChannelOut, channel_out
from chalicelib.domain.channels import service, twitter_login
from chalicelib.domain.channels.email_setup import email_setup
from chalicelib.http.routing import Call, RequestModel, Resource, ResponseModel

resource = Resource(__name__, "channels")


class TwitterLoginIn(RequestModel):
    callback_url: str = Field(
        min_length=8,
        max_length=500,
        description="where X sends the admin back (a callback URL allowed in the X app)",
    )


class TwitterLoginOut(ResponseModel):
    url: str = Field(description="X's authorisation page to send the admin to")


class TwitterCallbackIn(RequestModel):
    oauth_token: str = Field(min_length=1, max_length=200)
    oauth_verifier: str = Field(min_length=1, max_length=200)
    name: str | None = Field(None, min_length=1, max_length=100)


class TwitterSubscriptionOut(ResponseModel):
    subscribed: bool | None = Field(description="null: X did not say (see reason)")
    reason: str | None = None


class DnsRecordOut(ResponseModel):
    type: str
    name: str
    value: str
    priority: int | None = None
    purpose: str = Field(description="receive (MX), send_spf or send_dkim (replies through SES)")


class EmailSetupOut(ResponseModel):
    address: str
    domain: str
    region: str = Field(description="the AWS region where SES receives and sends")
    records: list[DnsRecordOut]
    sns_topic: str = Field(description="the SNS topic the SES receipt rule notifies")
    webhook_url: str = Field(description="the HTTPS endpoint the topic is subscribed to")
    receipt_rule_name: str


@resource.route(
    "/v1/channels/twitter/login",
    "POST",
    summary="Start connecting an X account: the X authorisation page to send the admin to "
    "(the request token's secret stays here, 10 minutes).",
    body=TwitterLoginIn,
    response=TwitterLoginOut,
    action="channels.manage",
    errors=(402, 503),
)
def start_twitter_login(call: Call) -> TwitterLoginOut:
    body: TwitterLoginIn = call.body
    return TwitterLoginOut(url=twitter_login.start(call.principal, body.callback_url))


@resource.route(
    "/v1/channels/twitter/login/callback",
    "POST",
    summary="Finish connecting an X account with what X sent back: the access token is "
    "asked, the account subscribed to its activity and the channel connected.",
    body=TwitterCallbackIn,
    response=ChannelOut,
    status=201,
    action="channels.manage",
    errors=(402, 409, 410, 503),
)
def finish_twitter_login(call: Call) -> ChannelOut:
    body: TwitterCallbackIn = call.body
    channel = twitter_login.finish(call.principal, body.oauth_token, body.oauth_verifier, body.name)
    return channel_out(channel)


@resource.route(
    "/v1/channels/{channel_id}/twitter-subscription",
    summary="Whether X posts this account's direct messages and mentions to Atiende.",
    response=TwitterSubscriptionOut,
    action="channels.read",
)
def twitter_subscription(call: Call, channel_id: str) -> TwitterSubscriptionOut:
    found = twitter_login.subscription(call.principal.tenant_id, channel_id)
    return TwitterSubscriptionOut(subscribed=found.subscribed, reason=found.reason)


@resource.route(
    "/v1/channels/{channel_id}/twitter-subscription",
    "POST",
    summary="Subscribe this X account to its activity again.",
    response=TwitterSubscriptionOut,
    action="channels.manage",
    errors=(503,),
)
def renew_twitter_subscription(call: Call, channel_id: str) -> TwitterSubscriptionOut:
    found = twitter_login.subscription(call.principal.tenant_id, channel_id, renew=True)
    return TwitterSubscriptionOut(subscribed=found.subscribed, reason=found.reason)


@resource.route(
    "/v1/channels/{channel_id}/email-setup",
    summary="What to set up so an email inbox works: DNS records, the SES receipt rule "
    "and the SNS topic, for this deployment's region.",
    response=EmailSetupOut,
    action="channels.read",
)
def get_email_setup(call: Call, channel_id: str) -> EmailSetupOut:
    setup = email_setup(service.get_channel(call.principal.tenant_id, channel_id))
    return EmailSetupOut(
        address=setup.address,
        domain=setup.domain,
        region=setup.region,
        records=[DnsRecordOut.model_validate(record) for record in setup.records],
        sns_topic=setup.sns_topic,
        webhook_url=setup.webhook_url,
        receipt_rule_name=setup.receipt_rule_name,
    )
