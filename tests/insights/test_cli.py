"""`calmline insights` end to end: inputs in, an HTML report and a JSON of figures out."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from calmline.cli import insights_cmd  # noqa: F401  (registers the command)
from calmline.cli.main import app


def test_insights_writes_report_and_json(conversations_jsonl: Path, tmp_path: Path) -> None:
    bad = tmp_path / "more.jsonl"
    bad.write_text('{"messages": [{"role": "customer", "text": "hi"}]}\nnot json\n', encoding="utf-8")
    out = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["insights", str(conversations_jsonl), str(bad), "--out", str(out),
                                      "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "4 conversations" in result.output and "1 bad rows" in result.output
    assert "more.jsonl:2" in result.output  # the skipped row is named on the console too
    html = out.read_text(encoding="utf-8")
    assert html.count("<svg") >= 6 and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<script" not in html and "more.jsonl" in html
    data = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert data["import"]["bad_examples"] == [{"source": "more.jsonl", "line": 2, "reason": data["import"][
        "bad_examples"][0]["reason"]}]
    assert {"triggers", "trend", "trajectories", "handling", "agent_load", "training"} <= set(data)
    best = {(e["conversation"], e["turn"]) for e in data["training"]["best"]}
    worst = {(e["conversation"], e["turn"]) for e in data["training"]["worst"]}
    assert worst and not best & worst  # bob's "Calm down, that is our policy." is badly handled only


def test_insights_errors_are_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["insights", str(tmp_path / "missing.jsonl"), "--out",
                                      str(tmp_path / "r.html")])
    assert result.exit_code == 2 and "no such input file" in result.output
    csv = tmp_path / "odd.csv"
    csv.write_text("a,b\n1,2\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["insights", str(csv), "--columns", "nonsense"])
    assert result.exit_code == 2 and "FIELD=COLUMN" in result.output


def test_insights_over_the_database(tmp_path: Path) -> None:
    from sqlalchemy import create_engine

    from calmline.cases.models import Base

    from .test_database import fill

    url = f"sqlite:///{tmp_path / 'cases.db'}"
    Base.metadata.create_all(create_engine(url))
    fill(url)
    out = tmp_path / "db.html"
    result = CliRunner().invoke(app, ["insights", "--db", url, "--out", str(out), "--processes", "1"])
    assert result.exit_code == 0, result.output
    assert "3 conversations, 7 messages" in result.output
    assert json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))["meta"]["inputs"] == [url]


def test_insights_needs_something_to_read() -> None:
    result = CliRunner().invoke(app, ["insights"])
    assert result.exit_code == 2 and "nothing to read" in result.output


def test_a_teams_playbook_reaches_the_workers(conversations_jsonl: Path, tmp_path: Path) -> None:
    from importlib import resources

    import yaml

    data = yaml.safe_load(resources.files("calmline.playbook").joinpath("default.yaml").read_text("utf-8"))
    data["wellbeing"].update(breather=0.5, overload=5.0)  # a team with a hair trigger
    team = tmp_path / "team.yaml"
    team.write_text(yaml.safe_dump(data), encoding="utf-8")
    out = tmp_path / "team.html"
    result = CliRunner().invoke(app, ["insights", str(conversations_jsonl), "--playbook", str(team),
                                      "--out", str(out), "--processes", "2"])
    assert result.exit_code == 0, result.output
    report = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert report["meta"]["wellbeing"]["breather"] == 0.5
    assert {a["agent"] for a in report["agent_load"] if a["needed_breather"]} == {"ann", "bob"}
    bad = tmp_path / "bad.yaml"
    bad.write_text("anger: [not, a, mapping]\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["insights", str(conversations_jsonl), "--playbook", str(bad)])
    assert result.exit_code == 2 and "invalid playbook" in result.output


def test_inputs_with_nothing_readable_are_an_error_and_write_no_report(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"messages": [', encoding="utf-8")
    out = tmp_path / "r.html"
    result = CliRunner().invoke(app, ["insights", str(broken), "--out", str(out), "--workers", "1"])
    assert result.exit_code == 2 and "no conversation could be read" in result.output
    assert "broken.json" in result.output and not out.exists()
