"""The test suite (a package, so tests/support imports as tests.support)."""
