"""The security tests drive the same real app over both databases as the service tests."""

from tests.service.conftest import api, migrated, sqlite_api

__all__ = ["api", "migrated", "sqlite_api"]
