"""Asking for reports and reading them (docs/analytics.md "Reports", "Who may"): what is
refused and why, and who sees which reports."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib import queues
from chalicelib.clock import clock
from tests.support.desk import Desk
from tests.support.queues import queue_depth

WEEK = {"from": "2026-12-01", "to": "2026-12-07"}


def conversations(**changes):
    return {"kind": "conversations", "format": "csv", **WEEK, **changes}


def payments(**changes):
    return {"kind": "payments", "format": "xlsx", **WEEK, **changes}


@pytest.fixture
def desk(world):
    clock.freeze(datetime(2026, 12, 8, 12, 0, tzinfo=UTC))
    yield Desk(world, default_caller="admin")
    clock.release()


def asked(desk, body, who="admin"):
    return desk.call("POST", "/v1/reports", who, body)


def test_an_admin_asks_for_a_report_and_it_waits_on_the_reports_queue(desk):
    answer = asked(desk, conversations(status="closed"))
    assert answer.status_code == 202, answer.json
    report = answer.json
    assert report["state"] == "queued" and report["kind"] == "conversations"
    assert report["format"] == "csv" and report["rows"] is None
    assert report["filters"] == {"from": "2026-12-01", "to": "2026-12-07", "agent": None,
                                 "channel": None, "status": "closed"}  # fmt: skip
    assert report["created_by"] == desk.id("admin") and report["created_by_name"] == "Ana Admin"
    assert report["download_url"] is None and report["error"] is None
    assert queue_depth("reports") == 1
    again = desk.call("GET", f"/v1/reports/{report['id']}")
    assert again.status_code == 200 and again.json["state"] == "queued"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (conversations(**{"from": "2026-12-08", "to": "2026-12-07"}), "range_reversed"),
        (conversations(**{"from": "2025-12-06", "to": "2026-12-08"}), "range_too_long"),
        (conversations(status="reconciled"), "invalid_status"),
        (payments(status="closed"), "invalid_status"),
        (conversations(agent="01aaaaaaaaaaaaaaaaaaaaaaaa"), "unknown_agent"),
        (payments(channel="01aaaaaaaaaaaaaaaaaaaaaaaa"), "unknown_channel"),
        ({"kind": "conversations", "format": "csv", "from": "2026-12-01"}, "validation_error"),
        (conversations(kind="orders"), "validation_error"),
        (conversations(format="pdf"), "validation_error"),
        (conversations(**{"from": "2026-12-1"}), "validation_error"),
        (conversations(agent="Ana"), "validation_error"),
        (conversations(tenant="other"), "validation_error"),
    ],
)
def test_a_report_asked_for_wrongly_is_refused_and_nothing_is_queued(desk, body, code):
    answer = asked(desk, body)
    assert answer.status_code == 400, answer.json
    assert answer.json["error"]["code"] == code
    assert queue_depth("reports") == 0
    assert desk.call("GET", "/v1/reports").json["items"] == []


def test_a_year_and_a_day_is_the_longest_range(desk):
    assert (
        asked(desk, conversations(**{"from": "2025-12-07", "to": "2026-12-08"})).status_code == 202
    )


def test_another_accounts_agent_or_channel_is_unknown_here(world, desk):
    other = Desk(world, company="Otra", domain="otra.example.com")
    assert (
        asked(desk, conversations(agent=other.id("admin"))).json["error"]["code"] == "unknown_agent"
    )
    assert (
        asked(desk, conversations(channel=other.channel_id)).json["error"]["code"]
        == "unknown_channel"
    )
    mine = asked(desk, conversations(agent=desk.id("admin"), channel=desk.channel_id))
    assert mine.status_code == 202, mine.json


def test_another_accounts_report_is_not_found(world, desk):
    report = asked(desk, conversations()).json
    other = Desk(world, company="Otra", domain="otra.example.com")
    assert other.call("GET", f"/v1/reports/{report['id']}", "admin").status_code == 404
    assert other.call("GET", "/v1/reports", "admin").json["items"] == []
    assert desk.call("GET", "/v1/reports/01aaaaaaaaaaaaaaaaaaaaaaaa").status_code == 404


def test_a_report_the_queue_does_not_take_is_failed_and_said_so(desk, monkeypatch):
    def refuse(queue, body):
        raise queues.NotQueued("the reports queue did not take the message")

    monkeypatch.setattr(queues, "send", refuse)
    answer = asked(desk, conversations())
    assert answer.status_code == 503, answer.json
    assert answer.json["error"]["code"] == "not_queued"
    report_id = answer.json["error"]["details"]["report_id"]
    failed = desk.call("GET", f"/v1/reports/{report_id}").json
    assert failed["state"] == "failed"
    assert failed["error"] == "The report could not be queued. Ask for it again in a moment."


def test_the_list_is_newest_first_and_keeps_the_last_50(desk):
    made = []
    for _ in range(52):
        clock.advance(datetime.resolution * 1000)
        made.append(asked(desk, conversations()).json["id"])
    listed = [r["id"] for r in desk.call("GET", "/v1/reports").json["items"]]
    assert listed == list(reversed(made))[:50]


def test_a_report_is_kept_seven_days(desk):
    from datetime import timedelta

    from chalicelib.domain.analytics import reports
    from chalicelib.domain.errors import NotFound
    from chalicelib.store.reports import ReportJob

    report = asked(desk, conversations()).json
    job = reports.get(desk.principal(), report["id"])
    assert job.expires_at == int((clock.now() + timedelta(days=7)).timestamp())  # DynamoDB's TTL
    principal = desk.principal()  # the session would end before the week does
    clock.advance(timedelta(days=7) - timedelta(seconds=1))
    assert reports.get(principal, report["id"]).report_id == report["id"]
    clock.advance(timedelta(seconds=1))
    with pytest.raises(NotFound):  # TTL deletes it some time after: the code checks too
        reports.get(principal, report["id"])
    assert reports.latest(principal) == []
    assert isinstance(job, ReportJob)


# --- who may (docs/analytics.md "Who may") ---------------------------------------------------
#: profile -> (role, permissions, may ask for (conversations, payments), may read (...))
PROFILES = {
    "admin": ("admin", [], (True, True), (True, True)),
    "supervisor": ("supervisor", [], None, None),
    "supervisor+conversation_reports": ("supervisor", ["conversation_reports"], (True, False), (True, False)),
    "supervisor+payment_reports": ("supervisor", ["payment_reports"], (False, True), (False, True)),
    "agent": ("agent", [], None, None),
    "stakeholder": ("stakeholder", [], None, None),
    "analyst": ("analyst", [], (False, False), (True, False)),
    "analyst+conversation_reports": ("analyst", ["conversation_reports"], (True, False), (True, False)),
    "analyst+payment_reports": ("analyst", ["payment_reports"], (False, True), (True, True)),
    "orders_admin": ("orders_admin", [], None, None),
    "orders_admin+payment_reports": ("orders_admin", ["payment_reports"], (False, True), (False, True)),
    "account_contact": ("account_contact", [], None, None),
}  # fmt: skip


def test_each_profile_asks_for_and_reads_the_reports_its_role_allows(world, desk):
    ids = {"conversations": asked(desk, conversations()).json["id"],
           "payments": asked(desk, payments()).json["id"]}  # fmt: skip
    for n, (profile, (role, permissions, may_ask, may_read)) in enumerate(PROFILES.items()):
        token = desk.admin if role == "admin" else world.user_with_role(
            desk.admin, f"p{n}@acme.example.com", role, permissions=permissions)  # fmt: skip
        listing = desk.call("GET", "/v1/reports", token)
        if may_read is None:  # the role reaches no reports at all
            assert listing.status_code == 403, profile
            assert listing.json["error"]["details"]["action"] == "reports.read"
            assert desk.call("GET", f"/v1/reports/{ids['payments']}", token).status_code == 403
            assert asked(desk, conversations(), token).status_code == 403, profile
            continue
        listed = {r["kind"] for r in listing.json["items"]}
        for i, kind in enumerate(("conversations", "payments")):
            assert (kind in listed) == may_read[i], (profile, kind)
            one = desk.call("GET", f"/v1/reports/{ids[kind]}", token)
            assert one.status_code == (200 if may_read[i] else 404), (profile, kind)
            body = conversations() if kind == "conversations" else payments()
            answer = asked(desk, body, token)
            assert answer.status_code == (202 if may_ask[i] else 403), (profile, kind, answer.json)
            if not may_ask[i]:
                assert answer.json["error"]["details"]["action"] == f"reports.{kind}"


def test_a_report_whose_message_was_lost_gets_it_again_once_when_read(desk):
    from datetime import timedelta

    from chalicelib.domain.analytics.reports import KEPT
    from chalicelib.store import reports as store
    from tests.support.desk import run_worker

    # the Lambda died between the job's write and the message: only the job is there
    lost = store.new_job(desk.tenant, "01m9zzzzzzzzzzzzzzzzzzzzzz", clock.now() + KEPT,
                         report_kind="conversations", file_format="csv", created_at=clock.now(),
                         created_by=desk.id("admin"), filters={"from": "2026-12-01", "to": "2026-12-07"})  # fmt: skip
    path = f"/v1/reports/{lost.report_id}"
    clock.advance(timedelta(minutes=14))
    assert desk.call("GET", path).json["state"] == "queued" and queue_depth("reports") == 0
    clock.advance(timedelta(minutes=2))
    desk.admin = desk._tokens["admin"] = desk.call("POST", "/v1/auth/login", body={
        "email": "ana@acme.example.com", "password": "correct horse battery"}).json["access_token"]  # fmt: skip
    assert desk.call("GET", path).json["state"] == "queued"
    assert desk.call("GET", "/v1/reports").status_code == 200
    assert queue_depth("reports") == 1  # sent again once, however many read it
    run_worker("make_reports")
    assert desk.call("GET", path).json["state"] == "done"
    assert queue_depth("reports") == 0
