"""Each channel type declares itself once (chalicelib/channels/registry.py), completely.

A descriptor that forgets its sender, its poller, its verifier or its plan limit fails
here, not in production; and no other module may keep its own list of channel types.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import subprocess
import sys
from pathlib import Path
from typing import get_args

import pytest

from chalicelib.channels.connection import ConnectionForm
from chalicelib.channels.events import ChannelType, WebhookEnvelope
from chalicelib.channels.registry import PROVIDERS, ChannelProvider, resolve
from chalicelib.domain.billing.plans import LIMITS
from chalicelib.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
NINE = (
    "whatsapp", "facebook", "instagram", "twitter", "twitter_search", "email", "chat",
    "app_store", "play_store",
)  # fmt: skip
ENVELOPES = set(get_args(WebhookEnvelope.model_fields["provider"].annotation))
described = pytest.mark.parametrize("provider", list(PROVIDERS.values()), ids=list(PROVIDERS))


def test_the_nine_channel_types_are_declared_and_typed_alike() -> None:
    assert tuple(PROVIDERS) == NINE
    assert set(get_args(ChannelType)) == set(PROVIDERS)
    assert all(key == p.channel_type for key, p in PROVIDERS.items())


def test_every_field_of_a_descriptor_is_stated_unless_it_has_an_obvious_default() -> None:
    """The facts a new channel must think about have no default: forgetting one is a
    TypeError when the registry is imported."""
    required = {
        f.name for f in dataclasses.fields(ChannelProvider) if f.default is dataclasses.MISSING
    }
    assert {"identifiers", "credentials", "account_id", "inbound", "replies", "plan_limit",
            "label"} <= required  # fmt: skip


@described
def test_what_connecting_asks_for(provider: ChannelProvider) -> None:
    assert provider.label
    assert issubclass(provider.identifiers, ConnectionForm)
    assert issubclass(provider.credentials, ConnectionForm)
    fields = set(provider.identifiers.model_fields)
    if provider.issues_public_key:
        assert provider.account_id == "public_key" not in fields
    elif provider.account_id is not None:
        assert provider.account_id in fields, "the account id is one of the identifiers"
    else:
        assert provider.polling is not None, "only a polled channel may go by its own id"
    if provider.expiring_credential is not None:
        assert provider.expiring_credential in provider.credentials.model_fields


@described
def test_how_its_events_arrive_and_are_read(provider: ChannelProvider) -> None:
    inbound = provider.inbound
    assert inbound.envelope in ENVELOPES
    assert callable(resolve(inbound.parse))
    if inbound.webhook is not None:
        assert inbound.verify is not None, "a webhook is verified before anything is queued"
        assert callable(resolve(inbound.verify))
    else:
        assert inbound.verify is None
    pushed = inbound.webhook is not None or inbound.envelope == "chat"
    assert pushed != (provider.polling is not None), "pushed to us or polled, never both"
    assert (inbound.envelope == "poll") == (provider.polling is not None)


def test_every_webhook_declared_is_a_route_and_every_envelope_has_one_reader() -> None:
    import app  # noqa: F401 - its blueprints fill the route registry
    from chalicelib.http.routing import REGISTRY

    posted = {route.path for route in REGISTRY if route.method == "POST"}
    routes = (ROOT / "chalicelib" / "api" / "webhooks.py").read_text()
    for provider in PROVIDERS.values():
        if provider.inbound.webhook and provider.inbound.verify:
            assert provider.inbound.webhook in posted
            module, _, function = provider.inbound.verify.partition(":")
            assert f"{module.rsplit('.', 1)[-1]}.{function}(" in routes, "the route verifies"
    readers: dict[str, set[str]] = {}
    for provider in PROVIDERS.values():
        readers.setdefault(provider.inbound.envelope, set()).add(provider.inbound.parse)
    assert set(readers) == ENVELOPES
    assert all(len(parsers) == 1 for parsers in readers.values()), readers


@pytest.mark.parametrize(
    "provider", [p for p in PROVIDERS.values() if p.polling], ids=lambda p: p.channel_type
)
def test_a_polled_type_has_a_poller_an_interval_and_a_base_url(provider: ChannelProvider) -> None:
    assert provider.polling is not None
    poll = resolve(provider.polling.poll)
    assert list(inspect.signature(poll).parameters) == [
        "identifiers", "credentials", "account_id", "cursor", "base_url", "http"]  # fmt: skip
    assert provider.polling.interval.total_seconds() >= 60  # the scheduler runs every minute
    assert provider.polling.base_url_setting in Settings.model_fields


@described
def test_every_type_sends_and_its_senders_exist(provider: ChannelProvider) -> None:
    replies = provider.replies
    assert replies.private or replies.public, "an agent can answer on every channel"
    for name in (replies.private, replies.public):
        if name is not None:
            assert list(inspect.signature(resolve(name)).parameters) == ["request", "exchange"]
    assert provider.public_only == (replies.private is None)
    if replies.public_names_a_post:
        assert replies.public is not None and replies.public != replies.private


def test_only_the_store_reviews_are_public_only() -> None:
    assert {t for t, p in PROVIDERS.items() if p.public_only} == {"app_store", "play_store"}


@described
def test_the_plan_limits_cover_every_type(provider: ChannelProvider) -> None:
    limits = set(LIMITS) - {"users"}
    assert provider.plan_limit is None or provider.plan_limit in limits


def test_every_plan_limit_of_channels_is_counted_by_some_type() -> None:
    limits = set(LIMITS) - {"users"}
    assert limits == {p.plan_limit for p in PROVIDERS.values() if p.plan_limit}


# --- nothing else keeps a list -----------------------------------------------------------------
def lists_of_channel_types(source: str) -> list[str]:
    """Each literal (tuple, list, set, dict keys, ``in`` chain) naming 3+ channel types."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            items = node.elts
        elif isinstance(node, ast.Dict):
            items = [k for k in node.keys if k is not None]
        else:
            continue
        names = {i.value for i in items if isinstance(i, ast.Constant) and i.value in PROVIDERS}
        if len(names) >= 3:
            found.append(f"{node.lineno}: {sorted(names)}")
    return found


@pytest.mark.parametrize(
    "module",
    [
        p
        for p in sorted((ROOT / "chalicelib").rglob("*.py"))
        if p.relative_to(ROOT).as_posix()
        not in ("chalicelib/channels/registry.py", "chalicelib/channels/events.py")
    ],
    ids=lambda p: p.relative_to(ROOT).as_posix(),
)
def test_no_other_module_keeps_a_list_of_channel_types(module: Path) -> None:
    assert lists_of_channel_types(module.read_text()) == []


def test_the_list_finder_finds_a_table() -> None:
    assert lists_of_channel_types('X = {"whatsapp": 1, "email": 2, "chat": 3}')
    assert lists_of_channel_types('if t in ("app_store", "play_store", "twitter"): pass')
    assert not lists_of_channel_types('PageChannel = ("facebook", "instagram")')


# --- cold start ------------------------------------------------------------------------------------
def test_reading_the_registry_loads_no_provider_code() -> None:
    """The descriptors name their code; it is imported when first called (a sender, a
    poller, the stores' JWT signing), not when the API or the domain reads a fact."""
    probe = (
        "import json, sys, chalicelib.channels.registry; "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith(('chalicelib.', 'jwt')))))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    assert json.loads(loaded) == [
        "chalicelib.channels",
        "chalicelib.channels.connection",
        "chalicelib.channels.events",
        "chalicelib.channels.registry",
    ]
