"""Build a thread-shaped sample in the Twitter layout from the public airline and complaint tweets.

    python -m calmline.insights.sample --data ../shared/data --out sample.csv [--messages N]

The public files hold single customer tweets, not threads. Threads are recombined: the tweets of
one airline (or complaint domain) are taken in time order, one to four at a time, as a customer's
turns; between them an agent reply is drawn from the small bank below (good and bad replies, so
the coach has something to find), each agent belonging to that airline's team. Airline tweets keep
their real times; the complaint tweets have none, so their threads are undated. With --messages
N, tweets are resampled (with replacement) until N messages are written — the scale benchmark's
input. Everything is seeded, so the same data gives the same file.

Because follow-up tweets are drawn at random, "what works" on this sample should show no real
effect: it is a null check of the method, not a finding. Evaluation-only licences: use the
sample for reports, never for training.
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from calmline.insights.timeparse import parse_time

AGENT_REPLIES = (
    "I'm so sorry about this, that sounds really frustrating. Can you DM me your confirmation number "
    "so I can look into it right now?",
    "Thanks for your patience. I've rebooked you on the 6:40pm flight and I'll send the confirmation "
    "by email within the hour.",
    "I completely understand how upsetting it is to miss your connection. Let me check the options: "
    "a seat tomorrow at 8am, or a full refund. Which would you prefer?",
    "That's our policy, there's nothing I can do.",
    "Calm down, it's not a big deal. Delays happen.",
    "The delay was caused by weather and air traffic control, not us.",
    "I hear you, and I'm sorry we let you down. I will personally follow up with the baggage team "
    "and message you by 5pm today.",
    "You must have entered the wrong date when you booked.",
    "We guarantee this will never happen again!",
    "Thank you for flagging this. To confirm: your bag didn't arrive on flight 302 and you need it "
    "for tomorrow. I've opened a trace and will update you by noon tomorrow.",
    "Please follow us and DM the details.",
    "Sorry for the trouble. Our team is looking into it.",
    "As I said before, you should read the terms and conditions.",
    "I'm really sorry you had to wait so long on hold. I'll make sure a supervisor calls you back "
    "today before 6pm.",
    "Thanks for reaching out! Is there anything else we can help with?",
    "That's frustrating, I'm sorry. Would you like a travel voucher or a refund to your card? "
    "Either can be done today.",
)
AGENTS_PER_TEAM = 12


def _airline(data: Path) -> dict[str, list[tuple[str, datetime | None]]]:
    teams: dict[str, list[tuple[str, datetime | None]]] = {}
    with (data / "airline_complaints" / "tweets_shared.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            teams.setdefault(row["airline"].replace(" ", ""), []).append(
                (row["text"], parse_time(row["tweet_created"])))
    for tweets in teams.values():
        tweets.sort(key=lambda t: (t[1] or datetime.min.replace(tzinfo=UTC)))
    return teams


def _complaints(data: Path) -> dict[str, list[tuple[str, datetime | None]]]:
    teams: dict[str, list[tuple[str, datetime | None]]] = {}
    with (data / "complaints_twitter" / "complaints_shared.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if not row["domain"].startswith("random"):
                teams.setdefault(f"{row['domain']}_support", []).append((row["text"], None))
    return teams


def _threads(teams: dict[str, list[tuple[str, datetime | None]]], rng: random.Random,
             resample: bool) -> Iterator[tuple[str, list[tuple[str, datetime | None]]]]:
    """(team, customer tweets) per thread; each tweet once, or forever resampled."""
    names = sorted(teams)
    while True:
        for team in names:
            tweets = teams[team]
            i = 0
            while i < len(tweets):
                n = rng.choice((1, 2, 2, 3, 3, 4))
                if resample:
                    start = rng.randrange(len(tweets))
                    yield team, [tweets[(start + k * rng.randrange(1, 40)) % len(tweets)] for k in range(n)]
                    i += n * 50  # move on to the next team now and then
                else:
                    yield team, tweets[i:i + n]
                    i += n
        if not resample:
            return


def _fmt(time: datetime | None) -> str:
    return time.strftime("%a %b %d %H:%M:%S +0000 %Y") if time else ""


def rows(data: Path, messages: int | None = None, seed: int = 7) -> Iterator[list[str]]:
    """Twitter-layout rows (without the header), threads one after another."""
    rng = random.Random(seed)
    teams = {**_airline(data), **_complaints(data)}
    tweet_id, written, thread_no = 0, 0, 0
    for team, customer in _threads(teams, rng, messages is not None):
        thread_no += 1
        author, agent = f"customer{thread_no}", f"{team}_agent{rng.randrange(AGENTS_PER_TEAM) + 1}"
        time, parent = customer[0][1], ""
        turns = [(author, text) for text, _ in customer[:1]]
        for text, _ in customer[1:]:
            turns += [(agent, f"@{author} {rng.choice(AGENT_REPLIES)}"), (author, text)]
        if rng.random() < 0.8:
            turns.append((agent, f"@{author} {rng.choice(AGENT_REPLIES)}"))
        for number, (who, text) in enumerate(turns, start=1):
            tweet_id += 1
            yield [str(tweet_id), who, str(who == author), _fmt(time), text,
                   str(tweet_id + 1) if number < len(turns) else "", parent]
            parent = str(tweet_id)
            time = time + timedelta(minutes=rng.randint(3, 120)) if time else None
            written += 1
            if messages is not None and written >= messages:
                return


def write_sample(data: Path, out: Path, messages: int | None = None, seed: int = 7) -> int:
    """Write the sample to `out`; returns the number of messages written."""
    count = 0
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["tweet_id", "author_id", "inbound", "created_at", "text",
                         "response_tweet_id", "in_response_to_tweet_id"])
        for row in rows(data, messages, seed):
            writer.writerow(row)
            count += 1
    return count


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=Path("public_sample.csv"))
    parser.add_argument("--messages", type=int, default=None, help="resample to this many messages")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    print(f"wrote {write_sample(args.data, args.out, args.messages, args.seed):,} messages to {args.out}")


if __name__ == "__main__":
    main()
