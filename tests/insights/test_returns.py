"""Do customers come back, and angry: a hand-made set whose answer is known, each input's
customer id, and the figure's small-sample and key-finding rules."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from calmline.insights.importers import parse_columns, read_threads
from calmline.insights.model import ImportTally
from calmline.insights.report import render_html
from calmline.insights.returns import headline, returns
from calmline.insights.run import RunOptions, run_insights

from .conftest import ABUSE, ANGRY, CALM


def _conv(cid: str, customer: str | None, day: int | None, texts: list[str]) -> dict:
    msgs = []
    for i, text in enumerate(texts):
        role = "customer" if i % 2 == 0 else "agent"
        when = {"time": f"2026-05-{day:02d}T10:{i:02d}:00Z"} if day else {}
        msgs.append({"role": role, "text": text, **when})
    return {"id": cid, **({"customer": customer} if customer else {}), "messages": msgs}


REPLY = "Let me look into that for you."
KNOWN = [
    _conv("x2", "X", 2, [ANGRY]),                    # X's second visit starts angry (listed first)
    _conv("x1", "X", 1, ["ok thanks", REPLY, ABUSE]),  # X's first escalated
    _conv("y1", "Y", 1, [ANGRY, REPLY, CALM]),         # Y's first de-escalated
    _conv("y2", "Y", 3, [CALM]),                       # Y came back calm
    _conv("y3", "Y", None, [CALM]),                    # undated: a visit, but not ordered
    _conv("z1", "Z", 1, [ANGRY]),                      # one visit only
    _conv("n1", None, 1, [ANGRY]),                     # no customer id: not in this figure
]


def test_known_returns(tmp_path: Path) -> None:
    path = tmp_path / "known.jsonl"
    path.write_text("".join(json.dumps(c) + "\n" for c in KNOWN), encoding="utf-8")
    report = run_insights(RunOptions([path], workers=1, chunk_threads=2))
    r = report["returns"]
    counts = (r["customers"], r["conversations_with_customer"], r["conversations_without_customer"])
    assert counts == (3, 6, 1)
    assert (r["repeat_customers"], r["repeat_share"], r["undated_conversations"]) == (2, 0.6667, 1)
    assert r["returns"] == 2 and r["came_back_angry"]["came_back_angry"] == 1
    by = r["by_previous"]
    assert (by["escalated"]["came_back_angry"], by["escalated"]["returns"]) == (1, 1)
    assert (by["de-escalated"]["came_back_angry"], by["de-escalated"]["returns"]) == (0, 1)
    assert by["stayed"]["returns"] == by["single message"]["returns"] == 0
    assert not by["escalated"]["enough_data"] and not r["escalated_vs_de_escalated"]["enough_data"]
    assert not any("came back angry" in line for line in report["headlines"])
    html = render_html(report)
    assert "Do customers come back" in html and "too few to read" in html
    assert "1 conversations without a customer id" in html


def test_csv_customer_column_and_bad_rows_still_reported(tmp_path: Path) -> None:
    path = tmp_path / "tickets.csv"
    path.write_text("ticket,who,body,client\n"
                    "t1,customer,first,\nt1,agent,answer,\nt1,customer,again,c-9\n"
                    "t2,customer,other ticket,\nt1,martian,who,c-9\n", encoding="utf-8")
    tally = ImportTally()
    columns = parse_columns("conversation=ticket,role=who,text=body,customer=client")
    threads = list(read_threads([path], columns=columns, tally=tally))
    assert [(t.key, t.customer) for t in threads] == [("t1", "c-9"), ("t2", None)]
    assert [(b.line, b.reason.split(" ")[0]) for b in tally.bad_examples] == [(6, "unknown")]


def test_a_customer_column_is_found_by_name(tmp_path: Path) -> None:
    path = tmp_path / "tickets.csv"
    path.write_text("ticket_id,role,text,customer_id\nt1,customer,hello,42\n", encoding="utf-8")
    assert [t.customer for t in read_threads([path])] == ["42"]


def _visits(kind: str, angry: bool, customers: int, tag: str) -> Counter[tuple[str, int, int, str]]:
    """`customers` customers, each a `kind` conversation then one starting angry (rank 3) or calm."""
    out: Counter[tuple[str, int, int, str]] = Counter()
    for n in range(customers):
        out[(f"{tag}{n}", 1000, 0, kind)] += 1
        out[(f"{tag}{n}", 2000, 3 if angry else 0, "stayed")] += 1
    return out


def test_a_key_finding_only_when_the_interval_clears() -> None:
    clear = returns(_visits("escalated", True, 12, "e") + _visits("de-escalated", False, 12, "d"), 54)
    assert clear["escalated_vs_de_escalated"]["difference"] == 1.0
    assert clear["escalated_vs_de_escalated"]["enough_data"]
    assert clear["conversations_without_customer"] == 6
    assert headline(clear) and "more often" in headline(clear)[0]
    few = returns(_visits("escalated", True, 5, "e") + _visits("de-escalated", False, 5, "d"), 20)
    assert not few["escalated_vs_de_escalated"]["enough_data"] and headline(few) == []
    mixed = returns(_visits("escalated", True, 12, "e") + _visits("escalated", False, 12, "f")
                    + _visits("de-escalated", True, 12, "d") + _visits("de-escalated", False, 12, "g"), 96)
    assert mixed["escalated_vs_de_escalated"]["difference"] == 0.0 and headline(mixed) == []


def test_no_customer_ids_says_so(conversations_jsonl: Path, tmp_path: Path) -> None:
    lines = [json.loads(line) for line in conversations_jsonl.read_text("utf-8").splitlines()]
    path = tmp_path / "anonymous.jsonl"
    path.write_text("".join(json.dumps({k: v for k, v in c.items() if k != "customer"}) + "\n"
                            for c in lines), encoding="utf-8")
    report = run_insights(RunOptions([path], workers=1))
    assert report["returns"]["customers"] == 0 and report["returns"]["conversations_without_customer"] == 3
    assert "cannot be followed" in render_html(report)
