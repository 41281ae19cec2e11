from __future__ import annotations

import json
from pathlib import Path

import pytest

from calmline.errors import InputError
from calmline.insights.importers import detect_format, parse_columns, read_threads
from calmline.insights.model import ImportTally

from .conftest import CONVERSATIONS


def _read(path: Path, **kwargs: object) -> tuple[list, ImportTally]:
    tally = ImportTally()
    return list(read_threads([path], tally=tally, **kwargs)), tally  # type: ignore[arg-type]


def test_jsonl_reads_good_lines_and_reports_bad_ones_with_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    lines = [json.dumps(CONVERSATIONS[0]), "{not json", "",
             json.dumps({"messages": [{"role": "boss", "text": "x"}]}),
             json.dumps([{"role": "customer", "text": "bare list"}])]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    threads, tally = _read(path)
    assert [t.key for t in threads] == ["a", "x.jsonl:5"]
    assert [len(t.messages) for t in threads] == [3, 1]
    assert threads[0].messages[1].author == "ann"
    assert [(b.line, b.source) for b in tally.bad_examples] == [(2, "x.jsonl"), (4, "x.jsonl")]
    assert "role" in tally.bad_examples[1].reason
    assert (tally.rows, tally.bad, tally.threads, tally.messages) == (4, 2, 2, 4)


def test_json_file_with_a_list_of_conversations(tmp_path: Path) -> None:
    path = tmp_path / "all.json"
    path.write_text(json.dumps(CONVERSATIONS), encoding="utf-8")
    threads, tally = _read(path)
    assert [t.key for t in threads] == ["a", "b", "c"] and tally.bad == 0


CSV = """ticket,who,when,body,agent
t2,customer,2026-03-02T10:00:00Z,second ticket,
t1,customer,2026-03-01T10:00:00Z,first message,
t1,support,2026-03-01T10:05:00Z,agent answer,ann
t1,martian,2026-03-01T10:06:00Z,who is this,
t1,customer,not a time,bad time,
t2,customer,2026-03-02T10:01:00Z,,
t1,customer,2026-03-01T10:07:00Z,"multi
line",
"""


def test_csv_with_column_mapping_groups_rows_and_reports_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "tickets.csv"
    path.write_text(CSV, encoding="utf-8")
    columns = parse_columns("conversation=ticket,role=who,time=when,text=body")
    threads, tally = _read(path, columns=columns)
    assert [(t.key, [m.text for m in t.messages]) for t in threads] == [
        ("t1", ["first message", "agent answer", "multi\nline"]), ("t2", ["second ticket"])]
    assert threads[0].messages[1].role == "agent" and threads[0].messages[1].author == "ann"
    assert [(b.line, b.reason.split(" ")[0]) for b in tally.bad_examples] == [
        (5, "unknown"), (6, "unknown"), (7, "empty")]
    assert tally.rows == 7 and tally.bad == 3


def test_csv_without_the_needed_columns_names_the_option(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="--columns"):
        _read(path)
    with pytest.raises(InputError, match="FIELD=COLUMN"):
        parse_columns("speaker")


TWCS = """tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id
5,AirHelp,False,Tue Oct 31 22:20:00 +0000 2017,@bob sorry to hear that,,4
2,AirHelp,False,Tue Oct 31 22:12:00 +0000 2017,@alice so sorry! DM us,"3,6",1
1,alice,True,Tue Oct 31 22:10:00 +0000 2017,@AirHelp my bag is lost,2,
3,alice,True,Tue Oct 31 22:30:00 +0000 2017,@AirHelp done,,2
6,AirHelp,False,Tue Oct 31 22:14:00 +0000 2017,@alice and here is a link,,2.0
4,bob,True,Tue Oct 31 22:15:00 +0000 2017,@AirHelp delayed again,5,
4,bob,True,Tue Oct 31 22:15:00 +0000 2017,@AirHelp duplicate,,
7,carol,maybe,Tue Oct 31 22:15:00 +0000 2017,x,,
8,carol,True,yesterday,x,,
"""


def test_twcs_rebuilds_threads_from_reply_links(tmp_path: Path) -> None:
    path = tmp_path / "twcs.csv"
    path.write_text(TWCS, encoding="utf-8")
    assert detect_format(path) == "twcs"
    threads, tally = _read(path)
    assert [[m.text.split(" ", 1)[1] for m in t.messages] for t in threads] == [
        ["my bag is lost", "so sorry! DM us", "and here is a link", "done"],
        ["delayed again", "sorry to hear that"]]
    assert [m.role for m in threads[0].messages] == ["customer", "agent", "agent", "customer"]
    assert threads[0].messages[1].author == "AirHelp"
    assert [t.customer for t in threads] == ["alice", "bob"]  # the first inbound tweet's author
    assert sorted((b.line, b.reason.split(" ")[0]) for b in tally.bad_examples) == [
        (8, "duplicate"), (9, "inbound"), (10, "unknown")]


def test_format_detection_and_unknown_format(tmp_path: Path) -> None:
    assert detect_format(Path("a.jsonl")) == "jsonl"
    with pytest.raises(InputError, match="--format"):
        detect_format(Path("a.txt"))
    with pytest.raises(InputError, match="unknown format"):
        list(read_threads([tmp_path / "a.jsonl"], fmt="xml"))


def test_tsv_files_are_tab_separated(tmp_path: Path) -> None:
    path = tmp_path / "export.tsv"
    path.write_text("ticket_id\tspeaker\tbody\nt1\tcustomer\tmy bill, again, is wrong\n"
                    "t1\tagent\tsorry, checking\n", encoding="utf-8")
    threads, tally = _read(path)
    assert [m.text for m in threads[0].messages] == ["my bill, again, is wrong", "sorry, checking"]
    assert tally.bad == 0
