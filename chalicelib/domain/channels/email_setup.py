"""What a company sets up so its email channel works (docs/channels.md, "Email"): the
mail to its address reaches SES in Atiende's region (an MX record), an SES receipt rule
hands it to the SNS topic that posts to our email webhook, and its domain lets SES send
the replies in its name (SPF and the DKIM records SES gives).

Everything here is derived from the channel's address and the settings (region, stage,
public URL), the same names docs/deploy.md ("Email through SES") creates.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.errors import Invalid
from chalicelib.settings import get_settings
from chalicelib.store.channels import Channel

WEBHOOK_PATH = "/webhooks/email"


@dataclass(frozen=True)
class DnsRecord:
    type: str
    name: str
    value: str
    purpose: str  # receive | send_spf | send_dkim
    priority: int | None = None


@dataclass(frozen=True)
class EmailSetup:
    address: str
    domain: str
    region: str
    records: list[DnsRecord]
    sns_topic: str
    webhook_url: str
    receipt_rule_name: str


def email_setup(channel: Channel) -> EmailSetup:
    """The DNS records, SES receipt rule and SNS topic of an email channel's address."""
    if channel.channel_type != "email":
        raise Invalid("This channel is not an email inbox.", code="not_email")
    settings = get_settings()
    address = str(channel.identifiers.get("address") or channel.account_id).lower()
    domain = address.rpartition("@")[2]
    region = settings.region
    return EmailSetup(
        address=address,
        domain=domain,
        region=region,
        records=[
            DnsRecord("MX", domain, f"inbound-smtp.{region}.amazonaws.com", "receive", 10),
            DnsRecord("TXT", domain, "v=spf1 include:amazonses.com ~all", "send_spf"),
            # SES gives three tokens when the domain is verified; each is one CNAME
            DnsRecord(
                "CNAME",
                f"<token>._domainkey.{domain}",
                "<token>.dkim.amazonses.com",
                "send_dkim",
            ),
        ],
        sns_topic=f"atiende-{settings.stage}-inbound-email",
        webhook_url=settings.public_url.rstrip("/") + WEBHOOK_PATH,
        receipt_rule_name=f"atiende-{settings.stage}",
    )
