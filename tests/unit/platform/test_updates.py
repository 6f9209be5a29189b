import json
from datetime import date

from chalicelib.domain.platform.updates import parse_changelog

CHANGELOG = """# Changelog

## [Unreleased]
### Added
- Something still cooking.

## [0.1.0] - 2026-01-10
### Added
- First thing,
  wrapped on two lines.
### Fixed
- A bug.

## [0.2.0] - 2026-02-01
### Changed
- Second release.
"""


def test_changelog_releases_come_newest_first():
    updates = parse_changelog(CHANGELOG)
    assert [u.version for u in updates] == ["Unreleased", "0.2.0", "0.1.0"]
    first = updates[2]
    assert first.date == date(2026, 1, 10)
    assert first.changes == {"added": ["First thing, wrapped on two lines."], "fixed": ["A bug."]}


def test_updates_route_serves_the_project_changelog(api):
    response = api.get("/v1/updates")
    assert response.status_code == 200
    updates = json.loads(response.body)
    assert updates and updates[0]["version"]
    assert any(
        "/v1/status" in line for u in updates for lines in u["changes"].values() for line in lines
    )


def test_updates_limit_is_validated(api):
    response = api.get("/v1/updates?limit=0")
    assert response.status_code == 400
    error = json.loads(response.body)["error"]
    assert error["code"] == "validation_error"
    assert error["details"][0]["loc"] == ["query", "limit"]


def test_unknown_query_parameters_are_refused(api):
    response = api.get("/v1/updates?limt=3")
    assert response.status_code == 400
    assert json.loads(response.body)["error"]["details"][0]["loc"] == ["query", "limt"]
