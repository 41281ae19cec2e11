"""Build the Zendesk app's zip from calmline's public address (see the package's docstring)."""

from __future__ import annotations

import json
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from calmline.errors import InputError

PANEL_PATH = "/console/panel/zendesk"
KEY_SETTING = "calmline_key"
_LOCAL = ("localhost", "127.0.0.1", "::1")
_STAMP = (2026, 1, 1, 0, 0, 0)  # every build of the same inputs gives the same bytes


def _checked(url: str) -> tuple[str, str]:
    """The address of calmline as given (no trailing slash) and its host name."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host or parts.query or parts.fragment:
        raise InputError(f"{url!r} is not calmline's address, like https://calmline.example.com")
    if parts.scheme == "http" and host not in _LOCAL:
        raise InputError(f"{url!r}: Zendesk loads apps and sends secure settings over HTTPS "
                              "only (http is for a local test)")
    return url.strip().rstrip("/"), host


def manifest(url: str, *, author_email: str | None = None, version: str = "1.0.0") -> dict[str, Any]:
    """The app's manifest.json: a ticket-sidebar location at calmline's panel, one secure
    setting (the calmline key), and calmline's host as the only domain it may be sent to."""
    base, host = _checked(url)
    return {
        "name": "calmline",
        "author": {"name": "calmline", "email": author_email or f"support@{host}", "url": base},
        "defaultLocale": "en",
        "private": True,
        "location": {"support": {"ticket_sidebar": {"url": base + PANEL_PATH, "flexible": True}}},
        "version": version,
        "frameworkVersion": "2.0",
        "domainWhitelist": [host],
        "parameters": [{"name": KEY_SETTING, "type": "text", "secure": True, "required": True}],
    }


TRANSLATIONS: dict[str, Any] = {"app": {
    "name": "calmline",
    "short_description": "De-escalation copilot beside the ticket editor.",
    "long_description": "Reads the customer (anger, flags, wants), says where the conversation "
                        "stands and what to do next, suggests replies, reviews your draft as you "
                        "type, and escalates or files a follow-up in calmline.",
    "installation_instructions": "Paste the API key of the calmline user the app acts as. It is "
                                 "stored as a secure setting: Zendesk adds it to calmline "
                                 "requests on its servers, and agents' browsers never see it.",
    "parameters": {KEY_SETTING: {
        "label": "calmline API key",
        "helpText": "The key of the calmline user this app acts as (calmline users create "
                    "--role supervisor). Sent only to the domain in the manifest."}},
}}


def _png(size: int) -> bytes:
    """A square logo in calmline's colours (a light dot on teal), as a plain RGB PNG."""
    teal, light = b"\x2f\x6f\x73", b"\xe3\xef\xee"
    centre, radius = (size - 1) / 2, size * 0.3
    rows = bytearray()
    for y in range(size):
        rows.append(0)  # filter: none
        for x in range(size):
            rows += light if (x - centre) ** 2 + (y - centre) ** 2 <= radius ** 2 else teal

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b""))


def build_app(url: str, out: Path, *, author_email: str | None = None) -> Path:
    """Write the app's zip to `out` (its folder is created) and return the path."""
    files: dict[str, str | bytes] = {
        "manifest.json": json.dumps(manifest(url, author_email=author_email), indent=2) + "\n",
        "translations/en.json": json.dumps(TRANSLATIONS, indent=2) + "\n",
        "assets/logo.png": _png(320),
        "assets/logo-small.png": _png(128),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(zipfile.ZipInfo(name, _STAMP), content)
    return out
