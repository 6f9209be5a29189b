"""Messenger, Instagram messaging and public comments (``object: "page"`` / ``"instagram"``).

Both objects share the Messenger Platform's shape (Meta's "Webhook Events Reference"):
``entry[].id`` is our Page id (Messenger) or Instagram professional account id, and
``entry[].messaging[]`` (or ``standby[]`` while another app holds the thread) carries
one event each: ``message``, ``reaction``, ``postback``, ``delivery`` or ``read``,
with ``sender.id`` the client's PSID / IGSID and ``timestamp`` in milliseconds.
Public comments come as ``entry[].changes[]``: ``field: "feed"`` with
``item: "comment"`` for a Page, ``field: "comments"`` for Instagram.

What a client did not write is skipped: echoes of our own messages (``is_echo``), our
own comments and reactions, edits, removals, un-reactions and Page-feed activity that
is not a new comment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from chalicelib.channels.events import Attachment, InboundEvent, InboundMessage, StatusUpdate
from chalicelib.channels.provider_json import (
    AttachmentKind,
    JSONObject,
    obj,
    objects,
    opt_obj,
    required_id,
    stable_id,
    string,
    timestamp,
)
from chalicelib.clock import now

PageChannel = Literal["facebook", "instagram"]

_ATTACHMENTS: dict[str, AttachmentKind] = {
    "image": "image",
    "video": "video",
    "audio": "audio",
    "file": "file",
    "location": "location",
}


@dataclass(frozen=True)
class _Account:
    channel_type: PageChannel
    account_id: str  # the Page id or the Instagram account id (``entry.id``)
    entry_time: datetime | None


def parse_entries(entries: list[JSONObject], channel_type: PageChannel) -> list[InboundEvent]:
    """Every client message, comment and delivery status of a Page or Instagram body."""
    events: list[InboundEvent] = []
    for entry in entries:
        account = _Account(
            channel_type=channel_type,
            account_id=required_id(entry.get("id"), "entry.id"),
            entry_time=timestamp(entry.get("time")),
        )
        # Standby events are messages received while another app (a bot) controls the
        # thread: the client still wrote them, so the ticket gets them too.
        for key in ("messaging", "standby"):
            for event in objects(entry.get(key), f"entry.{key}"):
                events.extend(_messaging(event, account))
        for change in objects(entry.get("changes"), "entry.changes"):
            events.extend(_change(change, account))
    return events


# --- private messages ---------------------------------------------------------------
def _messaging(event: JSONObject, account: _Account) -> list[InboundEvent]:
    sender_id = string(opt_obj(event.get("sender"), "event.sender").get("id"))
    at = timestamp(event.get("timestamp")) or account.entry_time or now()
    if "delivery" in event:
        delivery = obj(event.get("delivery"), "event.delivery")
        if "timestamp" not in event:  # deliveries often carry only their watermark
            at = timestamp(delivery.get("watermark")) or at
        return _statuses(delivery.get("mids"), "delivered", account, at)
    if "read" in event:
        # Instagram's messaging_seen names the message; Messenger's message_reads only
        # gives a watermark (everything before it was read), which names no message.
        read = obj(event.get("read"), "event.read")
        return _statuses([read["mid"]] if "mid" in read else [], "read", account, at)
    if sender_id == account.account_id:
        return []  # something the Page / account itself did
    if "message" in event:
        message = _message(obj(event.get("message"), "event.message"), sender_id, account, at)
        return [message] if message is not None else []
    if "reaction" in event:
        reaction = _reaction(obj(event.get("reaction"), "event.reaction"), sender_id, account, at)
        return [reaction] if reaction is not None else []
    if "postback" in event:
        postback = obj(event.get("postback"), "event.postback")
        return [_postback(postback, sender_id, account, at, event.get("timestamp"))]
    return []  # optins, referrals, handovers, edits: not something the client wrote


def _message(
    message: JSONObject, sender_id: str | None, account: _Account, at: datetime
) -> InboundMessage | None:
    if message.get("is_echo") or message.get("is_deleted"):
        return None  # our own outgoing message, or a client's unsent one
    text = string(message.get("text")) or ""
    attachments, notes = _attachments(objects(message.get("attachments"), "message.attachments"))
    extra: dict[str, str] = {}
    if quick_reply := string(opt_obj(message.get("quick_reply"), "quick_reply").get("payload")):
        extra["quick_reply_payload"] = quick_reply
    reply_to = opt_obj(message.get("reply_to"), "message.reply_to")
    story = opt_obj(reply_to.get("story"), "reply_to.story")
    if story_url := string(story.get("url")):
        extra["story_url"] = story_url  # an Instagram reply to the account's story
    text = "\n".join(part for part in (text, *notes) if part)
    if not text and not attachments:
        text = "[unsupported message type: {}]".format(
            "unsupported" if message.get("is_unsupported") else "empty"
        )
    return InboundMessage(
        channel_type=account.channel_type,
        account_id=account.account_id,
        provider_message_id=required_id(message.get("mid"), "message.mid"),
        sender_id=required_id(sender_id, "event.sender.id"),
        text=text,
        sent_at=at,
        attachments=attachments,
        reply_to_provider_id=string(reply_to.get("mid")) or None,
        extra=extra,
    )


def _attachments(raw: list[JSONObject]) -> tuple[list[Attachment], list[str]]:
    """Attachments, plus text notes for what is a link rather than a file."""
    attachments: list[Attachment] = []
    notes: list[str] = []
    for item in raw:
        kind_name = string(item.get("type")) or "unknown"
        payload = opt_obj(item.get("payload"), "attachment.payload")
        url = string(payload.get("url"))
        title = string(item.get("title")) or string(payload.get("title"))
        if kind_name == "fallback":  # a shared link: its address is the content
            notes.append(" ".join(part for part in (title, url) if part) or "[shared link]")
            continue
        if kind_name == "location":
            coordinates = opt_obj(payload.get("coordinates"), "payload.coordinates")
            point = f"({coordinates.get('lat')}, {coordinates.get('long')})"
            notes.append(" ".join(part for part in ("[location]", title, point) if part))
        kind: AttachmentKind = _ATTACHMENTS.get(kind_name, "file")
        if kind == "image" and payload.get("sticker_id") is not None:
            kind = "sticker"
        # Shares (ig_reel, story_mention, post, template, ...) keep their type as name.
        name = title or (None if kind_name in _ATTACHMENTS else kind_name)
        attachments.append(Attachment(kind=kind, url=url, name=name))
    return attachments, notes


def _reaction(
    reaction: JSONObject, sender_id: str | None, account: _Account, at: datetime
) -> InboundMessage | None:
    if reaction.get("action") != "react":
        return None  # "unreact": the model cannot withdraw a reaction
    target = required_id(reaction.get("mid"), "reaction.mid")
    sender = required_id(sender_id, "event.sender.id")
    emoji = string(reaction.get("emoji")) or string(reaction.get("reaction"))
    if not emoji:
        return None
    return InboundMessage(
        channel_type=account.channel_type,
        account_id=account.account_id,
        # Reactions have no id of their own: derive one so redeliveries deduplicate.
        provider_message_id=stable_id("reaction", target, sender, emoji),
        sender_id=sender,
        sent_at=at,
        reaction=emoji,
        reply_to_provider_id=target,
    )


def _postback(
    postback: JSONObject,
    sender_id: str | None,
    account: _Account,
    at: datetime,
    raw_timestamp: object,
) -> InboundMessage:
    """A tap on a button, an ice breaker or the persistent menu: the title is what was chosen."""
    sender = required_id(sender_id, "event.sender.id")
    payload = string(postback.get("payload")) or ""
    message_id = string(postback.get("mid")) or stable_id(
        "postback", sender, str(raw_timestamp), payload
    )
    return InboundMessage(
        channel_type=account.channel_type,
        account_id=account.account_id,
        provider_message_id=message_id,
        sender_id=sender,
        text=string(postback.get("title")) or payload or "[postback]",
        sent_at=at,
        extra={"postback_payload": payload} if payload else {},
    )


def _statuses(
    mids: object, status: Literal["delivered", "read"], account: _Account, at: datetime
) -> list[InboundEvent]:
    if mids is not None and not isinstance(mids, list):
        mids = None
    return [
        StatusUpdate(
            channel_type=account.channel_type,
            account_id=account.account_id,
            provider_message_id=mid,
            status=status,
            at=at,
        )
        for raw in mids or []
        if (mid := string(raw))
    ]


# --- public comments ----------------------------------------------------------------
def _change(change: JSONObject, account: _Account) -> list[InboundEvent]:
    field_name = change.get("field")
    value = opt_obj(change.get("value"), "change.value")
    if account.channel_type == "facebook" and field_name == "feed":
        comment = _page_comment(value, account)
    elif account.channel_type == "instagram" and field_name in ("comments", "live_comments"):
        comment = _instagram_comment(value, account)
    elif field_name == "messages" and "message" in value:
        # The App Dashboard's "Test" button sends a messaging event in this shape.
        return _messaging(value, account)
    else:
        return []
    return [comment] if comment is not None else []


def _page_comment(value: JSONObject, account: _Account) -> InboundMessage | None:
    """A new comment on one of the Page's posts; edits, removals, likes are skipped."""
    if value.get("item") != "comment" or value.get("verb") != "add":
        return None
    sender = opt_obj(value.get("from"), "comment.from")
    sender_id = required_id(sender.get("id"), "comment.from.id")
    if sender_id == account.account_id:
        return None  # the Page's own comment (our public reply)
    post_id = string(value.get("post_id"))
    parent_id = string(value.get("parent_id"))
    attachments = [
        Attachment(kind=kind, url=url)
        for kind, key in (("image", "photo"), ("video", "video"))
        if (url := string(value.get(key)))
    ]
    post = opt_obj(value.get("post"), "comment.post")
    permalink = string(post.get("permalink_url")) or string(value.get("permalink_url"))
    return InboundMessage(
        channel_type="facebook",
        account_id=account.account_id,
        provider_message_id=required_id(value.get("comment_id"), "comment.comment_id"),
        sender_id=sender_id,
        sender_name=string(sender.get("name")),
        text=string(value.get("message")) or "",
        public=True,
        sent_at=timestamp(value.get("created_time")) or account.entry_time or now(),
        attachments=attachments,
        # A top-level comment's parent is the post itself; only a reply has a parent comment.
        reply_to_provider_id=parent_id if parent_id and parent_id != post_id else None,
        thread_key=post_id,
        extra={"permalink_url": permalink} if permalink else {},
    )


def _instagram_comment(value: JSONObject, account: _Account) -> InboundMessage | None:
    """A comment on one of the account's posts, reels or live videos."""
    sender = opt_obj(value.get("from"), "comment.from")
    sender_id = required_id(sender.get("id"), "comment.from.id")
    if sender_id == account.account_id:
        return None
    username = string(sender.get("username"))
    media = opt_obj(value.get("media"), "comment.media")
    return InboundMessage(
        channel_type="instagram",
        account_id=account.account_id,
        provider_message_id=required_id(value.get("id"), "comment.id"),
        sender_id=sender_id,
        sender_handle=f"@{username}" if username else None,
        text=string(value.get("text")) or "",
        public=True,
        sent_at=timestamp(value.get("timestamp")) or account.entry_time or now(),
        reply_to_provider_id=string(value.get("parent_id")) or None,
        thread_key=string(media.get("id")),
    )
