"""Reports made end to end (docs/analytics.md "Reports"): asked through the API, made by
the reports worker from the report index, downloaded through the presigned GET, every
cell checked; and the worker's care: a message twice, a dead worker, failures."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, unquote, urlparse

import pytest

from chalicelib import queues
from chalicelib.clock import clock
from chalicelib.domain.analytics import reports
from chalicelib.jobs import reports as worker
from chalicelib.store.analytics import payment_entry, ticket_entry
from tests.support.desk import Desk, run_worker
from tests.support.queues import queue_depth
from tests.support.reports import downloaded, sheet_rows

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
HOURS = {"timezone": "America/Santiago", "weekly": {d: [["09:00", "18:00"]] for d in WEEKDAYS}}
#: Tuesday 1 December 2026, 08:50 in Santiago (UTC-3 in summer)
START = datetime(2026, 12, 1, 11, 50, tzinfo=UTC)


def fresh(desk: Desk) -> str:
    """A new access token for the admin (they last 15 minutes; these tests move the clock)."""
    desk.admin = desk._tokens["admin"] = desk.login()
    return desk.admin


def ok(answer, status=200):
    assert answer.status_code == status, answer.json
    return answer.json


@pytest.fixture
def desk(world):
    clock.freeze(START)
    desk = Desk(world, default_caller="admin")
    ok(desk.call("PATCH", f"/v1/channels/{desk.channel_id}", body={"settings": {
        "business_hours": HOURS, "sla": {"first_response_minutes": 30, "resolution_minutes": 480}}}))  # fmt: skip
    yield desk
    clock.release()


def a_conversation(desk: Desk) -> None:
    """Ticket 1 (a client named "=cmd", 08:51): answered at 09:11 and closed at 09:41, by
    the admin; ticket 2 (Pedro, the next day) left open."""
    department = ok(desk.call("POST", "/v1/departments", body={"name": "Ventas"}), 201)["id"]
    tag = ok(desk.call("POST", "/v1/tags", body={"name": "VIP", "color": "#FFD700"}), 201)["id"]
    assert desk.message("56911111111", "hola", name="=cmd") == 1
    desk.id("admin")
    desk.assign(1, "admin")
    clock.advance(timedelta(minutes=20))
    fresh(desk)
    ok(desk.call("POST", "/v1/tickets/1/messages", body={"text": "¡Hola!", "public": True}), 201)
    clock.advance(timedelta(minutes=30))
    fresh(desk)
    desk.patch_ticket(1, department_id=department, tags=[tag], sentiment_end="happy")
    desk.patch_ticket(1, status="closed")
    clock.freeze(datetime(2026, 12, 2, 15, 0, tzinfo=UTC))
    fresh(desk)
    assert desk.message("56922222222", "buenas", name="Pedro") == 2
    # what the counters' consumer writes (docs/analytics.md "The report index")
    ticket_entry(desk.tenant, "2026-12-01", 1).save()
    ticket_entry(desk.tenant, "2026-12-02", 2).save()
    ticket_entry(desk.tenant, "2026-12-08", 2).save()  # outside the range asked for


def made(desk: Desk, body: dict) -> dict:
    """Ask for a report, run the reports worker, read it back (done)."""
    report = ok(desk.call("POST", "/v1/reports", body=body), 202)
    run_worker("make_reports")
    return ok(desk.call("GET", f"/v1/reports/{report['id']}"))


CONVERSATION_HEADER = [
    "Número", "Creado", "Canal", "Tipo de canal", "Cliente", "Agente", "Estado", "Departamento",
    "Etiquetas", "Primera respuesta", "Primera respuesta (s calendario)",
    "Primera respuesta (s hábiles)", "Primera respuesta tras reapertura (s calendario)",
    "Primera respuesta tras reapertura (s hábiles)", "Primera resolución (s calendario)",
    "Primera resolución (s hábiles)", "Cerrado", "Resolución total (s calendario)",
    "Resolución total (s hábiles)", "Reaperturas", "SLA primera respuesta", "SLA resolución",
    "Sentimiento inicial", "Sentimiento final",
]  # fmt: skip
TICKET_1 = [
    "1", "2026-12-01 08:51", "Ventas", "whatsapp", "'=cmd", "Ana Admin", "cerrado", "Ventas",
    "VIP", "2026-12-01 09:11", "1200.0", "660.0", "", "", "3000.0", "2460.0",
    "2026-12-01 09:41", "3000.0", "2460.0", "0", "cumplido", "cumplido", "neutral", "feliz",
]  # fmt: skip


def test_a_conversations_report_in_csv_has_every_cell_the_dashboard_has(desk):
    a_conversation(desk)
    report = made(desk, {"kind": "conversations", "format": "csv", "from": "2026-12-01",
                         "to": "2026-12-07", "status": "closed"})  # fmt: skip
    assert report["state"] == "done" and report["rows"] == 1 and report["error"] is None
    assert report["finished_at"] is not None
    raw = downloaded(report)
    assert raw.startswith("\ufeff".encode()) and b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows == [CONVERSATION_HEADER, TICKET_1]
    everything = made(desk, {"kind": "conversations", "format": "csv", "from": "2026-12-01",
                             "to": "2026-12-07"})  # fmt: skip
    rows = list(csv.reader(io.StringIO(downloaded(everything).decode("utf-8-sig"), newline="")))
    assert [r[0] for r in rows[1:]] == ["1", "2"] and everything["rows"] == 2
    assert rows[2][4:7] == ["Pedro", "", "abierto"] and rows[2][20:22] == ["—", "—"]


def test_filters_by_agent_and_channel(desk):
    a_conversation(desk)
    by_admin = made(desk, {"kind": "conversations", "format": "csv", "from": "2026-12-01",
                           "to": "2026-12-07", "agent": desk.id("admin")})  # fmt: skip
    assert by_admin["rows"] == 1
    email = ok(desk.call("POST", "/v1/channels", body={"type": "email", "name": "Soporte",
               "identifiers": {"address": "soporte@acme.example.com"}}), 201)["id"]  # fmt: skip
    elsewhere = made(desk, {"kind": "conversations", "format": "csv", "from": "2026-12-01",
                            "to": "2026-12-07", "channel": email})  # fmt: skip
    assert elsewhere["state"] == "done" and elsewhere["rows"] == 0
    assert downloaded(elsewhere).decode("utf-8-sig").count("\r\n") == 1  # the header alone


def test_the_download_is_a_presigned_get_of_15_minutes_named_for_the_range(desk):
    a_conversation(desk)
    report = made(
        desk, {"kind": "conversations", "format": "csv", "from": "2026-12-01", "to": "2026-12-07"}
    )
    url = urlparse(report["download_url"])
    query = parse_qs(url.query)
    assert query["X-Amz-Expires"] == ["900"]
    assert query["response-content-disposition"] == [
        'attachment; filename="conversaciones-2026-12-01_2026-12-07.csv"'
    ]
    assert url.path.endswith(f"reports/{desk.tenant}/{report['id']}.csv")
    expires = datetime.fromisoformat(report["download_expires_at"].replace("Z", "+00:00"))
    assert expires == clock.now() + timedelta(minutes=15)
    listed = ok(desk.call("GET", "/v1/reports"))["items"]
    assert listed[0]["id"] == report["id"] and listed[0]["download_url"] is None  # made when asked


def a_payment(desk: Desk, number: int, amount: int, reference: str | None) -> str:
    body = {"amount": amount, "method": "transfer", "paid_on": "2026-12-01", "reference": reference}
    return ok(desk.call("POST", f"/v1/orders/{number}/payments", body=body), 201)["id"]


def some_payments(desk: Desk) -> tuple[str, str]:
    assert desk.message("56911111111", "quiero dos poleras", name="Ana Pérez") == 1
    clock.advance(timedelta(minutes=5))
    fresh(desk)
    lines = [{"description": "Polera talla M", "quantity": 2, "unit_price": 9990}]
    first = ok(
        desk.call("POST", "/v1/tickets/1/orders", body={"currency": "CLP", "lines": lines}), 201
    )
    second = ok(desk.call("POST", "/v1/tickets/1/orders", body={"currency": "USD", "lines": [
        {"description": "Envío", "quantity": 1, "unit_price": 1050}]}), 201)  # fmt: skip
    paid = a_payment(desk, first["number"], 19980, '=HYPERLINK("x")')
    ok(desk.call("POST", f"/v1/orders/{first['number']}/payments/{paid}/reconcile"))
    refused = a_payment(desk, second["number"], 1050, None)
    ok(desk.call("POST", f"/v1/orders/{second['number']}/payments/{refused}/reject",
                 body={"reason": "no llegó"}))  # fmt: skip
    payment_entry(desk.tenant, "2026-12-01", first["number"], paid).save()
    payment_entry(desk.tenant, "2026-12-01", second["number"], refused).save()
    return paid, refused


def test_a_payments_report_in_xlsx_reads_back_with_numbers_as_numbers(desk):
    paid, refused = some_payments(desk)
    report = made(
        desk, {"kind": "payments", "format": "xlsx", "from": "2026-12-01", "to": "2026-12-01"}
    )
    assert report["state"] == "done" and report["rows"] == 2, report
    assert 'filename="pagos-2026-12-01_2026-12-01.xlsx"' in unquote(report["download_url"])
    rows, xml = sheet_rows(downloaded(report))
    assert rows[0] == [
        "Pedido", "Fecha del pedido", "Cliente", "Canal", "Agente", "Id del pago", "Monto",
        "Moneda", "Medio de pago", "Referencia", "Fecha de pago", "Registrado", "Registrado por",
        "Estado", "Resuelto por", "Resuelto", "Motivo del rechazo",
    ]  # fmt: skip
    at = "2026-12-01 08:56"
    assert rows[1] == [1.0, at, "Ana Pérez", "Ventas", "Ana Admin", paid, 19980.0, "CLP",
                       "transferencia", '=HYPERLINK("x")', "2026-12-01", at, "Ana Admin",
                       "conciliado", "Ana Admin", at]  # fmt: skip
    assert rows[2] == [2.0, at, "Ana Pérez", "Ventas", "Ana Admin", refused, 10.5, "USD",
                       "transferencia", "", "2026-12-01", at, "Ana Admin", "rechazado",
                       "Ana Admin", at, "no llegó"]  # fmt: skip
    assert "<f>" not in xml  # a reference that looks like a formula stays text
    assert 'state="frozen"' in xml and 'ySplit="1"' in xml
    with zipfile.ZipFile(io.BytesIO(downloaded(report))) as book:
        styles = book.read("xl/styles.xml").decode()
    assert "<b/>" in styles and 'formatCode="0.00"' in styles  # a bold header, USD's cents


def test_payments_filtered_by_status(desk):
    some_payments(desk)
    report = made(desk, {"kind": "payments", "format": "csv", "from": "2026-12-01",
                         "to": "2026-12-01", "status": "rejected"})  # fmt: skip
    rows = list(csv.reader(io.StringIO(downloaded(report).decode("utf-8-sig"), newline="")))
    assert report["rows"] == 1 and rows[1][6:8] == ["10.50", "USD"] and rows[1][16] == "no llegó"


# --- the worker's care ------------------------------------------------------------------------
def ask(desk: Desk) -> dict:
    return ok(desk.call("POST", "/v1/reports", body={"kind": "conversations", "format": "csv",
                                                     "from": "2026-12-01", "to": "2026-12-07"}), 202)  # fmt: skip


def counting_writes(monkeypatch) -> list[str]:
    written: list[str] = []
    real = reports.write_file

    def write_file(job, path):
        written.append(job.report_id)
        return real(job, path)

    monkeypatch.setattr(reports, "write_file", write_file)
    return written


def test_a_message_delivered_twice_makes_the_report_once(desk, monkeypatch):
    written = counting_writes(monkeypatch)
    report = ask(desk)
    queues.send("reports", json.dumps({"tenant_id": desk.tenant, "report_id": report["id"]}))
    assert queue_depth("reports") == 2
    run_worker("make_reports")
    assert written == [report["id"]] and queue_depth("reports") == 0
    assert ok(desk.call("GET", f"/v1/reports/{report['id']}"))["state"] == "done"


def test_a_report_being_made_is_left_to_its_worker_and_a_dead_workers_is_taken_again(
    desk, monkeypatch
):
    written = counting_writes(monkeypatch)
    report = ask(desk)
    assert reports.take(desk.tenant, report["id"]) is not None  # a worker took it, then died
    clock.advance(timedelta(minutes=9))
    worker.make(desk.tenant, report["id"])  # the message again, while it may still work
    assert written == []
    clock.advance(timedelta(minutes=1, seconds=1))
    fresh(desk)
    run_worker("make_reports")  # silent for more than 10 minutes: dead
    assert written == [report["id"]]
    done = ok(desk.call("GET", f"/v1/reports/{report['id']}"))
    assert done["state"] == "done" and done["rows"] == 0


def test_an_unexpected_error_is_retried_and_fails_the_report_at_its_third_take(desk, monkeypatch):
    def broken(job, path):
        raise RuntimeError("DynamoDB is down")

    monkeypatch.setattr(reports, "write_file", broken)
    report = ask(desk)
    for _take in (1, 2):  # the first two takes
        with pytest.raises(RuntimeError):
            worker.make(desk.tenant, report["id"])
        assert reports.get(desk.principal(), report["id"]).state == "running"
        clock.advance(timedelta(minutes=11))  # the message is back after the visibility timeout
        fresh(desk)
    worker.make(desk.tenant, report["id"])
    failed = ok(desk.call("GET", f"/v1/reports/{report['id']}"))
    assert failed["state"] == "failed" and failed["error"] == reports.FAILED_TO_MAKE
    assert failed["download_url"] is None


def test_a_refusal_the_product_explains_fails_the_report_at_once(desk, monkeypatch):
    from chalicelib.domain.errors import NotFound

    def gone(job, path):
        raise NotFound("The account of this report is gone.")

    monkeypatch.setattr(reports, "write_file", gone)
    report = ask(desk)
    run_worker("make_reports")
    failed = ok(desk.call("GET", f"/v1/reports/{report['id']}"))
    assert failed["state"] == "failed" and failed["error"] == "The account of this report is gone."
    assert queue_depth("reports") == 0


def test_the_counters_own_index_feeds_the_reports(desk):
    """No entry written by hand: the counters' consumer indexes what a report lists."""
    assert desk.message("56911111111", "hola", name="Ana Pérez") == 1
    lines = [{"description": "Polera", "quantity": 1, "unit_price": 9990}]
    order = ok(
        desk.call("POST", "/v1/tickets/1/orders", body={"currency": "CLP", "lines": lines}), 201
    )
    a_payment(desk, order["number"], 9990, None)
    week = {"from": "2026-12-01", "to": "2026-12-07"}
    tickets = made(desk, {"kind": "conversations", "format": "csv", **week})
    paid = made(desk, {"kind": "payments", "format": "csv", **week})
    assert (tickets["rows"], paid["rows"]) == (1, 1)
