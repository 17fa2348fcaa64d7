"""Host tests of the kybra package (a package, so its conftest does not shadow
`tests/e2e/conftest.py` when both suites run in one pytest session)."""
