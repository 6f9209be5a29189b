"""Reading a finished report back in the tests (docs/analytics.md "Reports"): the file
behind its presigned GET, and an XLSX's first sheet without a spreadsheet library."""

from __future__ import annotations

import html
import io
import re
import zipfile
from urllib.parse import unquote, urlparse

from chalicelib import aws
from chalicelib.settings import get_settings


def downloaded(report: dict) -> bytes:
    """The file behind the presigned GET (moto's bucket holds it at the URL's path)."""
    key = unquote(urlparse(report["download_url"]).path).lstrip("/")
    key = key.removeprefix(get_settings().bucket + "/")
    return aws.client("s3").get_object(Bucket=get_settings().bucket, Key=key)["Body"].read()


def sheet_rows(raw: bytes) -> tuple[list[list[object]], str]:
    """The first sheet's cells (text as text, numbers as floats) and its XML."""
    with zipfile.ZipFile(io.BytesIO(raw)) as book:
        xml = book.read("xl/worksheets/sheet1.xml").decode()
    rows = []
    for row in re.findall(r"<row [^>]*>(.*?)</row>", xml):
        cells: list[object] = []
        for attributes, body in re.findall(r"<c ([^>]*?)(?:/>|>(.*?)</c>)", row):
            column = re.search(r'r="([A-Z]+)\d+"', attributes).group(1)  # type: ignore[union-attr]
            index = sum((ord(ch) - 64) * 26**i for i, ch in enumerate(reversed(column))) - 1
            cells.extend([""] * (index - len(cells)))
            text = re.search(r"<t[^>]*>(.*?)</t>", body or "")
            value = re.search(r"<v>(.*?)</v>", body or "")
            cells.append(
                html.unescape(text.group(1)) if text else float(value.group(1)) if value else ""
            )
        rows.append(cells)
    return rows, xml
