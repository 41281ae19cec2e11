"""Follow-ups nobody misses (issue 14.3): what's next (tomorrow's included), counts per filter,
customer and subject on every item, reminders before the due time."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import Engine

from calmline.service.reminders import send_due
from tests.cases.dbs import BACKENDS
from tests.service.conftest import Api, make_api


def _iso(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat()


def _case(api: Api, who: str, subject: str, customer: str) -> int:
    made = api.client.post("/v1/conversations", headers=api.h(who), json={
        "subject": subject, "customer": {"external_id": f"x-{customer}", "name": customer}})
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def _followup(api: Api, conv: int, what: str, due: timedelta, who: str = "agent") -> int:
    made = api.client.post(f"/v1/conversations/{conv}/followups", headers=api.h(who),
                           json={"what": what, "due": _iso(due)})
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def _seed(api: Api) -> dict[str, int]:
    conv = _case(api, "agent", "Broken kettle", "Ann Lee")
    ids = {"late": _followup(api, conv, "send the label", -timedelta(hours=2)),
           "soon": _followup(api, conv, "call back", timedelta(minutes=30)),
           "tomorrow": _followup(api, conv, "check the refund", timedelta(hours=30)),
           "later": _followup(api, conv, "ask how it went", timedelta(days=5)),
           "done": _followup(api, conv, "email the form", timedelta(hours=3))}
    done = api.client.post(f"/v1/followups/{ids['done']}/complete", headers=api.h("agent"),
                           json={"result": "emailed"})
    assert done.status_code == 200
    theirs = _case(api, "other", "Late delivery", "Bo Chan")
    ids["theirs"] = _followup(api, theirs, "chase the courier", timedelta(minutes=10), who="other")
    return ids


def _listed(api: Api, status: str, who: str = "agent") -> list[int]:
    response = api.client.get("/v1/followups", params={"status": status}, headers=api.h(who))
    assert response.status_code == 200, response.text
    return [f["id"] for f in response.json()]


def test_next_holds_what_needs_doing_including_tomorrow(api: Api) -> None:
    ids = _seed(api)
    assert _listed(api, "next") == [ids["late"], ids["soon"], ids["tomorrow"]]
    assert _listed(api, "due") == [ids["late"], ids["soon"]]  # today's view alone misses tomorrow
    assert _listed(api, "overdue") == [ids["late"]]
    assert _listed(api, "open") == [ids["late"], ids["soon"], ids["tomorrow"], ids["later"]]
    assert _listed(api, "next", who="supervisor") == [ids["late"], ids["theirs"], ids["soon"],
                                                      ids["tomorrow"]]


def test_counts_match_every_filter(api: Api) -> None:
    _seed(api)
    for who in ("agent", "other", "supervisor"):
        counts = api.client.get("/v1/followups/counts", headers=api.h(who))
        assert counts.status_code == 200, counts.text
        for status, count in counts.json().items():
            assert count == len(_listed(api, status, who)), (who, status)
    mine = api.client.get("/v1/followups/counts", headers=api.h("agent")).json()
    assert mine == {"next": 3, "open": 4, "overdue": 1, "due": 2, "soon": 1, "done": 1,
                    "cancelled": 0}


def test_every_item_names_its_customer_and_subject(api: Api) -> None:
    ids = _seed(api)
    for status in ("next", "open", "done"):
        rows = api.client.get("/v1/followups", params={"status": status},
                              headers=api.h("agent")).json()
        assert rows and {(r["customer_name"], r["subject"]) for r in rows} == {
            ("Ann Lee", "Broken kettle")}
    queue = api.client.get("/v1/supervisor/queue", headers=api.h("supervisor")).json()
    assert [(f["id"], f["customer_name"]) for f in queue["overdue_followups"]] == [
        (ids["late"], "Ann Lee")]
    late = [f for f in queue["overdue_followups"] if f["id"] == ids["late"]][0]
    assert late["overdue"] is True and late["status"] == "open"


def test_reminders_list_what_falls_due_soon_and_not_what_is_late(api: Api) -> None:
    ids = _seed(api)
    url = "/v1/followups/reminders"
    assert [f["id"] for f in api.client.get(url, headers=api.h("agent")).json()] == [ids["soon"]]
    wider = api.client.get(url, params={"within_minutes": 31 * 60}, headers=api.h("agent")).json()
    assert [f["id"] for f in wider] == [ids["soon"], ids["tomorrow"]]
    everyone = api.client.get(url, headers=api.h("supervisor")).json()
    assert [f["id"] for f in everyone] == [ids["theirs"], ids["soon"]]
    for bad in ("0", "-5", "soon", str(8 * 24 * 60)):
        refused = api.client.get(url, params={"within_minutes": bad}, headers=api.h("agent"))
        assert refused.status_code == 422 and "error" in refused.json(), bad
    assert api.client.get(url).status_code == 401


def test_an_unknown_filter_is_a_clear_422(api: Api) -> None:
    refused = api.client.get("/v1/followups", params={"status": "tomorrow"}, headers=api.h("agent"))
    assert refused.status_code == 422 and refused.json()["error"]["code"]


def test_a_proposed_promise_is_filed_only_when_the_agent_confirms_it(api: Api) -> None:
    conv = _case(api, "agent", "Lost parcel", "Cy Diaz")
    api.say(conv, "My parcel never arrived and nobody called me back.")
    sent = api.client.post(f"/v1/conversations/{conv}/messages", headers=api.h("agent"), json={
        "role": "agent", "text": "I'm sorry. I will call you back tomorrow at 10am with the "
                                 "tracking update.", "followups": "propose"})
    assert sent.status_code == 201, sent.text
    posted = sent.json()
    assert posted["followups"] == [] and len(posted["proposed_followups"]) == 1
    proposal = posted["proposed_followups"][0]
    assert proposal["what"] and proposal["due"] and proposal["evidence"]
    case = api.client.get(f"/v1/conversations/{conv}", headers=api.h("agent")).json()
    assert case["followups"] == []
    assert api.client.get("/v1/followups/counts", headers=api.h("agent")).json()["open"] == 0
    audited = api.client.get("/v1/audit", params={"entity": "followup"},
                             headers=api.h("supervisor")).json()
    assert audited == []
    url = f"/v1/conversations/{conv}/followups"
    confirmed = api.client.post(url, headers=api.h("agent"), json={
        "what": proposal["what"], "due": proposal["due"], "message_id": posted["id"]})
    assert confirmed.status_code == 201, confirmed.text
    assert (confirmed.json()["source"], confirmed.json()["message_id"]) == ("commitment", posted["id"])
    assert confirmed.json()["customer_name"] == "Cy Diaz"
    customer_line = case["messages"][0]["id"]
    other = _case(api, "agent", "Other", "Di Eve")
    for wrong in (customer_line, 999_999):
        refused = api.client.post(url, headers=api.h("agent"),
                                  json={"what": "x", "message_id": wrong})
        assert refused.status_code == 422 and refused.json()["error"]["code"], wrong
    elsewhere = api.client.post(f"/v1/conversations/{other}/followups", headers=api.h("agent"),
                                json={"what": "x", "message_id": posted["id"]})
    assert elsewhere.status_code == 422
    bad = api.client.post(f"/v1/conversations/{conv}/messages", headers=api.h("agent"),
                          json={"role": "agent", "text": "ok", "followups": "later"})
    assert bad.status_code == 422


def test_without_propose_promises_are_filed_as_before(api: Api) -> None:
    conv = _case(api, "agent", "Lost parcel", "Cy Diaz")
    api.say(conv, "Where is my parcel?")
    posted = api.say(conv, "I will call you back tomorrow at 10am.", role="agent")
    assert len(posted["followups"]) == 1 and posted["proposed_followups"] == []  # type: ignore[arg-type]


def test_the_summary_says_overdue_and_gives_dates_in_words(api: Api) -> None:
    conv = _case(api, "agent", "Broken kettle", "Ann Lee")
    api.client.post(f"/v1/conversations/{conv}/followups", headers=api.h("agent"),
                    json={"what": "send the label", "due": "2020-03-06T09:30:00Z"})
    api.client.post(f"/v1/conversations/{conv}/followups", headers=api.h("agent"),
                    json={"what": "call back", "due": "2099-01-02T15:00:00+02:00"})
    summary = api.client.get(f"/v1/conversations/{conv}/summary", headers=api.h("agent")).json()
    text = summary["text"]
    assert "send the label (by Fri 6 Mar 2020, 09:30 UTC, overdue)" in text
    assert "call back (by Fri 2 Jan 2099, 13:00 UTC, open)" in text
    assert "2020-03-06T" not in text and "open)" not in text.split("call back")[0]
    assert summary["promised"][0]["due"].startswith("2020-03-06T09:30")  # programs keep ISO


class _Receiver:
    """A local HTTP endpoint standing in for an integration that forwards reminders."""

    def __init__(self) -> None:
        import http.server
        import threading

        received: list[tuple[dict[str, str], bytes]] = []
        self.received, self.status = received, [200]
        status = self.status

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((dict(self.headers), body))
                self.send_response(status[0])
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/calmline"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[_Receiver]:
    found = _Receiver()
    yield found
    found.close()


@pytest.fixture(params=BACKENDS)
def reminding(request: pytest.FixtureRequest, migrated: dict[str, tuple[str, Engine]],
              receiver: _Receiver) -> Iterator[Api]:
    url, engine = migrated[request.param]
    yield from make_api(url, engine, followup_reminder_url=receiver.url,
                        followup_reminder_minutes=60, followup_reminder_secret="s3cret",
                        followup_reminder_interval_seconds=3600)


def test_a_reminder_event_is_posted_once_before_the_due_time(reminding: Api,
                                                             receiver: _Receiver) -> None:
    api = reminding
    ids = _seed(api)
    state = api.client.app.state.calmline  # type: ignore[attr-defined]
    receiver.status[0] = 503  # the receiver is down: nothing is recorded, it is tried again
    with httpx.Client(timeout=10) as client:
        assert send_due(state, client) == 0
        receiver.status[0] = 200
        assert send_due(state, client) == 2
        assert send_due(state, client) == 0  # delivered ones are not sent again
    events = [json.loads(body) for _, body in receiver.received[-2:]]
    assert sorted(e["followup"]["id"] for e in events) == sorted([ids["soon"], ids["theirs"]])
    soon = [e for e in events if e["followup"]["id"] == ids["soon"]][0]
    assert soon["event"] == "followup.due_soon"
    assert soon["event_id"] == f"followup-{ids['soon']}-{soon['followup']['due']}"
    assert (soon["followup"]["customer_name"], soon["followup"]["subject"]) == (
        "Ann Lee", "Broken kettle")
    headers, body = receiver.received[-1]
    stamp = headers["X-Calmline-Timestamp"]
    expected = hmac.new(b"s3cret", f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    assert headers["X-Calmline-Signature"] == f"sha256={expected}"
    audited = api.client.get("/v1/audit", params={"entity": "followup", "entity_id": ids["soon"]},
                             headers=api.h("supervisor")).json()
    assert [e["action"] for e in audited].count("reminded") == 1
