"""A team's own method reaches every part: a playbook with a renamed route and a plug-in detector
with its own settings, and a coach with a new anti-pattern, in the CLI, the service, the console's
catalogue, and insights on the local engine and on Dask."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from calmline.cases import agents, db
from calmline.cli.main import app as cli
from calmline.insights.run import RunOptions, run_insights
from calmline.service import create_app
from calmline.settings import Settings
from tests.signals.helpers import write_detector_plugin
from tests.signals.test_detector_settings import PLUGIN

PACKAGED = Path(__file__).parents[1] / "src/calmline/playbook"
GOING_PUBLIC = "I will post this all over Twitter and tell everyone 🚨🚨 how useless you are"
CHAT = [{"role": "customer", "text": "My parcel 48213 never arrived and nobody tells me anything!"},
        {"role": "agent", "text": "I'm sorry. The courier lost it, not us, so there is nothing we can do."},
        {"role": "customer", "text": GOING_PUBLIC}]


@dataclass
class Team:
    playbook: Path
    coach: Path
    folder: Path


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Team]:
    folder = tmp_path_factory.mktemp("team")
    write_detector_plugin(folder, "calmline_sirens", PLUGIN, "sirens = calmline_sirens:CountedSirens")
    playbook = yaml.safe_load((PACKAGED / "default.yaml").read_text())
    playbook["routes"]["pr_team"] = playbook["routes"].pop("social_media")
    for flag in playbook["flags"].values():
        if flag.get("route") == "social_media":
            flag["route"] = "pr_team"
    playbook["detectors"].append("sirens")
    playbook["detector_settings"] = {"sirens": {"at_least": 2, "score": 0.75}}
    coach = yaml.safe_load((PACKAGED / "coach.yaml").read_text())
    coach["anti_patterns"]["courier_blame"] = {
        "title": "blames the courier", "weight": 20, "why": "the customer bought from us, not them",
        "rewrite": "Own it: \"I'm sorry it didn't arrive; I'll chase it and fix it.\"",
        "patterns": ["(the )?courier('s)? (lost|fault|problem)"]}
    team = Team(folder / "team.yaml", folder / "team_coach.yaml", folder)
    team.playbook.write_text(yaml.safe_dump(playbook, allow_unicode=True))
    team.coach.write_text(yaml.safe_dump(coach, allow_unicode=True))
    saved_path, saved_env = list(os.sys.path), os.environ.get("PYTHONPATH")
    os.sys.path.insert(0, str(folder))  # the plug-in is installed here and in Dask's workers
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(folder), saved_env) if p)
    yield team
    os.sys.path[:] = saved_path
    if saved_env is None:
        os.environ.pop("PYTHONPATH", None)
    else:
        os.environ["PYTHONPATH"] = saved_env


def test_the_cli_reads_and_coaches_with_the_team_method(team: Team, tmp_path: Path) -> None:
    runner = CliRunner()
    read = runner.invoke(cli, ["analyze", "--json", "--playbook", str(team.playbook), GOING_PUBLIC])
    assert read.exit_code == 0, read.output
    analysis = json.loads(read.output)
    assert "pr_team" in {r["route"] for r in analysis["escalate"]["reasons"]}
    assert [f["score"] for f in analysis["extra"] if f["label"] == "siren"] == [0.75]
    conversation = tmp_path / "chat.json"
    conversation.write_text(json.dumps({"messages": CHAT[:1]}))
    coached = runner.invoke(cli, ["review", "--json", "--coach", str(team.coach), "--conversation",
                                  str(conversation), "--draft", CHAT[1]["text"]])
    assert coached.exit_code == 0, coached.output
    assert "courier_blame" in {a["label"] for a in json.loads(coached.output)["anti_patterns"]}


def test_the_service_and_console_use_the_team_method(team: Team, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'team.db'}"
    application = create_app(Settings(database_url=url, playbook=str(team.playbook),
                                      coach=str(team.coach)), migrate=True)
    with db.transaction(application.state.calmline.sessions) as session:
        _, key = agents.create_agent(session, name="lead", role="supervisor")
    headers = {"Authorization": f"Bearer {key}"}
    with TestClient(application) as client:
        conv = client.post("/v1/conversations", json={}, headers=headers).json()["id"]
        for turn in CHAT[:2]:  # the agent's line is one the coach blocks: it goes out with a reason
            sent = client.post(f"/v1/conversations/{conv}/messages", headers=headers,
                               json={**turn, "override_reason": "replaying a real case"}
                               if turn["role"] == "agent" else turn)
            assert sent.status_code == 201, sent.text
        posted = client.post(f"/v1/conversations/{conv}/messages", json=CHAT[2], headers=headers)
        assert posted.status_code == 201, posted.text
        assert "pr_team" in {e["route"] for e in posted.json()["escalations"]}
        review = client.post("/v1/reviews", headers=headers, json={
            "draft": CHAT[1]["text"], "conversation": {"messages": CHAT[:1]}})
        assert "courier_blame" in {a["label"] for a in review.json()["anti_patterns"]}
        catalogue = client.get("/v1/catalogue", headers=headers).json()
        assert "pr_team" in json.dumps(catalogue) and "social_media" not in json.dumps(catalogue)
        assert "courier_blame" in json.dumps(catalogue)
        page = client.get("/console/queue")
        assert page.status_code == 200 and "pr_team" in page.text  # the console is served the names
        report = client.get("/console/api/insights", headers=headers).json()
        assert report["available"] and "blames the courier" in report["html"]  # the team's coach
    application.state.calmline.sessions.kw["bind"].dispose()


@pytest.fixture(scope="module")
def export(team: Team) -> Path:
    path = team.folder / "history.jsonl"
    rows = [{"id": f"c{n}", "messages": [{**t, "author": "ann" if t["role"] == "agent" else None}
                                         for t in CHAT]} for n in range(6)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _team_report(report: dict[str, Any]) -> None:
    handling = report["handling"]
    assert "courier_blame" in handling["anti_labels"]
    row = next(r for r in handling["overall"] if r["label"] == "courier_blame")
    assert row["replies"] == 6 and row["title"] == "blames the courier"


def test_insights_use_the_team_method_locally_and_on_dask(team: Team, export: Path) -> None:
    local = run_insights(RunOptions([export], workers=1, playbook=str(team.playbook),
                                    coach=str(team.coach)))
    _team_report(local)
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        on_dask = run_insights(RunOptions([export], engine="dask", scheduler=cluster.scheduler_address,
                                          playbook=str(team.playbook), coach=str(team.coach)))
    _team_report(on_dask)
    assert on_dask["handling"]["overall"] == local["handling"]["overall"]
