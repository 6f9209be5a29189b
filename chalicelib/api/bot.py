"""The tenant's bot answers a ticket (SPEC §4 "Bot"): a public route, signed with the bot
webhook's secret instead of a session (chalicelib/domain/helpdesk/bot.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from chalicelib.domain.helpdesk import bot
from chalicelib.domain.helpdesk.tickets import parse_number
from chalicelib.http.routing import Call, RequestModel, Resource, ResponseModel

resource = Resource(__name__, "bot")


class BotAnswerIn(RequestModel):
    id: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:-]+$",
                    description="the bot's own key for this answer: sent again, nothing is sent twice")  # fmt: skip
    text: str = Field(min_length=1, max_length=4096)
    public: bool = Field(False, description="a public reply (comment, review) or a direct message")
    reply_to: str | None = Field(None, max_length=200, description="a message id of the ticket")


class BotAnswerOut(ResponseModel):
    id: str
    ticket: int
    status: str
    sent_at: datetime
    repeated: bool = Field(
        description="true: this answer id was stored before; nothing new was sent"
    )


def _signed(call: Call) -> Any:
    return bot.verify(call.headers, call.raw_body)


@resource.route(
    "/v1/bot/tickets/{number}/messages",
    "POST",
    summary="The bot answers a ticket whose bot is on (signed like a webhook delivery).",
    body=BotAnswerIn,
    response=BotAnswerOut,
    status=201,
    public=True,
    guard=_signed,
    errors=(401, 409),
)
def bot_answer(call: Call, number: str) -> BotAnswerOut:
    message, new = bot.bot_reply(
        call.extra["caller"], parse_number(number), answer_id=call.body.id,
        text=call.body.text, public=call.body.public, reply_to=call.body.reply_to,
    )  # fmt: skip
    return BotAnswerOut(id=message.message_id, ticket=int(message.ticket_number),
                        status=message.status, sent_at=message.sent_at, repeated=not new)  # fmt: skip
