"""What the tests share: worlds built through the API, the one Desk, signed webhooks,
fake providers and provider payloads (docs/testing.md). Fixtures are registered by
``pytest_plugins`` in tests/conftest.py."""
