"""Loaders: each format read into typed rows; anything else is a clear InputError."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from calmline.errors import InputError
from calmline.evaluation import datasets as ds


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding)
    return path


GOEMOTIONS = "I am so annoyed with this\t3\tid1\nThanks a lot!\t15,27\tid2\n"
INTENSITY = ("id\ttweet\tanger_intensity\tanger_ordinal\n"
             "t1\tfirst line\\nsecond line\t0.75\t3: high amount of anger can be inferred\n"
             "t2\tall good\t0.1\t0\n")
OLID = ("id\ttweet\tsubtask_a\tsubtask_b\tsubtask_c\n"
        "1\t@USER you are an idiot\tOFF\tTIN\tIND\n"
        "2\twhat a \"lovely\" day\tNOT\tNULL\tNULL\n")
DAVIDSON = ("row_id,count,hate_speech,offensive_language,neither,class,tweet\n"
            "0,3,0,0,3,2,\"hello, world\"\n"
            "1,3,0,3,0,1,\"you are trash\nsecond line\"\n"
            "2,3,3,0,0,0,hateful words\n")
AIRLINE = ("tweet_id,airline_sentiment,negativereason,airline,text,tweet_created\n"
           "1,negative,Late Flight,United,\"@united late again, 3 hours\",2/24/2015 11:35\n"
           "2,positive,,Delta,@delta thanks!,2/24/2015 11:36\n")


def test_goemotions_rows(tmp_path: Path) -> None:
    rows = list(ds.load_goemotions(write(tmp_path / "g.tsv", GOEMOTIONS)))
    assert rows == [ds.EmotionRow("id1", "I am so annoyed with this", frozenset({3})),
                    ds.EmotionRow("id2", "Thanks a lot!", frozenset({15, 27}))]


def test_goemotions_keeps_quotes_verbatim(tmp_path: Path) -> None:
    rows = list(ds.load_goemotions(write(tmp_path / "g.tsv", '"quoted" text\t2\tx\n')))
    assert rows[0].text == '"quoted" text'


@pytest.mark.parametrize("text, message", [
    ("id\ttweet\tsubtask_a\n", "not comma-separated integers"),
    ("text\t2,99\tx\n", "out of range"),
    ("only one column\n", "expected at least 2 columns"),
])
def test_goemotions_bad_format(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        list(ds.load_goemotions(write(tmp_path / "g.tsv", text)))


def test_intensity_rows_turn_literal_newlines_into_newlines(tmp_path: Path) -> None:
    rows = list(ds.load_intensity(write(tmp_path / "s.tsv", INTENSITY)))
    assert rows[0] == ds.IntensityRow("t1", "first line\nsecond line", 0.75, 3)
    assert rows[1].intensity == pytest.approx(0.1) and rows[1].ordinal == 0


def test_intensity_without_ordinal_column(tmp_path: Path) -> None:
    rows = list(ds.load_intensity(write(tmp_path / "s.tsv", "id\ttweet\tanger_intensity\n"
                                                             "a\tgrr\t0.5\n")))
    assert rows == [ds.IntensityRow("a", "grr", 0.5, None)]


def test_intensity_bad_number_and_missing_columns(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.tsv", "id\ttweet\tanger_intensity\na\tgrr\tvery\n")
    with pytest.raises(InputError, match="line 2.*not a number"):
        list(ds.load_intensity(bad))
    with pytest.raises(InputError, match="lacks column.*anger_intensity"):
        list(ds.load_intensity(write(tmp_path / "g.tsv", GOEMOTIONS)))


def test_olid_rows(tmp_path: Path) -> None:
    rows = list(ds.load_olid(write(tmp_path / "o.tsv", OLID)))
    assert rows[0] == ds.OlidRow("1", "@USER you are an idiot", "OFF", "TIN", "IND")
    assert rows[1].text == 'what a "lovely" day' and rows[1].subtask_b == "NULL"


def test_olid_bad_label(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="line 2: subtask_a is 'MAYBE'"):
        list(ds.load_olid(write(tmp_path / "o.tsv", "id\ttweet\tsubtask_a\n1\thi\tMAYBE\n")))


def test_davidson_rows_with_quoted_newlines(tmp_path: Path) -> None:
    rows = list(ds.load_davidson(write(tmp_path / "d.csv", DAVIDSON)))
    assert [r.offensive for r in rows] == [False, True, True]
    assert rows[0].text == "hello, world" and rows[1].text == "you are trash\nsecond line"
    assert {r.source for r in rows} == {"davidson"}


def test_davidson_bad_class(tmp_path: Path) -> None:
    path = write(tmp_path / "d.csv", "row_id,class,tweet\n1,7,hey\n")
    with pytest.raises(InputError, match="class is '7'"):
        list(ds.load_davidson(path))


def test_offensive_detects_the_format(tmp_path: Path) -> None:
    olid, davidson = write(tmp_path / "o.tsv", OLID), write(tmp_path / "d.csv", DAVIDSON)
    assert ds.detect_offensive_format(olid) == "olid"
    assert ds.detect_offensive_format(davidson) == "davidson"
    assert [r.offensive for r in ds.load_offensive(olid)] == [True, False]
    assert [r.source for r in ds.load_offensive(olid)] == ["olid", "olid"]
    assert len(list(ds.load_offensive(davidson))) == 3
    with pytest.raises(InputError, match="not an offensive-language file"):
        list(ds.load_offensive(write(tmp_path / "g.tsv", GOEMOTIONS)))


def test_airline_rows(tmp_path: Path) -> None:
    rows = list(ds.load_airline(write(tmp_path / "a.csv", AIRLINE)))
    assert rows[0] == ds.AirlineRow("1", "@united late again, 3 hours", "negative", "Late Flight",
                                    "United")
    assert rows[1].reason == "" and rows[1].sentiment == "positive"


def test_airline_missing_columns(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="airline complaints CSV.*negativereason"):
        list(ds.load_airline(write(tmp_path / "a.csv", "tweet_id,airline_sentiment,text\n1,x,y\n")))


@pytest.mark.parametrize("loader", [ds.load_goemotions, ds.load_intensity, ds.load_olid,
                                    ds.load_davidson, ds.load_offensive, ds.load_airline])
def test_unusable_files(tmp_path: Path, loader: Callable[[Path], Iterator[object]]) -> None:
    with pytest.raises(InputError, match="no such file"):
        list(loader(tmp_path / "missing.tsv"))
    with pytest.raises(InputError, match="not a file"):
        list(loader(tmp_path))
    with pytest.raises(InputError, match="empty"):
        list(loader(write(tmp_path / "empty.tsv", "\n\n")))
    latin = tmp_path / "latin1.tsv"
    latin.write_bytes("caf\xe9\t2\tx\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        list(loader(latin))


def test_utf8_bom_is_ignored(tmp_path: Path) -> None:
    rows = list(ds.load_airline(write(tmp_path / "a.csv", AIRLINE, "utf-8-sig")))
    assert rows[0].id == "1"


def test_tweets_are_html_unescaped(tmp_path: Path) -> None:
    path = write(tmp_path / "o.tsv", "id\ttweet\tsubtask_a\n1\tyou &amp; me &#128514; &lt;3\tNOT\n")
    assert next(ds.load_olid(path)).text == "you & me \U0001f602 <3"
