"""The copilot beside the helpdesk's composer (issue 13.3): the panel page, its framing rules, and
the lookup of calmline's case by the helpdesk's id.

The browser half loads the panel inside host pages served from another origin that play
Chatwoot's part (a dashboard app's `appContext` by postMessage) and Zendesk's (the Apps framework
client: get / on / invoke / request through a proxy that fills in the secure setting).
Screenshots: test-artifacts/panel-chatwoot.png and test-artifacts/panel-zendesk.png."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from calmline.service.headers import ZAF_SDK
from tests.console.conftest import ARTIFACTS, Server, Watched, free_port, post_json, start_server
from tests.security.test_headers import PAGES, _csp, _Inline
from tests.service.conftest import Api, api, make_api, migrated, sqlite_api

if TYPE_CHECKING:
    from playwright import sync_api

__all__ = ["api", "migrated", "sqlite_api"]
HELPDESKS = "https://acme.zendesk.com https://chat.example.org"
HOST_FILES = Path(__file__).with_name("panel_hosts")


@pytest.fixture
def framed(migrated: dict[str, tuple[str, Engine]]) -> Iterator[Api]:
    url, engine = migrated["sqlite"]
    yield from make_api(url, engine, frame_ancestors=HELPDESKS)


def test_only_the_panel_may_be_framed_and_only_by_the_helpdesks(framed: Api) -> None:
    for path in ("/console/panel/chatwoot", "/console/panel/zendesk", "/console/panel"):
        panel = framed.client.get(path)
        assert panel.status_code == 200, path
        assert _csp(panel)["frame-ancestors"] == HELPDESKS, path
        assert "x-frame-options" not in panel.headers, path  # it cannot name two origins
    others = {path: framed.client.get(path) for path in [*PAGES, "/console/static/panel.js"]}
    others["/v1/me"] = framed.client.get("/v1/me", headers=framed.h("agent"))
    for path, response in others.items():
        assert _csp(response)["frame-ancestors"] == "'none'", path
        assert response.headers["x-frame-options"] == "DENY", path


def test_the_panel_runs_zendesks_sdk_only_in_zendesk_and_nothing_inline(sqlite_api: Api) -> None:
    zendesk = sqlite_api.client.get("/console/panel/zendesk")
    chatwoot = sqlite_api.client.get("/console/panel/chatwoot")
    assert f'<script src="{ZAF_SDK}">' in zendesk.text
    assert "zdassets" not in chatwoot.text
    assert _csp(zendesk)["script-src"] == "'self' https://static.zdassets.com"
    for response in (zendesk, chatwoot):
        parser = _Inline()
        parser.feed(response.text)
        assert parser.found == []
        assert _csp(response)["style-src"] == "'self'"


def test_an_unknown_host_is_a_clear_error(sqlite_api: Api) -> None:
    response = sqlite_api.client.get("/console/panel/intercom")
    assert response.status_code == 422
    assert set(response.json()["error"]) >= {"code", "message", "detail"}


def test_a_case_is_found_by_its_helpdesk_id_under_v1s_rules(api: Api) -> None:
    made = api.client.post("/v1/conversations", headers=api.h("supervisor"),
                           json={"external_id": "zendesk:4242", "agent_id": api.ids["agent"]})
    assert made.status_code == 201, made.text
    api.client.post("/v1/conversations", headers=api.h("supervisor"),
                    json={"external_id": "zendesk:42", "agent_id": api.ids["agent"]})

    def found(who: str, external_id: str) -> list[int]:
        response = api.client.get("/v1/conversations", params={"external_id": external_id},
                                  headers=api.h(who))
        assert response.status_code == 200, response.text
        return [c["id"] for c in response.json()]

    case = made.json()["id"]
    assert found("agent", "zendesk:4242") == [case]
    assert found("supervisor", "zendesk:4242") == [case]
    assert found("other", "zendesk:4242") == []  # another agent's case stays out of sight
    assert found("agent", "zendesk:424") == []  # the whole id, never a prefix
    assert found("agent", "chatwoot:1:4242") == []


@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=1, max_size=220))
def test_any_helpdesk_id_gets_an_answer_never_a_failure(api: Api, text: str) -> None:
    response = api.client.get("/v1/conversations", params={"external_id": text},
                              headers=api.h("supervisor"))
    readable = len(text) <= 200 and not any(ord(c) < 32 or ord(c) == 127 for c in text)
    assert response.status_code == (200 if readable else 422), response.text
    if readable:
        assert response.json() == []


@pytest.mark.parametrize("bad", ["", "zendesk:1\x00", "x" * 201])
def test_a_bad_helpdesk_id_is_a_clear_error(sqlite_api: Api, bad: str) -> None:
    response = sqlite_api.client.get("/v1/conversations", params={"external_id": bad},
                                     headers=sqlite_api.h("agent"))
    assert response.status_code == 422
    assert response.json()["error"]["code"]


# --- in a browser, inside the helpdesks (played) ---------------------------------------------

ANGRY = ("This is ridiculous!!! I've waited 3 weeks for order #LP-48213 and nobody called back. "
         "I want a refund or I'm calling my lawyer.")
BLOCKED = "Please calm down, it's our policy."
GOOD = ("I'm really sorry you've waited three weeks for order LP-48213; that is frustrating. "
        "I will refund you today and email you the confirmation by 5pm.")


class Helpdesk:
    """A local server playing both helpdesks' pages, on its own port: Chatwoot's at
    http://127.0.0.1:<port>, Zendesk's at http://localhost:<port> (two origins), and Zendesk's
    proxy at /proxy, which fills in the app's secure setting as Zendesk's servers do."""

    def __init__(self) -> None:
        self.port = free_port()
        self.chatwoot = f"http://127.0.0.1:{self.port}"
        self.zendesk = f"http://localhost:{self.port}"
        self.panel = ""
        self.secure_key = ""
        self.proxied: list[dict[str, Any]] = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        helpdesk = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _send(self, status: int, body: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                name = urlsplit(self.path).path.lstrip("/")
                if name not in ("chatwoot.html", "zendesk.html", "evil.html"):
                    self._send(404, b"no such page", "text/plain")
                    return
                origin = f"http://{self.headers['Host']}"
                page = (HOST_FILES / name).read_text("utf-8")
                page = page.replace("{{PANEL}}", helpdesk.panel).replace("{{ORIGIN}}", origin)
                self._send(200, page.encode(), "text/html; charset=utf-8")

            def do_POST(self) -> None:  # noqa: N802
                options = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                helpdesk.proxied.append(options)
                self._send(200, json.dumps(helpdesk.forward(options)).encode(), "application/json")

        return Handler

    def forward(self, options: dict[str, Any]) -> dict[str, Any]:
        """Zendesk's proxy: a secure request gets the setting's value in place of its
        placeholder, on the server; the browser only ever held the placeholder."""
        headers = dict(options.get("headers") or {})
        if options.get("secure"):
            headers = {k: v.replace("{{setting.calmline_key}}", self.secure_key)
                       for k, v in headers.items()}
        if options.get("contentType"):
            headers["Content-Type"] = options["contentType"]
        try:
            answer = httpx.request(options.get("type", "GET"), options["url"], headers=headers,
                                   content=options.get("data"), timeout=30)
        except httpx.HTTPError as exc:  # calmline already stopped (a panel's last poll)
            return {"status": 502, "responseJSON": None, "responseText": str(exc)}
        try:
            body = answer.json()
        except ValueError:
            body = None
        return {"status": answer.status_code, "responseJSON": body, "responseText": answer.text}

    def __enter__(self) -> Helpdesk:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def helpdesk() -> Iterator[Helpdesk]:
    with Helpdesk() as played:
        yield played


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, helpdesk: Helpdesk) -> Iterator[Server]:
    """Calmline serve, framed by the played helpdesks and knowing Chatwoot's address (actions out
    switched off: nothing is sent to the played helpdesk)."""
    env = {"CALMLINE_FRAME_ANCESTORS": f"{helpdesk.chatwoot} {helpdesk.zendesk}",
           "CALMLINE_CHATWOOT_URL": helpdesk.chatwoot, "CALMLINE_CHATWOOT_ACCOUNT_ID": "1",
           "CALMLINE_CHATWOOT_ACTIONS": "", "CALMLINE_ZENDESK_ACTIONS": ""}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        started = start_server(tmp_path_factory.mktemp("panel"))
        running = next(started)
    helpdesk.panel = running.url
    yield running
    next(started, None)


def _case(server: Server, admin: str, agent_id: object, external_id: str, subject: str) -> int:
    case = post_json(server, admin, "/v1/conversations",
                     {"subject": subject, "external_id": external_id, "agent_id": agent_id})["id"]
    post_json(server, admin, f"/v1/conversations/{case}/messages", {"role": "customer", "text": ANGRY})
    return int(str(case))


@pytest.fixture(scope="module")
def people(server: Server) -> dict[str, Any]:
    admin = server.admin_key()
    assert admin, f"serve printed no admin key:\n{server.output}"
    made = post_json(server, admin, "/v1/users", {"name": "Panel Agent", "role": "agent"})
    cases = {ext: _case(server, admin, made["id"], ext, subject) for ext, subject in
             (("chatwoot:1:7", "Late refund"), ("chatwoot:1:8", "Another one"),
              ("zendesk:88", "Refund by email"))}
    return {"admin": admin, "agent": str(made["key"]), "cases": cases}


def _escalations(server: Server, key: str, case: int) -> list[dict[str, Any]]:
    detail = httpx.get(f"{server.url}/v1/conversations/{case}",
                       headers={"Authorization": f"Bearer {key}"}, timeout=30).json()
    found: list[dict[str, Any]] = detail["escalations"]
    return found


def _review_follows_the_draft(panel: sync_api.FrameLocator, type_draft: Any) -> None:
    type_draft(BLOCKED)
    panel.locator("#review[data-verdict=blocked]").wait_for()
    assert "calm down" in panel.locator("#antipatterns").inner_text().lower()
    type_draft(GOOD)
    panel.locator("#review:not([data-verdict=blocked])[data-verdict]").wait_for()
    assert panel.locator("#antipatterns li").count() == 0


def _top(panel: sync_api.FrameLocator) -> None:
    """The panel scrolled back to its top (the reading), for the screenshot."""
    panel.locator("html").evaluate("(n) => n.ownerDocument.defaultView.scrollTo(0, 0)")


def _escalate(panel: sync_api.FrameLocator, reason: str) -> None:
    panel.locator("#escalate summary").click()
    panel.locator("#esc-reason").fill(reason)
    panel.locator("#escalate-form button[type=submit]").click()
    panel.locator("#panel-escalations li", has_text=reason).wait_for()


def test_the_panel_in_chatwoots_dashboard_app(server: Server, helpdesk: Helpdesk, watched: Watched,
                                              people: dict[str, Any]) -> None:
    page = watched.page(new_context=True)
    page.goto(f"{helpdesk.chatwoot}/chatwoot.html?conv=7")
    panel = page.frame_locator("#app")
    # first time in this frame: sign in inside it (the key stays in the frame's sessionStorage)
    panel.locator("#panel-key").fill(people["agent"])
    panel.locator("#panel-signin button[type=submit]").click()
    panel.locator("body[data-ready]").wait_for()
    case = people["cases"]["chatwoot:1:7"]
    assert panel.locator("#panel-open").get_attribute("href") == f"/console/conversations/{case}"
    # the reading of the customer: level, flags with their reasons, wants
    assert panel.locator("#panel-level").inner_text().split()[0] in ("angry", "hostile", "frustrated")
    flags = panel.locator("#reading-flags li")
    assert flags.count() >= 1 and flags.first.locator("div").inner_text().strip()
    assert panel.locator("#reading-wants .chip[data-label=refund]").count() == 1
    assert panel.locator("#next-move").inner_text().strip()
    # a suggestion goes into the panel's draft (Chatwoot lets no app into its reply box)
    first = panel.locator(".panel-suggestion").first
    text = first.locator("p").inner_text()
    first.locator("[data-insert]").click()
    assert panel.locator("#draft").input_value().strip() == text.strip()
    _review_follows_the_draft(panel, lambda draft: panel.locator("#draft").fill(draft))
    # Copy: the draft onto the clipboard, to paste into Chatwoot's reply box
    panel.locator("#draft-copy").click()
    panel.locator(".toast", has_text="Copied").wait_for()
    page.locator("#reply").focus()
    page.keyboard.press("Control+V")
    assert page.locator("#reply").input_value() == GOOD
    _escalate(panel, "Threatens a lawyer over a late refund")
    assert [e["reason"] for e in _escalations(server, people["agent"], case)
            if e["trigger"] == "manual"] == [
        "Threatens a lawyer over a late refund"]
    _top(panel)
    page.screenshot(path=str(ARTIFACTS.parent / "panel-chatwoot.png"))

    # another origin's frame posts a conversation: ignored
    page.evaluate("""(src) => { const f = document.createElement('iframe'); f.id = 'evil';
                      f.src = src; document.body.append(f); }""", f"{helpdesk.zendesk}/evil.html?conv=8")
    page.frame_locator("#evil").locator("body[data-posted]").wait_for(state="attached")
    page.wait_for_timeout(1500)  # give an accepted message time to show (it must not)
    assert panel.locator("#panel-open").get_attribute("href") == f"/console/conversations/{case}"
    # the same message from Chatwoot itself switches the panel
    page.evaluate("() => window.showConversation(8)")
    other = people["cases"]["chatwoot:1:8"]
    panel.locator(f"#panel-open[href='/console/conversations/{other}']").wait_for()


def test_the_panel_in_zendesks_ticket_sidebar(server: Server, helpdesk: Helpdesk, watched: Watched,
                                              people: dict[str, Any]) -> None:
    helpdesk.secure_key = people["agent"]
    page = watched.page(new_context=True)
    sdk = (HOST_FILES / "zaf_sdk.js").read_text("utf-8")
    page.context.route(ZAF_SDK, lambda route: route.fulfill(body=sdk, content_type="text/javascript"))
    page.goto(f"{helpdesk.zendesk}/zendesk.html?ticket=88")
    panel = page.frame_locator("#app")
    panel.locator("body[data-ready]").wait_for()  # no sign-in: the app's secure setting
    case = people["cases"]["zendesk:88"]
    assert panel.locator("#panel-open").get_attribute("href") == f"/console/conversations/{case}"
    assert panel.locator("#reading-flags li").count() >= 1
    # every call went through the framework's request, secure, with only the placeholder
    assert helpdesk.proxied and all(
        o["secure"] is True and o["headers"]["Authorization"] == "Bearer {{setting.calmline_key}}"
        for o in helpdesk.proxied)
    assert not any(people["agent"] in json.dumps(o) for o in helpdesk.proxied)
    # the live review follows what the agent types in Zendesk's editor
    _review_follows_the_draft(panel, lambda draft: page.locator("#editor").fill(draft))
    # Insert appends the suggestion to Zendesk's editor (comment.appendText)
    page.locator("#editor").fill("")
    first = panel.locator(".panel-suggestion").first
    text = first.locator("p").inner_text().strip()
    first.locator("[data-insert]").click()
    page.wait_for_function("(t) => document.getElementById('editor').value.includes(t)", arg=text)
    calls = page.evaluate("() => window.zafCalls.map((c) => [c.call, c.args[0]])")
    assert ["invoke", "comment.appendText"] in calls and ["get", "comment.text"] in calls
    assert ["invoke", "resize"] in calls  # the sidebar's frame grows with the panel
    assert int(page.locator("#app").get_attribute("data-height").removesuffix("px")) > 300
    panel.locator("#followup summary").click()
    panel.locator("#fu-what").fill("Call Dana back about the refund")
    panel.locator("#fu-due").fill("2030-01-02T09:30")
    panel.locator("#followup-form button[type=submit]").click()
    panel.locator("#followup:not([open])").wait_for(state="attached")
    filed = httpx.get(f"{server.url}/v1/conversations/{case}", timeout=30,
                      headers={"Authorization": f"Bearer {people['agent']}"}).json()["followups"]
    assert [(f["what"], f["due"][:4]) for f in filed] == [("Call Dana back about the refund", "2030")]
    _escalate(panel, "Legal threat in ticket 88")
    assert [e["reason"] for e in _escalations(server, people["agent"], case)
            if e["trigger"] == "manual"] == [
        "Legal threat in ticket 88"]
    _top(panel)
    page.screenshot(path=str(ARTIFACTS.parent / "panel-zendesk.png"))


def test_the_same_panel_in_calmlines_own_console(server: Server, watched: Watched,
                                                 people: dict[str, Any]) -> None:
    case = people["cases"]["chatwoot:1:8"]  # not escalated to a supervisor by the tests above
    page = watched.page(new_context=True)
    page.goto(f"/console/panel?conversation={case}")
    page.fill("#panel-key", "not-a-key")
    page.click("#panel-signin button[type=submit]")
    page.wait_for_selector("#panel-status:has-text('not valid')")
    assert page.url.endswith(f"/console/panel?conversation={case}")  # no redirect away
    refused = [e for e in watched.errors if "status of 401" in e]
    assert len(refused) == 1  # the browser logs the refused key's answer; nothing else went wrong
    watched.errors.remove(refused[0])
    page.fill("#panel-key", people["agent"])
    page.click("#panel-signin button[type=submit]")
    page.wait_for_selector("body[data-ready]")
    assert page.locator("#reading-flags li").count() >= 1
    page.locator(".panel-suggestion [data-insert]").first.click()
    assert page.locator("#draft").input_value().strip()
    # a double submit files the escalation once (one idempotency key per filled-in form)
    page.click("#escalate summary")
    page.fill("#esc-reason", "Submitted twice")
    page.eval_on_selector("#escalate-form", "(f) => { f.requestSubmit(); f.requestSubmit(); }")
    page.wait_for_selector("#panel-escalations li:has-text('Submitted twice')")
    page.wait_for_load_state("networkidle")
    mine = [e for e in _escalations(server, people["agent"], case) if e["reason"] == "Submitted twice"]
    assert len(mine) == 1
