"""kybra.testing suites (a package, so their module names do not clash with tests/e2e)."""
