"""How each helpdesk signs the events it posts to calmline, and the checks that refuse the rest.

Chatwoot (webhooks with a secret, Chatwoot 4.x): `X-Chatwoot-Timestamp: <unix seconds>` and
`X-Chatwoot-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`. Zendesk
(developer.zendesk.com/documentation/webhooks/verifying): `X-Zendesk-Webhook-Signature-Timestamp`
(ISO 8601, e.g. `2026-11-27T09:41:35Z`) and `X-Zendesk-Webhook-Signature: base64(HMAC-SHA256(
secret, timestamp + raw body))`, no separator. Both sign the timestamp with the body, so a request
signed longer ago than the tolerance (either way) is refused: a captured one cannot be replayed
later; inside the window the event's id stops a replay (the idempotency store).

The secret travels in neither the URL nor the body: nothing a proxy or access log keeps can be
used to forge an event.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from datetime import datetime

from calmline.cases.errors import AuthenticationError

CHATWOOT_TIMESTAMP = "X-Chatwoot-Timestamp"
CHATWOOT_SIGNATURE = "X-Chatwoot-Signature"
ZENDESK_TIMESTAMP = "X-Zendesk-Webhook-Signature-Timestamp"
ZENDESK_SIGNATURE = "X-Zendesk-Webhook-Signature"


def chatwoot_signature(secret: str, body: bytes, timestamp: str) -> str:
    """The `X-Chatwoot-Signature` Chatwoot sends with `body` signed at `timestamp`."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def zendesk_signature(secret: str, body: bytes, timestamp: str) -> str:
    """The `X-Zendesk-Webhook-Signature` Zendesk sends with `body` signed at `timestamp`."""
    mac = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def _seconds(timestamp: str, header: str) -> float:
    """Unix seconds of a timestamp header: digits (Chatwoot) or ISO 8601 with a zone (Zendesk)."""
    if timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12:
        return float(timestamp)
    try:
        when = datetime.fromisoformat(timestamp)
    except ValueError:
        when = None
    if when is None or when.tzinfo is None or len(timestamp) > 40:
        raise AuthenticationError(f"{header} must be unix seconds or an ISO 8601 time with a zone")
    return when.timestamp()


def _check_age(seconds: float, header: str, tolerance: int, now: float | None) -> None:
    skew = (time.time() if now is None else now) - seconds
    if abs(skew) > tolerance:
        when = "old" if skew > 0 else "in the future"
        raise AuthenticationError(f"{header} is {abs(int(skew))} s {when}; the limit is "
                                  f"{tolerance} s (check the helpdesk's clock)")


def verify(helpdesk: str, secret: str, body: bytes, timestamp: str | None,
           signature: str | None, *, tolerance: int, now: float | None = None) -> None:
    """AuthenticationError unless `signature` is `helpdesk`'s signature of this body at a
    timestamp within `tolerance` seconds of `now`."""
    if helpdesk == "chatwoot":
        headers, sign = (CHATWOOT_TIMESTAMP, CHATWOOT_SIGNATURE), chatwoot_signature
    else:
        headers, sign = (ZENDESK_TIMESTAMP, ZENDESK_SIGNATURE), zendesk_signature
    if not timestamp or not signature:
        raise AuthenticationError(f"send {headers[0]} and {headers[1]} (set the webhook's secret "
                                  f"in {helpdesk})")
    seconds = _seconds(timestamp, headers[0])
    if not hmac.compare_digest(sign(secret, body, timestamp).encode(), signature.encode()):
        raise AuthenticationError(f"wrong {headers[1]} for this timestamp and body (is the "
                                  f"secret in calmline the webhook's?)")
    _check_age(seconds, headers[0], tolerance, now)
