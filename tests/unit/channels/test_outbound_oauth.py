"""OAuth 1.0a signing (RFC 5849, HMAC-SHA1) against X's published "Creating a signature".

The documentation signs ``POST .../statuses/update.json?include_entities=true`` with a
form body ``status=Hello Ladies + Gentlemen, a signed OAuth request!``. The page has
been published for three hosts over the years, each with its signature; all must match.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from chalicelib.channels.outbound.twitter import (
    OAuthKeys,
    base_url,
    encode,
    oauth1_header,
    sign,
    signature_base,
)

KEYS = OAuthKeys(
    consumer_key="xvz1evFS4wEEPTGEFPHBog",
    consumer_secret="kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
    token="370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
    token_secret="LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
)
NONCE = "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"
TIMESTAMP = 1318622958
STATUS = {"status": "Hello Ladies + Gentlemen, a signed OAuth request!"}

#: the documentation's signature base string (api.twitter.com/1 edition)
DOC_BASE = (
    "POST&https%3A%2F%2Fapi.twitter.com%2F1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue"
    "%26oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26oauth_nonce%3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ2"
    "pTgmZeNu2VS4cg%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318622958%26oauth_"
    "token%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_version%3D1.0%26status%3D"
    "Hello%2520Ladies%2520%252B%2520Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521"
)


def fields(header: str) -> dict[str, str]:
    assert header.startswith("OAuth ")
    return {k: unquote(v) for k, v in re.findall(r'(\w+)="([^"]*)"', header)}


@pytest.mark.parametrize(
    ("url", "signature"),
    [
        ("https://api.twitter.com/1/statuses/update.json", "tnnArxj06cWHq44gCs1OSKk/jLY="),
        ("https://api.twitter.com/1.1/statuses/update.json", "hCtSmYh+iHYCEqBWrE7C7hYmtUk="),
        ("https://api.x.com/1.1/statuses/update.json", "Ls93hJiZbQ3akF3HF3x1Bz8/zU4="),
    ],
)
def test_the_published_example(url: str, signature: str) -> None:
    header = oauth1_header(
        "POST", f"{url}?include_entities=true", KEYS, STATUS, nonce=NONCE, timestamp=TIMESTAMP
    )

    assert fields(header) == {
        "oauth_consumer_key": "xvz1evFS4wEEPTGEFPHBog",
        "oauth_nonce": NONCE,
        "oauth_signature": signature,
        "oauth_signature_method": "HMAC-SHA1",
        "oauth_timestamp": "1318622958",
        "oauth_token": "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
        "oauth_version": "1.0",
    }


def test_the_published_base_string_and_signing_key() -> None:
    params = [("include_entities", "true"), *STATUS.items(),
              ("oauth_consumer_key", KEYS.consumer_key), ("oauth_nonce", NONCE),
              ("oauth_signature_method", "HMAC-SHA1"), ("oauth_timestamp", str(TIMESTAMP)),
              ("oauth_token", KEYS.token), ("oauth_version", "1.0")]  # fmt: skip

    base = signature_base("post", "https://api.twitter.com/1/statuses/update.json", params)

    assert base == DOC_BASE
    assert sign(base, KEYS.consumer_secret, KEYS.token_secret) == "tnnArxj06cWHq44gCs1OSKk/jLY="


def test_the_header_is_percent_encoded() -> None:
    header = oauth1_header(
        "POST", "https://api.x.com/1.1/statuses/update.json?include_entities=true", KEYS, STATUS,
        nonce=NONCE, timestamp=TIMESTAMP,
    )  # fmt: skip
    assert 'oauth_signature="Ls93hJiZbQ3akF3HF3x1Bz8%2FzU4%3D"' in header


def test_base_url_normalisation() -> None:
    assert base_url("HTTPS://API.X.com:443/2/tweets?x=1#frag") == "https://api.x.com/2/tweets"
    assert base_url("http://127.0.0.1:8089/2/tweets") == "http://127.0.0.1:8089/2/tweets"
    assert base_url("http://example.com:80") == "http://example.com/"


def test_rfc3986_encoding() -> None:
    assert encode("Ladies + Gentlemen, ñ~*") == "Ladies%20%2B%20Gentlemen%2C%20%C3%B1~%2A"


def test_nonce_and_timestamp_vary_but_sign() -> None:
    first = fields(oauth1_header("POST", "https://api.x.com/2/tweets", KEYS))
    second = fields(oauth1_header("POST", "https://api.x.com/2/tweets", KEYS))
    assert first["oauth_nonce"] != second["oauth_nonce"]
    assert first["oauth_signature"] != second["oauth_signature"]
