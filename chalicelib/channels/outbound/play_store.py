"""Google Play reviews: Play Developer API ``reviews.reply``.

``POST {base}/androidpublisher/v3/applications/{packageName}/reviews/{reviewId}:reply``
``{"replyText"}`` with an OAuth 2.0 access token of the channel's service account (the
JWT-bearer grant the poll uses too, ``channels/play_store.py``). A review holds one reply; posting again replaces it.
The answer carries no id of its own, so the reply is known as ``reply:<reviewId>``.

Offline (a local stage without ``PLAY_API_BASE_URL``) no token is asked for: nothing
would be sent with it.
"""

from __future__ import annotations

from urllib.parse import quote

from chalicelib.channels.outbound.model import OutboundRequest, SendResult
from chalicelib.channels.outbound.transport import (
    Exchange,
    bearer,
    json_request,
    provider_base,
    result_of,
    review_id,
)
from chalicelib.channels.play_store import DEFAULT_BASE_URL, play_access_token
from chalicelib.channels.provider_http import ProviderError
from chalicelib.settings import get_settings

OFFLINE_TOKEN = "local-play-access-token"


def reply(request: OutboundRequest, exchange: Exchange) -> SendResult:
    base, live = provider_base("play_api_base_url", DEFAULT_BASE_URL)
    review = review_id(request)
    package = str(request.identifiers.get("package_name") or request.account_id)
    token = _token(request, exchange) if live else OFFLINE_TOKEN
    url = (
        f"{base}/androidpublisher/v3/applications/{quote(package, safe='')}"
        f"/reviews/{quote(review, safe='')}:reply"
    )
    answer = exchange.call(
        json_request("POST", url, {"replyText": request.text}, headers=bearer(token), live=live)
    )
    return result_of([exchange.provider_id(answer, lambda body: f"reply:{review}")])


def _token(request: OutboundRequest, exchange: Exchange) -> str:
    try:
        token = play_access_token(request.credentials, get_settings().play_api_base_url)
    except ProviderError as exc:
        raise exchange.failed_token(exc, "the service account's token request") from None
    exchange.keep_secret(token["access_token"])
    return token["access_token"]
