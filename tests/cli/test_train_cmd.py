"""`calmline train --from-corrections` end to end: stored corrections -> team.yaml -> an analyzer
that now reads the corrected message right; `calmline eval ... --compare` shows both playbooks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import calmline
from calmline import Analyzer, load_playbook
from calmline.cases import agents, conversations, db
from calmline.cases import corrections as repo
from calmline.cases.intake import Incoming, record_message
from calmline.cases.wellbeing import WellbeingPolicy
from calmline.cli.main import app

runner = CliRunner()
NEWSLETTER = "I shall be telling the parish newsletter all about your shop."
NOT_VIOLENT = "This queue is absolutely murdering my afternoon."


def _store(url: str, marks: list[tuple[str, str, str]]) -> None:
    """One conversation per (kind, label, text): the customer's message and the correction."""
    engine = db.make_engine(url)
    db.upgrade(engine)
    try:
        with db.transaction(db.session_factory(engine)) as s:
            agent, _key = agents.create_agent(s, name="ana", role="agent")
            for kind, label, text in marks:
                conv = conversations.create_conversation(s, agent_id=agent.id)
                done = record_message(s, conversation_id=conv.id,
                                      incoming=Incoming(role="customer", text=text),
                                      actor_id=None, policy=WellbeingPolicy())
                repo.record_correction(s, message=done.message, kind=kind, label=label, note=None,
                                       actor_id=agent.id)
    finally:
        engine.dispose()


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    yield f"sqlite:///{tmp_path / 'calmline.db'}"


def test_train_writes_a_playbook_that_reads_the_corrected_message(url: str, tmp_path: Path) -> None:
    shipped = calmline.default_analyzer().analyze(NEWSLETTER)
    assert "public" not in {f.label for f in shipped.flags}  # the miss this test corrects
    _store(url, [("missed_flag", "public", NEWSLETTER), ("wrong_flag", "violence", NOT_VIOLENT),
                 ("level", "annoyed", NEWSLETTER)])
    out = tmp_path / "team" / "team.yaml"
    result = runner.invoke(app, ["train", "--from-corrections", "--database", url, "--out", str(out)])
    assert result.exit_code == 0, result.output
    for line in ("flags.public", "flags.violence", "anger.annoyed", "3 sentence(s) added from 3"):
        assert line in result.output
    assert out.read_text("utf-8").startswith("# calmline team playbook")
    team = load_playbook(out)
    assert NEWSLETTER in team.flags["public"].examples
    assert NOT_VIOLENT in team.flags["violence"].near_misses
    assert NEWSLETTER in team.anger.examples["annoyed"]
    reading = Analyzer(team).analyze(NEWSLETTER)
    assert "public" in {f.label for f in reading.flags}
    assert "violence" not in {f.label for f in Analyzer(team).analyze(NOT_VIOLENT).flags}

    # training twice from the same corrections on top of the team playbook adds nothing new
    again = runner.invoke(app, ["train", "--from-corrections", "--database", url, "--playbook",
                                str(out), "--out", str(tmp_path / "again.yaml")])
    assert again.exit_code == 0, again.output
    assert "0 sentence(s) added" in again.output


def test_no_corrections_is_a_clear_error(url: str, tmp_path: Path) -> None:
    out = tmp_path / "team.yaml"
    result = runner.invoke(app, ["train", "--from-corrections", "--database", url, "--out", str(out)])
    assert result.exit_code == 2
    assert "no corrections stored yet" in result.output
    assert not out.exists()
    missing = runner.invoke(app, ["train", "--database", url, "--out", str(out)])
    assert missing.exit_code == 2 and "--from-corrections" in missing.output


def test_eval_compare_shows_both_playbooks(url: str, tmp_path: Path) -> None:
    _store(url, [("missed_flag", "public", NEWSLETTER)])
    team = tmp_path / "team.yaml"
    assert runner.invoke(app, ["train", "--from-corrections", "--database", url, "--out",
                               str(team)]).exit_code == 0
    gold = {"level": "annoyed", "causes": [], "wants": [], "flags": ["public"], "venting": False}
    calm = {"level": "calm", "causes": [], "wants": [], "flags": [], "venting": False}
    rows = [{"id": "t-1", "split": "test", "channel": "chat", "text": NEWSLETTER, "gold": gold,
             "kind": "support"},
            {"id": "t-2", "split": "test", "channel": "chat", "text": "Thanks, that is all sorted.",
             "gold": calm, "kind": "support"}]
    data = tmp_path / "support.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")

    result = runner.invoke(app, ["eval", "support", str(data), "--playbook", str(team), "--compare",
                                 "--json"])
    assert result.exit_code == 0, result.output
    both = json.loads(result.stdout.strip().splitlines()[-1])
    assert both["team"]["playbook"] == str(team)
    assert both["shipped"]["n"] == both["team"]["n"] == 2
    assert both["shipped"]["per_class"]["flags.public"]["recall"] == 0.0
    assert both["team"]["per_class"]["flags.public"]["recall"] == 1.0

    table = runner.invoke(app, ["eval", "support", str(data), "--playbook", str(team), "--compare"])
    assert table.exit_code == 0, table.output
    assert "shipped" in table.output and "team" in table.output and "change" in table.output
    assert "flags_micro_f1" in table.output

    alone = runner.invoke(app, ["eval", "support", str(data), "--compare"])
    assert alone.exit_code == 2 and "--compare needs --playbook" in alone.output
