"""The console's test world: the local stack as a person's browser and mailbox see it,
and the checks every page must pass (used by tests/e2e)."""

from __future__ import annotations

import json
import os
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("ATIENDE_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = ROOT / "var" / "screenshots"
PASSWORD = "caballo correcto batería"
MISSING_CHROMIUM = (
    f"the browser tests need Debian's Chromium at {CHROMIUM}: "
    "sudo apt-get install -y chromium (make test installs it when run as root)"
)


# --- the stack ------------------------------------------------------------------------
@dataclass
class Stack:
    url: str
    var: Path

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers=headers,
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
            return json.loads(raw) if raw else None

    def signup(self, email: str, company: str = "Ferretería Los Andes", **extra: Any) -> dict:
        return self.call(
            "POST",
            "/v1/signup",
            {
                "company_name": company,
                "first_name": "Ana",
                "last_name": "Pérez",
                "email": email,
                "password": PASSWORD,
                "locale": "es",
                "timezone": "America/Santiago",
                **extra,
            },
        )

    def link_in_mail(self, to: str, path: str, timeout: float = 30) -> str:
        """The link to ``path`` in the newest email to ``to`` (the worker sends it)."""
        deadline = time.monotonic() + timeout
        pattern = re.compile(rf"{re.escape(self.url)}{re.escape(path)}\?token=[A-Za-z0-9_\-]+")
        while time.monotonic() < deadline:
            for eml in sorted(
                (self.var / "mail").glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True
            ):
                message = message_from_bytes(eml.read_bytes(), policy=policy.default)
                if to not in str(message["To"]):
                    continue
                found = pattern.search(message.get_body(("plain",)).get_content())
                if found:
                    return found.group(0)
            time.sleep(0.25)
        raise AssertionError(f"no email to {to} with a link to {path} within {timeout} s")


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/v1/status", timeout=5) as response:
            status_ok = json.loads(response.read())["status"] == "ok"
        with urllib.request.urlopen(url + "/", timeout=5) as response:
            return status_ok and b'id="app"' in response.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError, KeyError, ValueError):
        return False


# --- what every page must be --------------------------------------------------------------
UNNAMED_CONTROLS = """() => {
  const name = (el) => (el.getAttribute('aria-label') || '').trim()
    || (el.labels && [...el.labels].map((l) => l.textContent).join(' ').trim())
    || (el.getAttribute('aria-labelledby') || '').split(' ').map((id) =>
         document.getElementById(id)?.textContent || '').join(' ').trim()
    || (el.tagName !== 'INPUT' && el.tagName !== 'SELECT' && el.textContent.trim())
    || (el.getAttribute('title') || '').trim();
  return [...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')]
    .filter((el) => el.getAttribute('tabindex') !== '-1' && !name(el))
    .map((el) => el.outerHTML.slice(0, 120));
}"""


def check_page(page: Any, name: str) -> None:
    """Every control has an accessible name; a screenshot at 1280x800 and at 390 px."""
    assert page.evaluate(UNNAMED_CONTROLS) == [], f"{name}: controls without a name"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready")
    page.screenshot(path=str(SCREENSHOTS / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= 390, f"{name}: the page is {scroll} px wide on a 390 px phone"
    page.screenshot(path=str(SCREENSHOTS / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
