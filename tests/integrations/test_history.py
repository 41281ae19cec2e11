"""History in: Chatwoot's conversations and Zendesk's incremental ticket export, paginated,
from a start date, interrupted and resumed, into JSONL that insights reads."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from calmline.cli.main import app
from calmline.errors import InputError
from calmline.insights.import_chatwoot import export_chatwoot, to_conversation
from calmline.insights.import_zendesk import export_zendesk
from calmline.insights.run import RunOptions, run_insights
from calmline.integrations.chatwoot import ChatwootClient
from calmline.integrations.http import HelpdeskCallError
from calmline.integrations.resume import ResumableExport, state_path
from calmline.integrations.retry import RetryPolicy
from calmline.integrations.zendesk import ZendeskClient
from tests.integrations.conftest import ACCOUNT, CHATWOOT_TOKEN, ZENDESK_EMAIL, ZENDESK_TOKEN
from tests.integrations.fake_helpdesk import FakeHelpdesk, Recorded, fixture

ONCE = RetryPolicy(tries=1)
CW_SOURCE = {"helpdesk": "chatwoot"}


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


class ChatwootHistory:
    """60 conversations (25 a page, as Chatwoot pages them), each with the fixture's messages."""

    def __init__(self, count: int = 60) -> None:
        template = fixture("chatwoot/conversations_filter.json")["payload"][0]
        self.conversations = [{**template, "id": 1000 + i, "created_at": 1767261600 + i,
                               "meta": {**template["meta"], "sender": {"id": 500 + i % 7}}}
                              for i in range(count)]
        self.messages = fixture("chatwoot/list_all_messages.json")["payload"]
        self.broken: set[int] = set()
        self.fake = FakeHelpdesk()
        self.fake.route("POST", "/api/v1/accounts/3/conversations/filter", self.filter)
        self.fake.route("GET", r"/api/v1/accounts/3/conversations/(\d+)/messages", self.list_messages)

    def filter(self, request: Recorded, match: Any) -> tuple[int, Any]:
        page = int(request.param("page") or 1)
        return 200, {"meta": {"all_count": len(self.conversations)},
                     "payload": self.conversations[(page - 1) * 25: page * 25]}

    def list_messages(self, request: Recorded, match: Any) -> tuple[int, Any]:
        conversation = int(match.group(1))
        if conversation in self.broken:
            return 403, {"error": "not allowed"}
        after = int(request.param("after") or 0)
        page = [{**m, "id": conversation * 100 + i} for i, m in enumerate(self.messages)]
        return 200, {"payload": [m for m in page if m["id"] > after][:4]}  # short pages: paginate


def test_chatwoot_messages_keep_only_the_conversation() -> None:
    record = to_conversation(fixture("chatwoot/conversations_filter.json")["payload"][0],
                             fixture("chatwoot/list_all_messages.json")["payload"])
    assert record["id"] == "chatwoot-512" and record["customer"] == "chatwoot-contact-41"
    assert [(m["role"], m.get("author")) for m in record["messages"]] == [("customer", None), ("agent", "9")]
    assert record["messages"][0]["time"] == "2026-01-01T10:00:10Z"
    # private note, activity line, bot greeting and CSAT template are left out
    assert all("callback last week" not in m["text"] for m in record["messages"])


def test_chatwoot_export_is_interrupted_and_resumed_without_repeats(tmp_path: Path) -> None:
    history = ChatwootHistory()
    out = tmp_path / "chatwoot.jsonl"
    with history.fake.running():
        client = ChatwootClient(history.fake.url, ACCOUNT, CHATWOOT_TOKEN)
        history.broken = {1030}  # the 31st conversation, on page 2
        with pytest.raises(HelpdeskCallError), ResumableExport(out, CW_SOURCE) as export:
            export_chatwoot(client, export, since=date(2026, 1, 1), policy=ONCE)
        assert len(_lines(out)) == 30
        assert json.loads(state_path(out).read_text())["position"] == {"page": 2}
        with out.open("a") as handle:
            handle.write('{"id": "chatwoot-10')  # a line cut short by a kill
        history.broken = set()
        before = len(history.fake.requests)
        with ResumableExport(out, CW_SOURCE, resume=True) as export:
            written = export_chatwoot(client, export, since=date(2026, 1, 1), policy=ONCE)
    assert written == 30
    ids = [c["id"] for c in _lines(out)]
    assert ids == [f"chatwoot-{1000 + i}" for i in range(60)]
    resumed = history.fake.requests[before]
    assert (resumed.path, resumed.param("page")) == ("/api/v1/accounts/3/conversations/filter", "2")
    assert resumed.param("sort_by") == "created_at_asc"
    assert resumed.body == {"payload": [{"attribute_key": "created_at", "filter_operator": "is_greater_than",
                                         "values": ["2026-01-01"], "query_operator": None}]}
    assert all(r.headers["api_access_token"] == CHATWOOT_TOKEN for r in history.fake.requests)
    assert json.loads(state_path(out).read_text())["finished"] is True


def test_resume_refuses_another_export_and_a_fresh_run_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "x.jsonl"
    with ResumableExport(out, CW_SOURCE) as export:
        export.write({"id": "chatwoot-1", "messages": []})
        export.save({"page": 2})
    with pytest.raises(Exception, match="already exists"):
        ResumableExport(out, CW_SOURCE)
    with pytest.raises(Exception, match="holds another export"):
        ResumableExport(out, {"helpdesk": "zendesk"}, resume=True)
    with pytest.raises(InputError, match="is a folder"):
        ResumableExport(tmp_path, CW_SOURCE)
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(InputError, match="cannot write"), ResumableExport(blocker / "x.jsonl", CW_SOURCE):
        pass
    out.write_text("not json\n")
    with pytest.raises(InputError, match="x.jsonl:1: not a line this export wrote"):
        ResumableExport(out, CW_SOURCE, resume=True)


class ZendeskHistory:
    """Three pages of the incremental export (cursor c0 → c1 → c2, end of stream)."""

    def __init__(self) -> None:
        template = fixture("zendesk/incremental_ticket_export_cursor.json")["tickets"][0]
        self.tickets = [{**template, "id": 100 + i, "requester_id": 9000 + i,
                         "created_at": f"2026-01-{2 + i:02d}T09:00:00Z"} for i in range(6)]
        self.tickets[0]["created_at"] = "2025-12-01T09:00:00Z"  # before the start date, updated since
        self.comments = fixture("zendesk/list_comments.json")["comments"]
        self.broken: set[int] = set()
        self.fake = FakeHelpdesk()
        self.fake.route("GET", r"/api/v2/incremental/tickets/cursor\.json", self.export)
        self.fake.route("GET", r"/api/v2/tickets/(\d+)/comments\.json", self.list_comments)

    def export(self, request: Recorded, match: Any) -> tuple[int, Any]:
        page = {None: 0, "c1": 1, "c2": 2}[request.param("cursor")]
        return 200, {"tickets": self.tickets[page * 2: page * 2 + 2], "after_cursor": f"c{page + 1}",
                     "before_cursor": None, "end_of_stream": page == 2}

    def list_comments(self, request: Recorded, match: Any) -> tuple[int, Any]:
        ticket = int(match.group(1))
        if ticket in self.broken:
            return 403, {"error": "Forbidden"}
        requester = next(t["requester_id"] for t in self.tickets if t["id"] == ticket)
        comments = [{**c, "author_id": requester if c["author_id"] == 20978392 else c["author_id"]}
                    for c in self.comments]
        first = request.param("page[after]") is None  # two pages: has_more, then the rest
        chunk = comments[:2] if first else comments[2:]
        return 200, {"comments": chunk, "meta": {"has_more": first, "after_cursor": "p2" if first else None}}


def test_zendesk_export_pages_resumes_and_keeps_public_comments(tmp_path: Path) -> None:
    history = ZendeskHistory()
    out = tmp_path / "zendesk.jsonl"
    source = {"helpdesk": "zendesk"}
    with history.fake.running():
        client = ZendeskClient(history.fake.url, ZENDESK_EMAIL, ZENDESK_TOKEN)
        history.broken = {103}
        with pytest.raises(HelpdeskCallError), ResumableExport(out, source) as export:
            export_zendesk(client, export, since=date(2026, 1, 1), policy=ONCE)
        assert [c["id"] for c in _lines(out)] == ["zendesk-101", "zendesk-102"]
        assert json.loads(state_path(out).read_text())["position"] == {"cursor": "c1"}
        history.broken = set()
        before = len(history.fake.requests)
        with ResumableExport(out, source, resume=True) as export:
            export_zendesk(client, export, since=date(2026, 1, 1), policy=ONCE)
    first = history.fake.requests[0]
    assert first.query == {"start_time": ["1767225600"], "exclude_deleted": ["true"]}
    assert history.fake.requests[before].param("cursor") == "c1"
    assert all(r.headers["authorization"].startswith("Basic ") for r in history.fake.requests)
    records = _lines(out)
    assert [c["id"] for c in records] == [f"zendesk-{100 + i}" for i in range(1, 6)]  # 100: too old
    ticket = records[0]
    assert ticket["customer"] == "zendesk-user-9001" and ticket["channel"] == "email"
    roles = [(m["role"], m.get("author")) for m in ticket["messages"]]
    assert roles == [("customer", None), ("agent", "235323")]  # the internal note is left out
    assert json.loads(state_path(out).read_text())["finished"] is True


def test_import_command_with_progress_resume_and_insights(tmp_path: Path) -> None:
    history = ChatwootHistory(count=30)
    out = tmp_path / "cw.jsonl"
    env = {"CALMLINE_CHATWOOT_URL": history.fake.url, "CALMLINE_CHATWOOT_ACCOUNT_ID": str(ACCOUNT),
           "CALMLINE_CHATWOOT_API_TOKEN": CHATWOOT_TOKEN}
    args = ["integrations", "import", "chatwoot", "--out", str(out), "--since", "2026-01-01"]
    with history.fake.running():
        history.broken = {1027}
        stopped = CliRunner().invoke(app, args, env=env)
        assert stopped.exit_code == 1 and "--resume" in stopped.output
        again = CliRunner().invoke(app, args, env=env)
        assert again.exit_code == 2 and "already exists" in again.output
        history.broken = set()
        done = CliRunner().invoke(app, [*args, "--resume"], env=env)
    assert done.exit_code == 0, done.output
    assert "3 conversations written this run, 30 in" in done.output
    bad = CliRunner().invoke(app, [*args[:-1], "May 1"], env=env)
    assert bad.exit_code == 2 and "expected a date like 2025-01-31" in bad.output
    unset = CliRunner().invoke(app, args, env={**env, "CALMLINE_CHATWOOT_API_TOKEN": ""})
    assert unset.exit_code == 2 and "set CALMLINE_CHATWOOT_API_TOKEN" in unset.output
    typo = CliRunner().invoke(app, args, env={**env, "CALMLINE_CHATWOOT_ACCOUNT_ID": "acme"})
    assert typo.exit_code == 2 and "bad setting: CALMLINE_CHATWOOT_ACCOUNT_ID" in typo.output
    # the export is calmline's interchange format: insights reads it (the Dask engine reads the same)
    report = run_insights(RunOptions([out], workers=1))
    assert report["import"]["threads"] == 30 and report["import"]["bad_rows"] == 0
