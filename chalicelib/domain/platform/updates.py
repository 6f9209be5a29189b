"""Product updates ("últimas actualizaciones") read from the project's changelog.

The changelog follows Keep a Changelog: ``## [version] - YYYY-MM-DD`` headings,
``### Added`` / ``### Changed`` / ``### Fixed`` sections and ``-`` bullets.
"""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel

_RELEASE = re.compile(r"^##\s+\[?(?P<version>[^\]\s]+)\]?(?:\s+-\s+(?P<date>\d{4}-\d{2}-\d{2}))?")


class ProductUpdate(BaseModel):
    version: str
    date: date | None
    changes: dict[str, list[str]]


def parse_changelog(text: str) -> list[ProductUpdate]:
    """Releases of the changelog, newest first (dated releases by date, then undated)."""
    updates: list[ProductUpdate] = []
    section: str | None = None
    for line in text.splitlines():
        heading = _RELEASE.match(line)
        if heading:
            raw_date = heading.group("date")
            updates.append(
                ProductUpdate(
                    version=heading.group("version"),
                    date=date.fromisoformat(raw_date) if raw_date else None,
                    changes={},
                )
            )
            section = None
        elif line.startswith("### ") and updates:
            section = line[4:].strip().lower()
            updates[-1].changes.setdefault(section, [])
        elif line.lstrip().startswith(("- ", "* ")) and updates and section:
            updates[-1].changes[section].append(line.strip()[2:].strip())
        elif line.startswith("  ") and line.strip() and updates and section:
            # a wrapped bullet continues the previous one
            bullets = updates[-1].changes[section]
            if bullets:
                bullets[-1] = f"{bullets[-1]} {line.strip()}"
    undated = [u for u in updates if u.date is None]
    dated = sorted((u for u in updates if u.date is not None), key=lambda u: u.date, reverse=True)  # type: ignore[arg-type,return-value]
    return undated + dated
