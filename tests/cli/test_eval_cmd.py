"""`calmline eval`: JSON last line, Rich tables, and one-line errors without tracebacks."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner

from calmline.cli.eval_cmd import eval_command

try:
    from calmline.cli.main import app
except ImportError:  # other command modules not written yet: a group with just `eval`
    app = typer.Typer()

    @app.callback()
    def _group() -> None:
        """Calmline"""

    app.command("eval")(eval_command)

runner = CliRunner()
ARTEFACTS = resources.files("calmline.models") / "artifacts"
HAS_MODELS = all((ARTEFACTS / f"{n}.json.gz").is_file() for n in ("anger", "offensive"))

ANGRY = "You useless idiots!!! This is RIDICULOUS, I am furious"
CALM = "Thank you so much, have a lovely day"


@pytest.fixture(scope="module")
def playbook(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The default playbook without models, so results do not depend on the artefacts."""
    text = resources.files("calmline.playbook").joinpath("default.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    data["anger"]["model"] = None
    data["flags"]["abuse"]["model"] = None
    path = tmp_path_factory.mktemp("pb") / "lexicon.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return str(path)


def write(path: Path, text: str) -> str:
    path.write_text(text, "utf-8")
    return str(path)


def eval_json(*args: str) -> dict[str, object]:
    result = runner.invoke(app, ["eval", *args, "--json"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    data = json.loads(lines[-1])
    assert isinstance(data, dict)
    return data


def goemotions(tmp_path: Path) -> str:
    rows = [f"{ANGRY}\t2\ta", f"{CALM}\t15\tb", "Nice one\t0\td",
            "I am furious, this is ridiculous and I am fed up\t3,9\tc"]
    return write(tmp_path / "g.tsv", "\n".join(rows) + "\n")


def test_anger_perfect_on_clear_cases(tmp_path: Path, playbook: str) -> None:
    data = eval_json("anger", goemotions(tmp_path), "--playbook", playbook)
    assert data["task"] == "anger" and data["n"] == 4 and data["file"].endswith("g.tsv")
    metrics = data["metrics"]
    assert metrics["f1"] == 1.0 and metrics["roc_auc"] == 1.0 and metrics["support"] == 2


def test_limit(tmp_path: Path, playbook: str) -> None:
    data = eval_json("anger", goemotions(tmp_path), "--playbook", playbook, "--limit", "3")
    assert data["n"] == 3


def test_intensity(tmp_path: Path, playbook: str) -> None:
    path = write(tmp_path / "s.tsv", "id\ttweet\tanger_intensity\tanger_ordinal\n"
                 f"1\t{ANGRY}\\nREALLY\t0.9\t3\n2\t{CALM}\t0.05\t0\n3\tfed up with this\t0.6\t2\n")
    data = eval_json("intensity", path, "--playbook", playbook)
    assert data["n"] == 3 and data["metrics"]["pearson"] > 0.5


def test_offensive_reads_both_formats(tmp_path: Path, playbook: str) -> None:
    olid = write(tmp_path / "o.tsv", "id\ttweet\tsubtask_a\tsubtask_b\tsubtask_c\n"
                 "1\t@USER fuck you, idiot\tOFF\tTIN\tIND\n"
                 "2\tlovely weather today\tNOT\tNULL\tNULL\n")
    davidson = write(tmp_path / "d.csv", "row_id,count,hate_speech,offensive_language,neither,"
                     "class,tweet\n0,3,0,3,0,1,\"shut up, you moron\"\n1,3,0,0,3,2,see you soon\n")
    for path in (olid, davidson):
        data = eval_json("offensive", path, "--playbook", playbook)
        assert data["n"] == 2 and data["metrics"]["macro_f1"] == 1.0
        assert data["confusion"]["matrix"] == [[1, 0], [0, 1]]


def test_targeted_uses_offensive_rows_only(tmp_path: Path, playbook: str) -> None:
    path = write(tmp_path / "o.tsv", "id\ttweet\tsubtask_a\tsubtask_b\tsubtask_c\n"
                 "1\t@USER you are a useless idiot\tOFF\tTIN\tIND\n"
                 "2\tthis weather is shit\tOFF\tUNT\tNULL\n3\thello\tNOT\tNULL\tNULL\n")
    data = eval_json("targeted", path, "--playbook", playbook)
    assert data["n"] == 2 and data["metrics"]["macro_f1"] == 1.0


def test_cause_rich_tables(tmp_path: Path, playbook: str) -> None:
    path = write(tmp_path / "a.csv",
                 "tweet_id,airline_sentiment,negativereason,airline,text,tweet_created\n"
                 "1,negative,Flight Attendant Complaints,U,the flight attendant was rude,x\n"
                 "2,negative,Can't Tell,U,meh,x\n")
    result = runner.invoke(app, ["eval", "cause", path, "--playbook", playbook])
    assert result.exit_code == 0, result.output
    assert "macro_f1" in result.stdout and "staff" in result.stdout and "none" in result.stdout
    data = eval_json("cause", path, "--playbook", playbook)
    assert data["n"] == 1 and data["per_class"]["staff"]["f1"] == 1.0


@pytest.mark.parametrize("args, message", [
    (["angry", "{g}"], "unknown task 'angry'"),
    (["anger", "{missing}"], "no such file"),
    (["anger", "{o}"], "not comma-separated integers"),
    (["offensive", "{g}"], "not an offensive-language file"),
    (["cause", "{o}"], "not an airline complaints CSV file"),
    (["intensity", "{g}"], "lacks column"),
    (["targeted", "{empty}"], "empty"),
    (["anger", "{g}", "--limit", "0"], "--limit must be at least 1"),
    (["anger", "{g}", "--playbook", "{missing}"], "cannot read playbook"),
])
def test_errors_are_one_line_without_traceback(
        tmp_path: Path, playbook: str, args: list[str], message: str) -> None:
    files = {"g": goemotions(tmp_path), "missing": str(tmp_path / "nope.tsv"),
             "empty": write(tmp_path / "e.tsv", ""),
             "o": write(tmp_path / "o.tsv", "id\ttweet\tsubtask_a\n1\thi\tNOT\n")}
    argv = ["eval", *(a.format(**files) for a in args), "--json"]
    if "--playbook" not in argv:
        argv += ["--playbook", playbook]
    result = runner.invoke(app, argv)
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "error:" in result.stderr
    assert message in " ".join(result.stderr.split())
    assert result.stdout == ""


@pytest.mark.skipif(not HAS_MODELS, reason="shipped model artefacts not built yet")
def test_default_playbook_with_models(tmp_path: Path) -> None:
    data = eval_json("anger", goemotions(tmp_path))
    assert data["n"] == 4 and data["metrics"]["f1"] is not None
