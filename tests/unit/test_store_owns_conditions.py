"""The store owns its conditions (docs/decisions.md, "The store owns its conditions").

The domain says what the product means (``messages.put_once(...)`` raising
``AlreadyStored``, ``tickets.claim_number(...)``, ``agents.take_slot(...)``); the store
says how it is written: PynamoDB conditions, index attributes, and which refusal of
DynamoDB means what. So no module of ``chalicelib/domain`` builds a condition
(``.does_not_exist()``, ``.exists()``, ``condition=``), names an index attribute
(``GSI2PK``, ``DueSK``...) or index (``by_queue``...), or catches a refused write
itself (``condition_failed``, ``lost_race``, ``failed_conditions``, PynamoDB's write
errors).

Out of scope, for now, and only these: areas that keep their own item types and were not
part of that move (issue 11, item 4 covered tickets, messages, clients and agents'
state). Their conditions are on their own items (users, sessions, tokens, settings,
login counters, channels, webhooks, the chat widget's throttle, column boards,
notifications), none on a ticket, a message, a client or an agent's row. A module leaves
this list when its writes move to the store; none joins it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ROOT / "chalicelib" / "domain"

NOT_YET = (
    "accounts/",  # users, sessions, tokens, settings items, login counters
    "channels/",  # channels and their poll schedule
    "integrations.py",  # outgoing webhooks
    "chat.py",  # the chat widget's rate limits
    "helpdesk/columns.py",  # column boards
    "notifications.py",  # notifications and their unread counts
)

INDEX_ATTRIBUTE = re.compile(r"(GSI\d+|Due)(PK|SK)")
INDEXES = {"by_queue", "by_provider_id", "by_email", "by_rut", "by_name", "due"}
REFUSALS = {"condition_failed", "lost_race", "failed_conditions"}
WRITE_ERRORS = {"PutError", "UpdateError", "DeleteError", "TransactWriteError"}


def store_concerns(source: str) -> list[str]:
    """What in ``source`` belongs to the store: ``<line>: <what>``."""
    found: list[str] = []

    def note(node: ast.AST, what: str) -> None:
        found.append(f"{getattr(node, 'lineno', 0)}: {what}")

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute):
            if node.attr == "does_not_exist" or (
                # ``Model.attribute.exists()``, ``Model.map[key].exists()``; not ``path.exists()``
                node.attr == "exists" and isinstance(node.value, (ast.Attribute, ast.Subscript))
            ):
                note(node, f"a condition (.{node.attr}())")
            elif INDEX_ATTRIBUTE.fullmatch(node.attr):
                note(node, f"an index attribute ({node.attr})")
            elif (
                node.attr in INDEXES
                and isinstance(node.value, ast.Name)
                and node.value.id[:1].isupper()
            ):
                note(node, f"an index ({node.value.id}.{node.attr})")
        elif isinstance(node, ast.keyword) and node.arg == "condition":
            note(node.value, "a condition (condition=)")
        elif isinstance(node, ast.keyword) and node.arg and INDEX_ATTRIBUTE.fullmatch(node.arg):
            note(node.value, f"an index attribute ({node.arg}=)")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if INDEX_ATTRIBUTE.fullmatch(node.value):
                note(node, f"an index attribute ({node.value!r})")
        elif isinstance(node, ast.Name) and INDEX_ATTRIBUTE.fullmatch(node.id):
            note(node, f"an index attribute ({node.id})")
        elif isinstance(node, ast.ImportFrom):
            names = {alias.name for alias in node.names}
            if node.module == "chalicelib.store.base" and names & REFUSALS:
                note(node, f"a refusal read by the domain ({', '.join(sorted(names & REFUSALS))})")
            if node.module == "pynamodb.exceptions" and names & WRITE_ERRORS:
                note(
                    node,
                    f"a refused write caught by the domain ({', '.join(sorted(names & WRITE_ERRORS))})",
                )
    return found


def in_scope() -> list[Path]:
    return [
        path
        for path in sorted(DOMAIN.rglob("*.py"))
        if not path.relative_to(DOMAIN).as_posix().startswith(NOT_YET)
    ]


@pytest.mark.parametrize("module", in_scope(), ids=lambda p: p.relative_to(DOMAIN).as_posix())
def test_the_domain_leaves_conditions_and_indexes_to_the_store(module):
    assert store_concerns(module.read_text()) == []


def test_the_domain_areas_it_covers_are_there():
    covered = {p.relative_to(DOMAIN).as_posix() for p in in_scope()}
    assert {"inbound/ingest.py", "inbound/autoreply.py", "helpdesk/tickets.py",
            "helpdesk/assignment.py", "helpdesk/clients.py", "helpdesk/replies.py",
            "helpdesk/bot.py", "helpdesk/search.py", "helpdesk/sla.py"} <= covered  # fmt: skip


def test_every_module_left_out_still_exists():
    for entry in NOT_YET:
        assert (DOMAIN / entry).exists(), f"{entry} is gone: take it off the list"


@pytest.mark.parametrize(
    "source",
    [
        "message.save(condition=Message.PK.does_not_exist())",
        "write.update(Client(pk, sk), actions=[], condition=Client.open_ticket == 3)",
        "Ticket.PK.exists() & x",
        "Ticket.GSI2SK.set(keys.queue_sk(at, n))",
        "fields = {'DuePK': None, 'DueSK': None}",
        "Ticket(pk, sk, GSI2PK=queue)",
        "Ticket.by_queue.query(partition)",
        "from chalicelib.store.base import condition_failed, transaction",
        "from pynamodb.exceptions import PutError",
    ],
)
def test_the_guard_sees_what_belongs_to_the_store(source):
    assert store_concerns(source)


@pytest.mark.parametrize(
    "source",
    [
        "messages.put_once(message)",
        "tickets.claim_number(claim, counter_last=3, new_client=True, also=[])",
        "Message.query(pk, Message.SK.between(a, b), filter_condition=Message.direction == 'in')",
        "from chalicelib.store.base import AlreadyStored, LostRace",
        '"""The highest ``DueSK`` due by ``at``."""',
        "path.exists()",
    ],
)
def test_the_guard_lets_the_domain_say_what_it_means(source):
    assert store_concerns(source) == []
