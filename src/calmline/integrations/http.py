"""One JSON call to a helpdesk's REST API, and the error that says whether trying again can help.

Both helpdesk clients sit on this: a base URL, an auth scheme, a timeout, and a `request()` that
returns the decoded JSON body or raises `HelpdeskCallError`. The failure keeps the HTTP status and
the server's `Retry-After` but never the response body, which may echo a customer's words back.
"""

from __future__ import annotations

from typing import Any

import httpx

from calmline.errors import CalmlineError

# a timeout or a busy/broken server may answer next time; a refused token or a bad path never will
RETRYABLE_STATUSES = frozenset({408, 409, 425, 429, 500, 502, 503, 504})


class HelpdeskCallError(CalmlineError):
    """A helpdesk call that did not succeed; `status` is None when no answer came at all."""

    def __init__(self, message: str, *, status: int | None = None, retryable: bool = False,
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:  # an HTTP date: fall back to our own backoff
        return None


class JsonApi:
    """A small JSON client for one helpdesk; `transport` lets a test or a proxy stand in."""

    def __init__(self, base_url: str, *, headers: dict[str, str] | None = None,
                 auth: httpx.Auth | tuple[str, str] | None = None, timeout: float = 10.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = httpx.Client(base_url=self.base_url, headers={"Accept": "application/json",
                                                                     **(headers or {})},
                                    auth=auth, timeout=timeout, transport=transport)

    def request(self, method: str, path: str, *, json: Any = None,
                params: dict[str, Any] | None = None) -> Any:
        """The decoded JSON answer (None for an empty body); `HelpdeskCallError` for anything else."""
        try:
            response = self._client.request(method, path, json=json, params=params)
        except httpx.TimeoutException as exc:
            raise HelpdeskCallError(f"{method} {path}: no answer in time ({type(exc).__name__})",
                             retryable=True) from exc
        except httpx.TransportError as exc:
            raise HelpdeskCallError(f"{method} {path}: cannot reach {self.base_url} ({type(exc).__name__})",
                             retryable=True) from exc
        if response.status_code >= 400:
            raise HelpdeskCallError(f"{method} {path}: HTTP {response.status_code}",
                             status=response.status_code,
                             retryable=response.status_code in RETRYABLE_STATUSES,
                             retry_after=_retry_after(response))
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise HelpdeskCallError(f"{method} {path}: the answer is not JSON",
                             status=response.status_code) from exc

    def close(self) -> None:
        self._client.close()
