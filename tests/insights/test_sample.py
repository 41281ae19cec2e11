"""The public-corpus sample builder: Twitter-layout threads the importer reads back whole."""

from __future__ import annotations

import csv
from pathlib import Path

from calmline.insights.importers import read_threads
from calmline.insights.model import ImportTally
from calmline.insights.sample import write_sample


def _data(root: Path) -> Path:
    """A miniature ../shared/data with both tweet files (same columns as the real ones)."""
    (root / "airline_complaints").mkdir(parents=True)
    (root / "complaints_twitter").mkdir()
    with (root / "airline_complaints" / "tweets_shared.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["tweet_id", "airline_sentiment", "negativereason", "airline", "text", "tweet_created"])
        for i in range(30):
            w.writerow([i, "negative", "", "Virgin America" if i % 2 else "United",
                        f"@airline my flight {i} is late again!",
                        f"2/{17 + i % 5}/2015 10:{i:02d}"])  # the file's own format
    with (root / "complaints_twitter" / "complaints_shared.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["tweet_id", "text", "complaint", "domain"])
        for i in range(10):
            w.writerow([100 + i, f"@brand my order {i} is broken", 1, "random_tweet" if i < 3 else "retail"])
    return root


def test_sample_uses_every_tweet_once_in_threads(tmp_path: Path) -> None:
    out = tmp_path / "sample.csv"
    written = write_sample(_data(tmp_path / "data"), out)
    tally = ImportTally()
    threads = list(read_threads([out], tally=tally))
    customer = [m.text for t in threads for m in t.messages if m.role == "customer"]
    assert sorted(customer) == sorted([f"@airline my flight {i} is late again!" for i in range(30)]
                                      + [f"@brand my order {i} is broken" for i in range(3, 10)])
    assert tally.bad == 0 and tally.messages == written
    assert all(t.messages[0].role == "customer" for t in threads)
    assert {m.author.split("_agent")[0] for t in threads for m in t.messages if m.role == "agent"
            and m.author} <= {"United", "VirginAmerica", "retail_support"}


def test_sample_resamples_to_the_size_asked_and_is_reproducible(tmp_path: Path) -> None:
    data = _data(tmp_path / "data")
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    assert write_sample(data, a, messages=500) == 500 == write_sample(data, b, messages=500)
    assert a.read_bytes() == b.read_bytes()
