"""A tenant's Stripe invoices, mirrored, listed and emailed (docs/billing.md "Events,
invoices and dunning").

Each invoice is upserted as Stripe has it when read (an older read never overwrites a
newer one). The billing contacts hear, once per invoice, that it was finalized and that
it was paid, and once per failed attempt that a payment failed and what to do. Who: the
account contacts whose preferences include ``billing`` (recipients.py); when there is
none, the tenant's admin email (the address it signed up with): an invoice or a failed
payment must reach someone. Each email is claimed on the invoice (``emailed``) before it
is queued, so a redelivered event never sends it twice.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from chalicelib.clock import iso, now, timezone_of
from chalicelib.cursors import decode_cursor, encode_cursor
from chalicelib.store import billing_events as store
from chalicelib.store import keys
from chalicelib.store.accounts import Tenant
from chalicelib.store.billing import Invoice

log = logging.getLogger(__name__)

#: the lines of an invoice kept on its item (a subscription's invoice has a few)
MAX_LINES = 50
_EMAIL_NAMESPACE = uuid.UUID("0f6d1f38-3c55-4a57-9a57-8d4f0c1b5e21")


# --- the mirror --------------------------------------------------------------------------------
def mirror_invoice(tenant_id: str, invoice: dict[str, Any], read: datetime | None = None) -> None:
    """Upsert the tenant's copy of ``invoice`` (a Stripe invoice object as just read, at
    ``read``; default now), unless a later read of it is stored."""
    written = store.write_invoice(tenant_id, str(invoice["id"]), invoice_fields(invoice),
                                  read or now())  # fmt: skip
    if not written:
        log.info("an older read of an invoice; the newer copy stays",
                 extra={"tenant_id": tenant_id, "invoice_id": invoice.get("id")})  # fmt: skip


def invoice_fields(invoice: dict[str, Any]) -> dict[str, Any]:
    """What the Invoice item keeps of a Stripe invoice."""
    lines = [line for line in ((invoice.get("lines") or {}).get("data") or [])
             if isinstance(line, dict)]  # fmt: skip
    starts = [int(p["start"]) for line in lines if (p := line.get("period")) and p.get("start")]
    ends = [int(p["end"]) for line in lines if (p := line.get("period")) and p.get("end")]
    start = min(starts) if starts else invoice.get("period_start")
    end = max(ends) if ends else invoice.get("period_end")
    return {
        "number": invoice.get("number"),
        "status": str(invoice.get("status") or "draft"),
        "currency": str(invoice.get("currency") or "usd"),
        "amount_due": int(invoice.get("amount_due") or 0),
        "amount_paid": int(invoice.get("amount_paid") or 0),
        "total": int(invoice.get("total") or 0),
        "period_start": _at(start),
        "period_end": _at(end),
        "hosted_invoice_url": invoice.get("hosted_invoice_url"),
        "invoice_pdf": invoice.get("invoice_pdf"),
        "attempt_count": int(invoice.get("attempt_count") or 0),
        "lines": [_line(line) for line in lines[:MAX_LINES]],
        "stripe_created": int(invoice.get("created") or 0),
    }


def _line(line: dict[str, Any]) -> dict[str, Any]:
    parent = line.get("parent") or {}
    details = parent.get("subscription_item_details") or parent.get("invoice_item_details") or {}
    return {
        "description": str(line.get("description") or ""),
        "amount": int(line.get("amount") or 0),
        "proration": bool(details.get("proration")),
    }


def subscription_of(invoice: dict[str, Any]) -> str | None:
    """The subscription an invoice bills (``parent.subscription_details.subscription``)."""
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    found = details.get("subscription")
    return str(found.get("id") if isinstance(found, dict) else found) if found else None


# --- the list ----------------------------------------------------------------------------------
def list_invoices(
    tenant_id: str, limit: int = 20, cursor: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the tenant's invoices, newest first (``invoice_view``s) and the next
    page's cursor. Invoice ids do not sort by time, so the tenant's invoices (about one a
    month) are read in one Query and sorted here; the cursor names the last one given."""
    partition = keys.tenant_pk(tenant_id)
    after = decode_cursor(cursor, partition)
    ordered = sorted(store.tenant_invoices(tenant_id), key=_newest_first)
    if after is not None:
        mark = (-int(after["after"][0]), str(after["after"][1]))
        ordered = [item for item in ordered if _newest_first(item) > mark]
    page = ordered[: max(1, limit)]
    more = len(ordered) > len(page)
    last = page[-1] if page and more else None
    next_cursor = encode_cursor(
        {"PK": {"S": partition}, "after": [int(last.stripe_created), str(last.invoice_id)]}
    ) if last is not None else None  # fmt: skip
    return [invoice_view(item) for item in page], next_cursor


def _newest_first(item: Invoice) -> tuple[int, str]:
    return (-int(item.stripe_created or 0), str(item.invoice_id))


def invoice_view(item: Invoice) -> dict[str, Any]:
    """An invoice as ``GET /v1/billing/invoices`` shows it (docs/billing.md)."""
    return {
        "id": item.invoice_id,
        "number": item.number,
        "period_start": iso(item.period_start) if item.period_start else None,
        "period_end": iso(item.period_end) if item.period_end else None,
        "amount_due": int(item.amount_due),
        "amount_paid": int(item.amount_paid),
        "total": int(item.total),
        "currency": item.currency,
        "status": item.status,
        "hosted_invoice_url": item.hosted_invoice_url,
        "invoice_pdf": item.invoice_pdf,
        "created_at": iso(datetime.fromtimestamp(int(item.stripe_created), UTC))
        if item.stripe_created
        else iso(item.created_at),
    }


# --- the emails --------------------------------------------------------------------------------
def billing_recipients(tenant: Tenant) -> list[str]:
    """Who hears of the tenant's invoices: the account contacts taking billing emails, or
    else the tenant's admin email."""
    from chalicelib.domain.accounts.recipients import account_recipients

    found = account_recipients(tenant.tenant_id, "billing")
    return found or ([tenant.admin_email] if tenant.admin_email else [])


def billing_link() -> str:
    """Where the console shows billing (plan, payment methods, invoices)."""
    from chalicelib.settings import get_settings

    return f"{get_settings().public_url}/admin/billing"


#: which email an invoice event sends
FINALIZED, PAID, PAYMENT_FAILED = "finalized", "paid", "payment_failed"


def email_invoice(tenant_id: str, invoice: dict[str, Any], what: str) -> bool:
    """Tell the billing contacts of ``invoice`` (as just read) that it was finalized, paid
    or that a payment failed; once per invoice (per attempt, for a failure). Nothing when
    the news is already old: a finalized or failed invoice that is paid by now, or void.
    Returns whether an email was queued."""
    from chalicelib.mail import message as mail

    status = str(invoice.get("status") or "")
    if what in (FINALIZED, PAYMENT_FAILED) and status in ("paid", "void", "uncollectible"):
        return False  # the paid email (or none) says what is true now
    if what == PAID and status != "paid":
        return False
    if int(invoice.get("amount_paid" if what == PAID else "amount_due") or 0) <= 0:
        return False  # nothing to pay, nothing paid: nothing to tell
    tenant = store.tenant(tenant_id)
    if tenant is None:
        return False
    recipients = billing_recipients(tenant)
    if not recipients:
        log.warning("nobody to tell of an invoice", extra={"tenant_id": tenant_id})
        return False
    claim = what if what != PAYMENT_FAILED else f"{what}:{int(invoice.get('attempt_count') or 0)}"
    invoice_id = str(invoice["id"])
    if not store.claim_invoice_email(tenant_id, invoice_id, claim):
        return False  # told already
    try:
        mail.enqueue(_email(tenant, invoice, what, recipients, claim))
    except Exception:
        store.release_invoice_email(tenant_id, invoice_id, claim)
        raise
    log.info("invoice emailed", extra={"tenant_id": tenant_id, "invoice_id": invoice_id,
                                       "email": claim})  # fmt: skip
    return True


def _email(
    tenant: Tenant, invoice: dict[str, Any], what: str, recipients: list[str], claim: str
) -> Any:
    from chalicelib.mail.templates import billing_phrase, render

    locale = tenant.locale or "es"
    zone = timezone_of(tenant.timezone)

    def day(epoch: Any) -> str:
        return datetime.fromtimestamp(int(epoch), UTC).astimezone(zone).strftime("%Y-%m-%d")

    fields = invoice_fields(invoice)
    period = "-"
    if fields["period_start"] and fields["period_end"]:
        period = (f"{fields['period_start'].astimezone(zone):%Y-%m-%d} - "
                  f"{fields['period_end'].astimezone(zone):%Y-%m-%d}")  # fmt: skip
    amount_of = fields["amount_paid"] if what == PAID else fields["amount_due"]
    values: dict[str, Any] = {
        "number": fields["number"] or invoice["id"],
        "company": tenant.name,
        "amount": money(amount_of, fields["currency"]),
        "period": period,
        "link": fields["hosted_invoice_url"] or billing_link(),
    }
    if what == FINALIZED:
        if invoice.get("collection_method") == "send_invoice" and invoice.get("due_date"):
            values["collection"] = billing_phrase(locale, "send_invoice",
                                                  due=day(invoice["due_date"]))  # fmt: skip
        else:
            values["collection"] = billing_phrase(locale, "charge_automatically")
    if what == PAYMENT_FAILED:
        values["attempt"] = fields["attempt_count"] or 1
        values["billing_link"] = f"{billing_link()}/payment-methods"
        upcoming = invoice.get("next_payment_attempt")
        values["next_attempt"] = (
            billing_phrase(locale, "next_attempt", date=day(upcoming))
            if upcoming
            else billing_phrase(locale, "no_next_attempt")
        )
    email = render(f"billing_{_TEMPLATE[what]}", locale, recipients, kind="billing",
                   tenant_id=tenant.tenant_id, **values)  # fmt: skip
    # the same email of the same invoice has the same id (a redelivered mail message is
    # written once locally)
    identity = uuid.uuid5(_EMAIL_NAMESPACE, f"{tenant.tenant_id}\x00{invoice['id']}\x00{claim}")
    return email.model_copy(update={"id": identity.hex})


_TEMPLATE = {FINALIZED: "invoice_finalized", PAID: "invoice_paid",
             PAYMENT_FAILED: "payment_failed"}  # fmt: skip


def money(cents: int, currency: str) -> str:
    """``7900, "usd"`` -> ``"USD 79.00"`` (zero-decimal currencies as they are)."""
    code = currency.upper()
    if currency.lower() in _ZERO_DECIMAL:
        return f"{code} {cents:,}"
    return f"{code} {cents / 100:,.2f}"


_ZERO_DECIMAL = frozenset({"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf",
                           "ugx", "vnd", "vuv", "xaf", "xof", "xpf"})  # fmt: skip


def _at(epoch: Any) -> datetime | None:
    return datetime.fromtimestamp(int(epoch), UTC) if epoch else None
