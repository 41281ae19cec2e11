"""Security headers on every answer: a CSP that runs only the console's own scripts and styles,
framing only by the configured helpdesk origins, nosniff and no referrer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine

from calmline.settings import Settings
from tests.service.conftest import Api, make_api, migrated, sqlite_api

__all__ = ["migrated", "sqlite_api"]
PAGES = ["/console/", "/console/signin", "/console/conversations/1", "/console/queue",
         "/console/followups", "/console/insights"]


def _csp(response: object) -> dict[str, str]:
    header = response.headers["content-security-policy"]  # type: ignore[attr-defined]
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in header.split("; ")}


def _answers(api: Api) -> dict[str, object]:
    """One of each kind: page, static file, JSON, JSON error, redirect, plain health check."""
    return {
        "page": api.client.get("/console/"),
        "static": api.client.get("/console/static/common.js"),
        "json": api.client.get("/v1/me", headers=api.h("agent")),
        "401": api.client.get("/v1/me"),
        "404": api.client.get("/v1/nowhere", headers=api.h("agent")),
        "422": api.client.get("/v1/conversations/abc", headers=api.h("agent")),
        "redirect": api.client.get("/", follow_redirects=False),
        "health": api.client.get("/healthz"),
    }


def test_every_answer_carries_the_headers(sqlite_api: Api) -> None:
    for kind, response in _answers(sqlite_api).items():
        headers = response.headers  # type: ignore[attr-defined]
        assert headers["x-content-type-options"] == "nosniff", kind
        assert headers["referrer-policy"] == "no-referrer", kind
        assert headers["x-frame-options"] == "DENY", kind
        csp = _csp(response)
        assert csp["frame-ancestors"] == "'none'", kind
        assert csp["script-src"] == "'self'" and csp["default-src"] == "'self'", kind
        assert csp["object-src"] == "'none'" and csp["base-uri"] == "'none'", kind


@pytest.mark.parametrize("path", PAGES)
def test_console_pages_run_only_their_own_scripts(sqlite_api: Api, path: str) -> None:
    csp = _csp(sqlite_api.client.get(path))
    assert csp["script-src"] == "'self'"
    # the insights report's own <style> in its sandboxed srcdoc frame inherits the page's policy
    assert csp["style-src"] == ("'self' 'unsafe-inline'" if path == "/console/insights" else "'self'")


class _Inline(HTMLParser):
    """What a `script-src 'self'; style-src 'self'` policy would block in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "script" and "src" not in named and named.get("type") != "application/json":
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style>")
        self.found += [f"{name}= on <{tag}>" for name, _ in attrs
                       if name == "style" or name.startswith("on")]
        if any((value or "").strip().lower().startswith("javascript:") for _, value in attrs):
            self.found.append(f"javascript: URL on <{tag}>")


@pytest.mark.parametrize("path", PAGES)
def test_console_pages_have_nothing_inline_for_the_policy_to_block(sqlite_api: Api, path: str) -> None:
    parser = _Inline()
    parser.feed(sqlite_api.client.get(path).text)
    assert parser.found == []


def test_the_scripts_never_write_inline_styles_or_evaluate_strings() -> None:
    from calmline.console.mount import STATIC

    for script in STATIC.glob("*.js"):
        source = script.read_text(encoding="utf-8")
        assert not re.search(r"\beval\(|new Function\(|setAttribute\(\s*[\"']style|innerHTML\s*=.*style="
                             r"|\bstyle:\s*[`\"']", source), script.name


@pytest.fixture
def framed(migrated: dict[str, tuple[str, Engine]], request: pytest.FixtureRequest) -> Iterator[Api]:
    url, engine = migrated["sqlite"]
    yield from make_api(url, engine, frame_ancestors=request.param)


@pytest.mark.parametrize(("framed", "ancestors", "frame_options"), [
    ("https://acme.zendesk.com, https://*.chatwoot.example:8443",
     "https://acme.zendesk.com https://*.chatwoot.example:8443", None),
    ("self", "'self'", "SAMEORIGIN"),
    ("", "'none'", "DENY"),
], indirect=["framed"])
def test_helpdesk_origins_may_frame_the_console(framed: Api, ancestors: str,
                                                frame_options: str | None) -> None:
    response = framed.client.get("/console/panel")  # the helpdesk panel, the one framed page
    assert _csp(response)["frame-ancestors"] == ancestors
    assert response.headers.get("x-frame-options") == frame_options


@pytest.mark.parametrize("value", ["https://acme.zendesk.com; script-src *", "*", "acme.zendesk.com",
                                   "https://acme.zendesk.com/path", "'unsafe-inline'", "data:"])
def test_a_frame_ancestor_that_is_not_an_origin_is_refused_at_start(value: str) -> None:
    with pytest.raises(ValidationError):
        Settings(frame_ancestors=value)
