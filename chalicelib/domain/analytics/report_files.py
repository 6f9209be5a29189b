"""A report's file (docs/analytics.md "Reports"): its columns and headers in the tenant's
language, and the two writers, CSV and XLSX, each taking one row at a time so a report
of any size is written in the same memory.

CSV is UTF-8 with a BOM (Excel then reads accents right), CRLF, quoted by Python's
``csv`` when needed, and a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is prefixed by ``'`` (OWASP, "CSV Injection"): a spreadsheet never takes a
client's name for a formula. XLSX (xlsxwriter in ``constant_memory`` mode: each row goes
to disk once the next starts) writes text as text, never as a formula, numbers as
numbers, the header bold and frozen.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from typing import IO, Any, Protocol

Cell = str | int | float | Decimal | None

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
LOCALES = ("es", "pt", "en")

# column key -> (es, pt, en)
CONVERSATION_COLUMNS: dict[str, tuple[str, str, str]] = {
    "number": ("Número", "Número", "Number"),
    "created": ("Creado", "Criado", "Created"),
    "channel": ("Canal", "Canal", "Channel"),
    "channel_type": ("Tipo de canal", "Tipo de canal", "Channel type"),
    "client": ("Cliente", "Cliente", "Client"),
    "agent": ("Agente", "Agente", "Agent"),
    "status": ("Estado", "Status", "Status"),
    "department": ("Departamento", "Departamento", "Department"),
    "tags": ("Etiquetas", "Etiquetas", "Tags"),
    "first_response": ("Primera respuesta", "Primeira resposta", "First response"),
    "frt_cal": ("Primera respuesta (s calendario)", "Primeira resposta (s corridos)",
                "First response (calendar s)"),
    "frt_bh": ("Primera respuesta (s hábiles)", "Primeira resposta (s úteis)",
               "First response (business s)"),
    "frt_reopened_cal": ("Primera respuesta tras reapertura (s calendario)",
                         "Primeira resposta após reabertura (s corridos)",
                         "First response after reopening (calendar s)"),
    "frt_reopened_bh": ("Primera respuesta tras reapertura (s hábiles)",
                        "Primeira resposta após reabertura (s úteis)",
                        "First response after reopening (business s)"),
    "first_res_cal": ("Primera resolución (s calendario)", "Primeira resolução (s corridos)",
                      "First resolution (calendar s)"),
    "first_res_bh": ("Primera resolución (s hábiles)", "Primeira resolução (s úteis)",
                     "First resolution (business s)"),
    "closed": ("Cerrado", "Fechado", "Closed"),
    "full_res_cal": ("Resolución total (s calendario)", "Resolução total (s corridos)",
                     "Full resolution (calendar s)"),
    "full_res_bh": ("Resolución total (s hábiles)", "Resolução total (s úteis)",
                    "Full resolution (business s)"),
    "reopens": ("Reaperturas", "Reaberturas", "Reopens"),
    "sla_first_response": ("SLA primera respuesta", "SLA primeira resposta", "SLA first response"),
    "sla_resolution": ("SLA resolución", "SLA resolução", "SLA resolution"),
    "sentiment_start": ("Sentimiento inicial", "Sentimento inicial", "Sentiment at start"),
    "sentiment_end": ("Sentimiento final", "Sentimento final", "Sentiment at end"),
}  # fmt: skip

PAYMENT_COLUMNS: dict[str, tuple[str, str, str]] = {
    "order": ("Pedido", "Pedido", "Order"),
    "order_date": ("Fecha del pedido", "Data do pedido", "Order date"),
    "client": ("Cliente", "Cliente", "Client"),
    "channel": ("Canal", "Canal", "Channel"),
    "agent": ("Agente", "Agente", "Agent"),
    "payment_id": ("Id del pago", "Id do pagamento", "Payment id"),
    "amount": ("Monto", "Valor", "Amount"),
    "currency": ("Moneda", "Moeda", "Currency"),
    "method": ("Medio de pago", "Forma de pagamento", "Method"),
    "reference": ("Referencia", "Referência", "Reference"),
    "paid_on": ("Fecha de pago", "Data do pagamento", "Payment date"),
    "recorded": ("Registrado", "Registrado", "Recorded"),
    "recorded_by": ("Registrado por", "Registrado por", "Recorded by"),
    "status": ("Estado", "Status", "Status"),
    "settled_by": ("Resuelto por", "Resolvido por", "Settled by"),
    "settled": ("Resuelto", "Resolvido", "Settled"),
    "rejection_reason": ("Motivo del rechazo", "Motivo da rejeição", "Rejection reason"),
}  # fmt: skip

COLUMNS = {"conversations": CONVERSATION_COLUMNS, "payments": PAYMENT_COLUMNS}

# words a cell says (statuses, SLA outcomes, sentiments, methods): (es, pt, en)
WORDS: dict[str, tuple[str, str, str]] = {
    "open": ("abierto", "aberto", "open"),
    "pending": ("pendiente", "pendente", "pending"),
    "closed": ("cerrado", "fechado", "closed"),
    "escalated": ("escalado", "escalado", "escalated"),
    "merged": ("fusionado", "mesclado", "merged"),
    "reconciled": ("conciliado", "conciliado", "reconciled"),
    "rejected": ("rechazado", "rejeitado", "rejected"),
    "met": ("cumplido", "cumprido", "met"),
    "breached": ("incumplido", "violado", "breached"),
    "happy": ("feliz", "feliz", "happy"),  # the console's words (web/src/i18n)
    "neutral": ("neutral", "neutro", "neutral"),
    "angry": ("enojado", "irritado", "angry"),
    "transfer": ("transferencia", "transferência", "transfer"),
    "card": ("tarjeta", "cartão", "card"),
    "cash": ("efectivo", "dinheiro", "cash"),
    "link": ("link de pago", "link de pagamento", "payment link"),
    "other": ("otro", "outro", "other"),
}  # fmt: skip

#: the file's name (``conversaciones-2026-12-01_2026-12-07.csv``), by kind
FILE_NAMES = {
    "conversations": ("conversaciones", "conversas", "conversations"),
    "payments": ("pagos", "pagamentos", "payments"),
}

NO_VALUE = "—"  # an SLA target the ticket did not have, or not settled yet


def _at(locale: str | None) -> int:
    return LOCALES.index(locale) if locale in LOCALES else 0


def headers(kind: str, locale: str | None) -> list[str]:
    """The header row of a report of ``kind`` in the tenant's language (Spanish otherwise)."""
    return [labels[_at(locale)] for labels in COLUMNS[kind].values()]


def word(value: str | None, locale: str | None) -> str:
    """A status, outcome, sentiment or method as the tenant's language says it."""
    if value is None:
        return ""
    found = WORDS.get(value)
    return found[_at(locale)] if found else value


def file_name(
    kind: str, locale: str | None, first_day: str, last_day: str, file_format: str
) -> str:
    return f"{FILE_NAMES[kind][_at(locale)]}-{first_day}_{last_day}.{file_format}"


INJECTION_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: str) -> str:
    """A text cell a spreadsheet will not run: ``'`` before a formula's first character."""
    return "'" + value if value.startswith(INJECTION_STARTS) else value


class RowWriter(Protocol):
    def row(self, cells: list[Cell]) -> None: ...

    def close(self) -> None: ...


class CsvWriter:
    """Rows into a CSV file, one at a time."""

    def __init__(self, path: str, header: list[str]) -> None:
        self._file: IO[str] = open(path, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115
        self._csv = csv.writer(self._file, lineterminator="\r\n")
        self._csv.writerow([csv_text(h) for h in header])

    def row(self, cells: list[Cell]) -> None:
        self._csv.writerow(["" if c is None else csv_text(c) if isinstance(c, str) else c
                            for c in cells])  # fmt: skip

    def close(self) -> None:
        self._file.close()


class XlsxWriter:
    """Rows into one sheet of an XLSX file, flushed to disk row by row
    (``constant_memory``); decimals (money) keep their currency's decimals shown."""

    def __init__(self, path: str, header: list[str]) -> None:
        import xlsxwriter  # only the reports worker pays for it

        self._book = xlsxwriter.Workbook(path, {"constant_memory": True})
        self._sheet = self._book.add_worksheet()
        self._sheet.freeze_panes(1, 0)
        self._sheet.set_column(0, len(header) - 1, 18)
        bold = self._book.add_format({"bold": True})
        for column, label in enumerate(header):
            self._sheet.write_string(0, column, label, bold)
        self._row = 0
        self._money: dict[int, Any] = {}

    def _money_format(self, decimals: int) -> Any:
        if decimals not in self._money:
            pattern = "0." + "0" * decimals if decimals else "0"
            self._money[decimals] = self._book.add_format({"num_format": pattern})
        return self._money[decimals]

    def row(self, cells: list[Cell]) -> None:
        self._row += 1
        for column, cell in enumerate(cells):
            if cell is None or cell == "":
                continue
            if isinstance(cell, str):
                self._sheet.write_string(self._row, column, cell)  # text, never a formula
            elif isinstance(cell, Decimal):
                decimals = max(0, -int(cell.as_tuple().exponent))
                self._sheet.write_number(
                    self._row, column, float(cell), self._money_format(decimals)
                )
            else:
                self._sheet.write_number(self._row, column, cell)

    def close(self) -> None:
        self._book.close()


def open_writer(file_format: str, path: str, header: list[str]) -> RowWriter:
    """A writer of ``file_format`` (csv, xlsx) into ``path``, its header row written."""
    if file_format == "xlsx":
        return XlsxWriter(path, header)
    return CsvWriter(path, header)
