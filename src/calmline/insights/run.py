"""One insights run: read the inputs, analyse them on an engine, and return every figure."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from calmline.errors import InputError
from calmline.insights.database import display_url, read_database
from calmline.insights.engines import Progress, _noop, chunked, dask_client, run_dask, run_local
from calmline.insights.figures import figures
from calmline.insights.importers import read_threads
from calmline.insights.model import ImportTally, Thread
from calmline.playbook import load_playbook
from calmline.playbook.coach_loader import load_coach


@dataclass(frozen=True)
class RunOptions:
    """What to read and how to run. `client` (a distributed.Client) overrides `scheduler`;
    `database` is a SQLAlchemy URL of the service's case store, read after the files."""

    inputs: Sequence[str | Path]
    fmt: str = "auto"
    columns: Mapping[str, str] = field(default_factory=dict)
    engine: str = "local"
    workers: int = 2
    scheduler: str | None = None
    playbook: str | None = None
    coach: str | None = None  # path of a team's coach YAML (default: the packaged one)
    chunk_threads: int = 200
    client: Any = None
    database: str | None = None


def read_all(options: RunOptions, tally: ImportTally) -> Iterator[Thread]:
    """The threads of every input file, then of the database (if one is given)."""
    yield from read_threads(options.inputs, options.fmt, options.columns, tally)
    if options.database:
        for thread in read_database(options.database, tally):
            tally.threads += 1
            tally.messages += len(thread.messages)
            yield thread


def run_insights(options: RunOptions, progress: Progress = _noop) -> dict[str, Any]:
    """{"meta": how the run went, "import": the tally with bad rows, **figures}."""
    if options.engine not in ("local", "dask"):
        raise InputError(f"unknown engine {options.engine!r}; choose local or dask")
    if options.engine == "dask" and options.client is None and not options.scheduler:
        raise InputError("--engine dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786)")
    if not options.inputs and not options.database:
        raise InputError("nothing to read: give input files, or --db DATABASE_URL")
    for path in options.inputs:
        if not Path(path).is_file():
            raise InputError(f"no such input file: {path}")
    wellbeing = load_playbook(options.playbook).wellbeing  # validates a team's playbook up front
    playbook = Path(options.playbook).read_text("utf-8") if options.playbook else None
    coach_config = load_coach(options.coach)  # validates a team's coach up front
    coach = Path(options.coach).read_text("utf-8") if options.coach else None
    tally = ImportTally()
    chunks = chunked(read_all(options, tally), options.chunk_threads)
    started = time.perf_counter()
    if options.engine == "dask":
        client = options.client or dask_client(str(options.scheduler))
        try:
            where = f"{len(client.nthreads())} Dask worker(s) at {client.scheduler.address}"
            stats = run_dask(chunks, client, playbook, progress, coach=coach)
        finally:
            if options.client is None:
                client.close()
    else:
        workers = max(1, options.workers)
        where = f"{workers} process{'es' if workers > 1 else ''}"
        stats = run_local(chunks, options.workers, playbook, progress, coach=coach)
    elapsed = time.perf_counter() - started
    inputs = [str(p) for p in options.inputs]
    if options.database:
        inputs.append(display_url(options.database))
    meta = {"inputs": inputs, "engine": options.engine, "where": where,
            "seconds": round(elapsed, 2),
            "messages_per_second": round(tally.messages / elapsed, 1) if elapsed > 0 else None,
            "playbook": options.playbook or "packaged", "coach": options.coach or "packaged",
            "wellbeing": wellbeing.model_dump()}
    return {"meta": meta, "import": tally.to_dict(), **figures(stats, wellbeing, coach_config)}
