"""A report's file (docs/analytics.md "Reports"): CSV a spreadsheet opens right and never
runs, headers in the tenant's language, and rows streamed: the writers' memory does not
grow with the number of rows."""

from __future__ import annotations

import csv
import io
import tracemalloc
from decimal import Decimal

import pytest

from chalicelib.domain.analytics import report_rows
from chalicelib.domain.analytics.report_files import (
    CONVERSATION_COLUMNS,
    PAYMENT_COLUMNS,
    csv_text,
    file_name,
    headers,
    open_writer,
)


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=cmd", "'=cmd"),
        ("+56 9 1111 2222", "'+56 9 1111 2222"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcalc", "'\tcalc"),
        ("\rcalc", "'\rcalc"),
        ("María José", "María José"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_a_text_cell_a_spreadsheet_would_run_is_prefixed(cell, written):
    assert csv_text(cell) == written


def test_a_csv_is_utf8_with_a_bom_crlf_and_quoted_when_needed(tmp_path):
    path = str(tmp_path / "r.csv")
    writer = open_writer("csv", path, headers("payments", "pt"))
    writer.row([7, "2026-12-01 08:56", '=HYPERLINK("http://x")', "Ventas, Centro", None,
                "01abc", Decimal("10.50"), "USD", "Pix\r\nlinha 2"] + [""] * 8)  # fmt: skip
    writer.close()
    raw = (tmp_path / "r.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfPedido,Data do pedido,Cliente,")
    assert raw.count(b"\r\n") == 3  # two rows, and the CRLF inside a quoted cell
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[1][:9] == ["7", "2026-12-01 08:56", "'=HYPERLINK(\"http://x\")", "Ventas, Centro", "",
                           "01abc", "10.50", "USD", "Pix\r\nlinha 2"]  # fmt: skip


def test_headers_and_file_names_in_each_language():
    assert headers("conversations", "en")[:3] == ["Number", "Created", "Channel"]
    assert headers("conversations", "pt")[10] == "Primeira resposta (s corridos)"
    assert headers("payments", "es")[6] == "Monto"
    assert headers("payments", None) == headers("payments", "es")  # Spanish otherwise
    assert len(headers("conversations", "es")) == len(CONVERSATION_COLUMNS) == 24
    assert len(headers("payments", "en")) == len(PAYMENT_COLUMNS) == 17
    assert file_name("payments", "pt", "2026-12-01", "2026-12-07", "xlsx") == (
        "pagamentos-2026-12-01_2026-12-07.xlsx"
    )


def test_money_is_written_with_its_currencys_decimals():
    assert report_rows.major_units(19980, "CLP") == Decimal("19980")
    assert str(report_rows.major_units(1050, "USD")) == "10.50"
    assert str(report_rows.major_units(15000, "BRL")) == "150.00"


ROW = [123456, "2026-12-01 08:51", "Ventas", "whatsapp", "María José", "Ana Admin", "cerrado",
       "Ventas", "VIP, Mayorista", "2026-12-01 09:11", 1200.0, 660.0, None, None, 3000.0, 2460.0,
       "2026-12-01 09:41", 3000.0, 2460.0, 0, "cumplido", "cumplido", "neutral", "feliz"]  # fmt: skip


def peak_while_writing(file_format: str, rows: int, path: str) -> int:
    """The most memory the writer held while ``rows`` rows went through it (bytes)."""
    tracemalloc.start()
    try:
        writer = open_writer(file_format, path, headers("conversations", "es"))
        for n in range(rows):
            writer.row([n, *ROW[1:]])
        writer.close()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_writers_memory_does_not_grow_with_the_rows(tmp_path, file_format):
    import xlsxwriter  # noqa: F401  (imported before measuring: its modules are not rows)

    peak_warm = peak_while_writing(file_format, 100, str(tmp_path / f"w.{file_format}"))
    small = peak_while_writing(file_format, 1_000, str(tmp_path / f"s.{file_format}"))
    large = peak_while_writing(file_format, 10_000, str(tmp_path / f"l.{file_format}"))
    # ten times the rows, and the file ten times larger, in about the same memory: rows are
    # written as they come (a list of 10 000 such rows alone would hold over 5 MB)
    assert (tmp_path / f"l.{file_format}").stat().st_size > 5 * (
        tmp_path / f"s.{file_format}"
    ).stat().st_size
    assert large - small < 256 * 1024, (peak_warm, small, large)


def test_rows_come_from_a_generator_never_a_list():
    import inspect

    assert inspect.isgeneratorfunction(report_rows.conversation_rows)
    assert inspect.isgeneratorfunction(report_rows.payment_rows)
