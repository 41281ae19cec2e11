"""The few sentences a support lead reads first: what to fix upstream, what works, who is strained.

Derived from the finished figures only (so they are as deterministic as the figures), and careful
with small samples: a behaviour is called helpful or harmful only when its interval excludes zero.
"""

from __future__ import annotations

from typing import Any

from calmline.insights import effects, returns

MIN_SHARE = 0.01  # a trigger in fewer conversations is too rare to call the angriest


def _name(trigger: dict[str, Any]) -> str:
    return f'{trigger["label"].replace("_", " ")} ({trigger["kind"]})'


def headlines(fig: dict[str, Any]) -> list[str]:
    """Plain sentences, most important first; empty when there is nothing to say."""
    out: list[str] = []
    total = fig["overview"]["conversations"]
    triggers = fig["triggers"]
    if triggers:
        top = triggers[0]
        out.append(f"Most common trigger: {_name(top)}, in {100 * top['share_of_conversations']:.0f}% "
                   f"of conversations ({top['conversations']:,} of {total:,}).")
        common = [t for t in triggers if t["share_of_conversations"] >= MIN_SHARE]
        angriest = max(common or triggers, key=lambda t: (t["avg_anger"], t["key"]))
        out.append(f"Angriest trigger: {_name(angriest)}, average anger {angriest['avg_anger']:.2f}.")
    if fig["trend"]["spikes"]:
        out.append(f"Biggest spike: {fig['trend']['spikes'][0]['text']}.")
    shares = fig["trajectories"]["shares"]
    multi = fig["trajectories"]["conversations_with_2_plus_customer_messages"]
    if multi:
        out.append(f"Of {multi:,} conversations with two or more customer messages, "
                   f"{100 * shares['de-escalated']['share']:.0f}% de-escalated and "
                   f"{100 * shares['escalated']['share']:.0f}% escalated.")
    out += returns.headline(fig["returns"])
    out += _what_works(fig["handling"])
    strained = [a["agent"] for a in fig["agent_load"] if a["needed_breather"]]
    if strained:
        out.append(f"{len(strained)} agent(s) would have been prompted to take a breather: "
                   f"{', '.join(strained[:5])}{'…' if len(strained) > 5 else ''}.")
    return out


def _effect(row: dict[str, Any]) -> str:
    anger = row["next_anger"]
    low, high = anger["ci95"]
    return (f"\"{row['title']}\" (next message's anger {anger['effect']:+.2f}, 95% CI {low:+.2f} to "
            f"{high:+.2f}; {anger['exchanges_with']:,} replies against {anger['exchanges_without']:,} "
            f"without, like with like).")


def _what_works(handling: dict[str, Any]) -> list[str]:
    if not handling.get("available"):
        return []
    readable = [r for r in handling["what_works"] if r["next_anger"]["enough_data"]
                and r["next_anger"]["ci95"] is not None]
    helping = sorted((r for r in readable if effects.helps(r)), key=lambda r: r["next_anger"]["effect"])
    hurting = sorted((r for r in readable if effects.hurts(r)), key=lambda r: -r["next_anger"]["effect"])
    out = [f"Followed by a calmer customer: {_effect(r)}" for r in helping[:3]]
    out += [f"Followed by an angrier customer: {_effect(r)}" for r in hurting[:3]]
    if readable and not out:
        compared = max(r["next_anger"]["exchanges_with"] + r["next_anger"]["exchanges_without"]
                       for r in readable)
        out.append(f"No behaviour or anti-pattern is clearly followed by a calmer (or angrier) "
                   f"customer yet ({compared:,} exchanges compared like with like).")
    return out
