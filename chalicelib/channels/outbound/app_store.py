"""App Store reviews: ``POST {base}/v1/customerReviewResponses`` (App Store Connect API).

The JSON:API body names the review in ``relationships.review``; a review holds at most
one response, and posting again replaces it. The bearer token is the ES256 JWT signed
with the channel's key, as the poll signs it (``channels/app_store.py``; it lives 10
minutes; one per reply).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.channels.app_store import DEFAULT_BASE_URL, app_store_token
from chalicelib.channels.outbound.model import OutboundRequest, SendResult
from chalicelib.channels.outbound.transport import (
    Exchange,
    bearer,
    dig,
    json_request,
    provider_base,
    result_of,
    review_id,
)
from chalicelib.channels.provider_http import ProviderError


def reply(request: OutboundRequest, exchange: Exchange) -> SendResult:
    base, live = provider_base("app_store_api_base_url", DEFAULT_BASE_URL)
    token = _token(request.credentials, exchange)
    payload = {
        "data": {
            "type": "customerReviewResponses",
            "attributes": {"responseBody": request.text},
            "relationships": {
                "review": {"data": {"type": "customerReviews", "id": review_id(request)}}
            },
        }
    }
    url = f"{base}/v1/customerReviewResponses"
    answer = exchange.call(json_request("POST", url, payload, headers=bearer(token), live=live))
    return result_of([exchange.provider_id(answer, lambda body: dig(body, "data", "id"))])


def _token(credentials: Mapping[str, Any], exchange: Exchange) -> str:
    try:
        token = app_store_token(credentials)["token"]
    except ProviderError as exc:
        raise exchange.failed_token(exc, "signing the App Store Connect token") from None
    exchange.keep_secret(token)
    return token
