"""Every key of the one table is built here, and only here (docs/data-model.md).

Partition keys start from the tenant (``TENANT#<id>``) so a tenant's data can be
found, exported and deleted; the few global items (platform state, global lookups)
say so in their prefix.
"""

from __future__ import annotations

import unicodedata

SEP = "#"


def _join(*parts: object) -> str:
    return SEP.join(str(p) for p in parts)


# --- platform (not tenant data) -------------------------------------------------
def platform_pk() -> str:
    return "PLATFORM"


def heartbeat_sk(job: str) -> str:
    return _join("HEARTBEAT", job)


# --- tenants ------------------------------------------------------------------
def tenant_pk(tenant_id: str) -> str:
    return _join("TENANT", tenant_id)


def tenant_sk() -> str:
    return "TENANT"


# --- deadlines (sparse index, sharded; see docs/data-model.md) -----------------
DUE_SHARDS = 8


def due_pk(kind: str, shard: int) -> str:
    return _join("DUE", kind, shard)


def due_sk(due_at_iso: str, *identity: object) -> str:
    return _join(due_at_iso, *identity)


def due_bound(at_iso: str) -> str:
    """The highest ``DueSK`` due by ``at_iso`` (``~`` sorts after every identity)."""
    return due_sk(at_iso, "~")


def user_sk(user_id: str) -> str:
    return _join("USER", user_id)


def users_prefix() -> str:
    return "USER#"


def email_gsi(email: str) -> str:
    """GSI1 partition of a user: their email, lower-cased (unique across Atiende)."""
    return _join("EMAIL", email.strip().lower())


def email_claim_pk(email: str) -> str:
    return _join("EMAIL", email.strip().lower())


def email_claim_sk() -> str:
    return "EMAIL"


def session_pk(tenant_id: str, user_id: str) -> str:
    return _join("TENANT", tenant_id, "USER", user_id)


def session_sk(session_id: str) -> str:
    return _join("SESSION", session_id)


def token_pk(token_hash: str) -> str:
    return _join("TOKEN", token_hash)


def token_sk() -> str:
    return "TOKEN"


def throttle_pk(scope: str, *values: str) -> str:
    """A failed-login counter: its scope (``PAIR``, ``ADDRESS``, ``SOURCE``) and what it
    counts (an email's digest, a source address, or both). Global, not a tenant's data:
    an address is counted whether or not it has an account."""
    return _join("THROTTLE", "LOGIN", scope, *(value.lower() for value in values))


def throttle_sk() -> str:
    return "THROTTLE"


def history_pk(tenant_id: str, entity: str, entity_id: str) -> str:
    return _join("TENANT", tenant_id, "HIST", entity, entity_id)


def history_sk(at_iso: str, unique: str) -> str:
    return _join(at_iso, unique)


# --- configuration items of a tenant (departments, groups, quick replies, ...) -----
def config_sk(entity: str, item_id: str) -> str:
    return _join(entity.upper(), item_id)


def config_prefix(entity: str) -> str:
    return entity.upper() + SEP


def unique_name_pk(tenant_id: str, entity: str, name: str) -> str:
    """A claim that keeps a name unique within a tenant (e.g. a quick reply's shortcut)."""
    return _join("TENANT", tenant_id, "UNIQUE", entity.upper(), name.strip().lower())


def unique_name_sk() -> str:
    return "CLAIM"


def name_index_pk(tenant_id: str, entity: str) -> str:
    """GSI3 partition listing a tenant's items of one kind by name (prefix search)."""
    return _join("TENANT", tenant_id, "NAME", entity.upper())


# --- the delivery log of an outgoing webhook ---------------------------------------------
def delivery_log_pk(tenant_id: str, integration_id: str) -> str:
    """One webhook's delivery attempts (newest last by ``delivery_log_sk``; TTL 30 days)."""
    return _join("TENANT", tenant_id, "INTEGRATION", integration_id, "DELIVERIES")


def delivery_log_sk(at_iso: str, delivery_id: str, attempt: int) -> str:
    return _join(at_iso, delivery_id, attempt)


# --- channels -----------------------------------------------------------------------
def channel_sk(channel_id: str) -> str:
    return _join("CHANNEL", channel_id)


def channels_prefix() -> str:
    return "CHANNEL#"


def channel_lookup(channel_type: str, account_id: str) -> str:
    """GSI1 partition of a connected channel: how a webhook finds it."""
    return _join("CHANNEL", channel_type, account_id)


def meta_login_sk(login_id: str) -> str:
    """A Facebook Login under way (its ``state``) or done (its pages, sealed tokens): TTL."""
    return _join("METALOGIN", login_id)


def channel_claim_pk(channel_type: str, account_id: str) -> str:
    """Keeps one provider account connected to at most one channel across Atiende."""
    return _join("CHANNELACCT", channel_type, account_id)


def channel_claim_sk() -> str:
    return "CLAIM"


def channel_login_sk(provider: str, token_hash: str) -> str:
    """A provider login under way (X's OAuth 1.0a request token, by its SHA-256)."""
    return _join("CHANNELLOGIN", provider.upper(), token_hash)


# --- clients, tickets, messages -------------------------------------------------
def client_pk(tenant_id: str, client_id: str) -> str:
    return _join("TENANT", tenant_id, "CLIENT", client_id)


def client_sk() -> str:
    return "CLIENT"


def ticket_counter_sk() -> str:
    return "COUNTER#ticket"


def ticket_pk(tenant_id: str, number: int) -> str:
    return _join("TENANT", tenant_id, "TICKET", f"{number:010d}")


def ticket_sk() -> str:
    return "TICKET"


def message_sk(message_id: str) -> str:
    """A message lives in its ticket's partition, ordered by time (its id starts with it)."""
    return _join("M", message_id)


def messages_prefix() -> str:
    return "M#"


def messages_after(message_id: str) -> str:
    """The lowest sort key after every message whose id starts with ``message_id``."""
    return _join("M", message_id) + "~"


MESSAGES_END = "M#~"  # above every message key, below the ticket's own "TICKET"


def comment_sk(comment_id: str) -> str:
    return _join("C", comment_id)


def bot_answer_sk(answer_key: str) -> str:
    """The bot's claim of one answer id, in the ticket's partition (before ``M#``: the
    ticket view's Query does not read it)."""
    return _join("B", answer_key)


def comments_prefix() -> str:
    return "C#"


def provider_message_lookup(channel_id: str, provider_message_id: str) -> str:
    """GSI1 key of a sent message: a provider's status update finds it by its id."""
    return _join("PMSG", channel_id, provider_message_id)


def queue_pk(tenant_id: str, assignee: str | None, active: bool = True) -> str:
    """GSI2 partition of one agent's (or nobody's) tickets: open and pending ones under
    ``Q``, closed, escalated and merged ones under ``DONE``; newest activity first."""
    return _join("TENANT", tenant_id, "Q" if active else "DONE", assignee or "unassigned")


def queue_sk(activity_iso: str, number: int) -> str:
    return _join(activity_iso, f"{number:010d}")


def agent_state_sk(user_id: str) -> str:
    return _join("AGENT", user_id)


def agents_prefix() -> str:
    return "AGENT#"


def ticket_history_sk(at_iso: str, unique: str) -> str:
    return _join("HIST", at_iso, unique)


# --- chat widget (public API) -----------------------------------------------------------
def chat_throttle_pk(scope: str, value: str, window: int) -> str:
    """A fixed-window counter of the chat widget's public API: one item per (scope,
    value, window start in epoch seconds), removed by TTL. Global: the visitor and IP
    scopes are not a tenant's data."""
    return _join("THROTTLE", "CHAT", scope, value.lower(), window)


def chat_send_key(channel_id: str, provider_message_id: str) -> tuple[str, str]:
    return _join("CHATSEND", channel_id, provider_message_id), "SEND"


def chat_throttle_sk() -> str:
    return "THROTTLE"


# --- columns, client lookups, search (chalicelib/store/columns.py, store/search.py) ------
def column_sk(user_id: str, column_id: str) -> str:
    """One column of a user's board, in the tenant's partition."""
    return _join("COLUMN", user_id, column_id)


def column_board_sk(user_id: str) -> str:
    """A user's board: the order of their columns (and the lock their changes take)."""
    return _join("COLUMN", user_id)


def column_board_range(user_id: str) -> tuple[str, str]:
    """SK bounds holding a user's board and every column of it (one Query)."""
    return column_board_sk(user_id), _join("COLUMN", user_id, "~")


def queue_sk_number(queue_sort_key: str) -> int:
    """The ticket number at the end of a ``queue_sk``."""
    return int(queue_sort_key.rsplit(SEP, 1)[1])


def client_email_lookup(tenant_id: str, email: str) -> str:
    """GSI1 partition of the clients with one email address (sparse: only with an email)."""
    return _join("TENANT", tenant_id, "CEMAIL", email)


def client_rut_lookup(tenant_id: str, canonical_rut: str) -> str:
    """GSI4 partition of the clients with one RUT (sparse: only with a RUT)."""
    return _join("TENANT", tenant_id, "RUT", canonical_rut)


def search_word_pk(tenant_id: str, word: str) -> str:
    """Name index of a tenant, split by the word's first two characters (every query
    word has at least two): one search reads one partition, writes spread over many."""
    return _join("TENANT", tenant_id, "WORD", word[:2])


def search_word_sk(word: str, client_id: str) -> str:
    return _join(word, client_id)


# --- notifications and alerts (store/notifications.py) ------------------------------------
def notifications_pk(tenant_id: str, user_id: str) -> str:
    """One user's notifications, their unread counter and their notification settings."""
    return _join("TENANT", tenant_id, "USER", user_id, "NOTIF")


def notification_sk(notification_id: str) -> str:
    return _join("N", notification_id)


def notifications_prefix() -> str:
    return "N#"


def notification_counter_sk() -> str:
    return "UNREAD"


def notification_settings_sk() -> str:
    return "SETTINGS"


def unread_notifications_pk(tenant_id: str, user_id: str) -> str:
    """GSI3 partition of a user's unread notifications (sparse: removed when read)."""
    return _join("TENANT", tenant_id, "USER", user_id, "UNREAD")


def channel_alert_sk(kind: str, channel_id: str) -> str:
    """In the tenant's partition: when the account contacts were last told about a channel."""
    return _join("ALERT", kind, channel_id)


def credentials_due_sk(channel_id: str) -> str:
    """In the tenant's partition: the warning that a channel's credentials expire soon."""
    return _join("CREDENTIALS_EXPIRY", channel_id)


def invitation_due_sk(user_id: str) -> str:
    """In the tenant's partition: a pending invitation's deadline (sparse Due index)."""
    return _join("INVITATION", user_id)


# --- live updates (store/live.py) ----------------------------------------------------------
def pulse_pk(tenant_id: str) -> str:
    """The tenant's change feed, in a partition of its own: every signed-in console reads
    it every few seconds, apart from the tenant's other items."""
    return _join("TENANT", tenant_id, "LIVE")


def pulse_sk() -> str:
    return "PULSE"


# --- billing (docs/billing.md) ----------------------------------------------------
def stripe_event_pk(event_id: str) -> str:
    """A Stripe event, stored once by its id before it is acknowledged."""
    return _join("STRIPE_EVENT", event_id)


def stripe_event_sk() -> str:
    return "EVENT"


def stripe_customer_pk(customer_id: str) -> str:
    """Which tenant a Stripe customer is (events name the customer, not the tenant)."""
    return _join("STRIPE_CUSTOMER", customer_id)


def stripe_customer_sk() -> str:
    return "TENANT"


def invoice_sk(invoice_id: str) -> str:
    """A tenant's Stripe invoice, mirrored (``PK = TENANT#t``)."""
    return _join("INVOICE", invoice_id)


def invoices_prefix() -> str:
    return "INVOICE#"


# --- orders and payments (docs/data-model.md "Orders") --------------------------------------
def order_pk(tenant_id: str, number: int | float) -> str:
    """An order's partition: the order, its payments, comments and history (one Query)."""
    return _join("TENANT", tenant_id, "ORDER", f"{int(number):010d}")


def order_sk() -> str:
    return "ORDER"


def order_counter_sk() -> str:
    """In the tenant's partition: the last order number given (gapless, like tickets')."""
    return "ORDER_COUNTER"


def order_payment_sk(payment_id: str) -> str:
    return _join("P", payment_id)


def order_payments_prefix() -> str:
    return "P#"


def order_comment_sk(comment_id: str) -> str:
    return _join("C", comment_id)


def order_comments_prefix() -> str:
    return "C#"


def order_history_sk(at_iso: str, sequence: str, entry_id: str) -> str:
    """``sequence``: the order's version the entry is of, so entries of one millisecond
    (or of writers whose clocks differ by a little) still sort in the order they happened."""
    return _join("H", at_iso, sequence, entry_id)


def order_history_prefix() -> str:
    return "H#"


#: the facets an order is listed under, each a partition of its own
ORDER_FACETS = ("ALL", "STATUS", "PAY", "AGENT", "CHANNEL", "CLIENT", "TICKET")


def orders_listing_pk(tenant_id: str, facet: str, value: object = None) -> str:
    """One list of a tenant's orders: every one (``ALL``) or those of one facet value
    (``STATUS#open``, ``CLIENT#<id>``...)."""
    if facet not in ORDER_FACETS:
        raise ValueError(f"unknown order facet {facet!r}")
    if facet == "ALL":
        return _join("TENANT", tenant_id, "ORDERS", "ALL")
    return _join("TENANT", tenant_id, "ORDERS", facet, value)


def orders_listing_sk(created_at_iso: str, number: int | float) -> str:
    """Newest first by creation time (ScanIndexForward=False); a date range is a key range."""
    return _join(created_at_iso, f"{int(number):010d}")


# --- products: the catalogue (docs/data-model.md "Products") -------------------------------
def products_pk(tenant_id: str) -> str:
    """The tenant's products, in a partition of their own (not the busy tenant item's)."""
    return _join("TENANT", tenant_id, "PRODUCTS")


def product_sk(product_id: str) -> str:
    return _join("PRODUCT", product_id)


def product_name_pk(tenant_id: str) -> str:
    """GSI3 partition of the tenant's products by folded name (list and prefix search)."""
    return name_index_pk(tenant_id, "product")


def folded(text: str) -> str:
    """A name as the prefix search compares it: no case, no accents ("Café" -> "cafe")."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def product_name_sk(name: str, product_id: str) -> str:
    return _join(folded(name), product_id)


def product_sku_claim_pk(tenant_id: str, sku: str) -> str:
    """The claim keeping a SKU unique in the tenant, whatever its case."""
    return unique_name_pk(tenant_id, "product_sku", sku)


def product_sku_pk(tenant_id: str) -> str:
    """GSI3 partition of the SKU claims by SKU (the SKU prefix search)."""
    return name_index_pk(tenant_id, "product_sku")


def product_sku_sk(sku: str, product_id: str) -> str:
    return _join(sku.strip().lower(), product_id)


# --- analytics: daily counters, counted events, the report index (docs/analytics.md) ------
def stats_pk(tenant_id: str, series: str) -> str:
    """One series' daily counters (``all``, ``ch:<channel>``, ``ag:<user>``): a partition
    per series, one item per local day, so a range of days is one Query."""
    return _join("TENANT", tenant_id, "STATS", series)


def stats_sk(day: str) -> str:
    """The tenant's local date, ``YYYY-MM-DD`` (sorts by date)."""
    return day


def counted_pk(tenant_id: str, event_key: str) -> str:
    """The mark that one counted event was added to the counters (a partition each: the
    marks of a busy tenant spread over the table)."""
    return _join("TENANT", tenant_id, "COUNTED", event_key)


def counted_sk() -> str:
    return "COUNTED"


def report_index_pk(tenant_id: str, kind: str) -> str:
    """What a report lists (``tickets`` by the day created, ``payments`` by the day
    recorded), in the order of its days: a report's range is one paged Query."""
    return _join("TENANT", tenant_id, "REPORTIDX", kind)


def report_ticket_sk(day: str, number: int) -> str:
    return _join(day, f"{int(number):012d}")


def report_payment_sk(day: str, order_number: int, payment_id: str) -> str:
    return _join(day, f"{int(order_number):012d}", payment_id)


def report_index_range(first_day: str, last_day: str) -> tuple[str, str]:
    """SK bounds of the entries of the days ``first_day`` to ``last_day`` (inclusive)."""
    return f"{first_day}#", f"{last_day}#~"


# --- reports: the export jobs (docs/analytics.md "Reports") --------------------------------
def report_pk(tenant_id: str) -> str:
    """A report job lives in its tenant's partition: the last 50 are one Query."""
    return tenant_pk(tenant_id)


def report_sk(report_id: str) -> str:
    """Report ids are time-ordered (ids.py): newest first is the Query read backwards."""
    return _join("REPORT", report_id)


def reports_prefix() -> str:
    return "REPORT" + SEP


def report_file_key(tenant_id: str, report_id: str, file_format: str) -> str:
    """Where a report's file is kept in the bucket (expired after 7 days by the bucket's
    rule on ``reports/``, infra/resources.yaml)."""
    return f"reports/{tenant_id}/{report_id}.{file_format}"
