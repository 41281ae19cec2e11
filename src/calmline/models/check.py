"""Compare retrained artefacts with the committed ones: ``python -m calmline.models.check``.

`make models-check` retrains every artefact into a temporary folder and runs this on it: one line
per artefact with both SHA-256s, and for a file that differs whether only the gzip bytes differ
(the same JSON inside: another zlib, say) or the model itself, with the first values that moved.
Exit status 1 when any artefact differs or is missing, 0 when all are the same bytes.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
SHOWN = 8  # differing values shown per artefact


def sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


_MISSING = object()  # a key one side lacks


def differences(a: Any, b: Any, where: str = "", limit: int = SHOWN) -> list[str]:
    """Where two JSON values differ: up to `limit` lines "path: a -> b", in key order."""
    if type(a) is not type(b) or not isinstance(a, dict | list):
        same = type(a) is type(b) and a == b
        return [] if same else [f"{where or '/'}: {_short(a)} -> {_short(b)}"]
    found: list[str] = []
    if isinstance(a, dict):
        pairs = [(f"{where}/{key}", a.get(key, _MISSING), b.get(key, _MISSING))
                 for key in sorted(set(a) | set(b))]
    elif len(a) == len(b) and all(_is_number(x) for x in (*a, *b)):
        moved = [abs(x - y) for x, y in zip(a, b, strict=True) if x != y]  # weights: one line
        return [f"{where}: {len(moved)} of {len(a)} numbers, by up to {max(moved):.6g}"] if moved else []
    else:
        if len(a) != len(b):
            found.append(f"{where}: {len(a)} items -> {len(b)}")
        pairs = [(f"{where}[{_name(x, i)}]", x, y) for i, (x, y) in enumerate(zip(a, b, strict=False))]
    for path, x, y in pairs:
        if len(found) >= limit:
            break
        found += differences(x, y, path, limit - len(found))
    return found[:limit]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _name(item: Any, index: int) -> str:
    """A list item's name in a path: a head's section.label, else its index."""
    if isinstance(item, dict) and isinstance(item.get("label"), str):
        return ".".join(str(item[k]) for k in ("section", "label") if isinstance(item.get(k), str))
    return str(index)


def _short(value: Any) -> str:
    if value is _MISSING:
        return "missing"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def compare(expected: Path, found: Path, names: Sequence[str] | None = None) -> tuple[list[str], bool]:
    """The report's lines, and whether every artefact came out the same bytes."""
    names = list(names) if names else sorted(p.name for p in expected.glob("*.json.gz"))
    lines, same = [], True
    for name in names:
        want, got = expected / name, found / name
        if not got.is_file():
            lines.append(f"MISSING  {name}: not written to {found}")
            same = False
            continue
        raw_want, raw_got = want.read_bytes(), got.read_bytes()
        if raw_want == raw_got:
            lines.append(f"same     {name}  sha256 {sha256(raw_got)[:16]}")
            continue
        same = False
        json_want, json_got = gzip.decompress(raw_want), gzip.decompress(raw_got)
        if json_want == json_got:
            lines.append(f"DIFFERS  {name}  sha256 {sha256(raw_want)[:16]} -> {sha256(raw_got)[:16]}: "
                         "the gzip bytes only (the JSON inside is the same)")
            continue
        lines.append(f"DIFFERS  {name}  sha256 {sha256(raw_want)[:16]} -> {sha256(raw_got)[:16]}: "
                     "the model (committed -> retrained):")
        lines += [f"           {d}" for d in differences(json.loads(json_want), json.loads(json_got))]
    return lines, same


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m calmline.models.check",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("found", type=Path, help="the folder the trainers wrote to")
    parser.add_argument("--expected", type=Path, default=ARTIFACTS,
                        help="the committed artefacts (default: the package's models/artifacts)")
    parser.add_argument("names", nargs="*",
                        help="artefact file names (default: every *.json.gz in --expected)")
    args = parser.parse_intermixed_args(argv)  # names may follow --expected
    lines, same = compare(args.expected, args.found, args.names)
    print("\n".join(lines))
    if not same:
        print("retrained artefacts differ from the committed ones (see above)", file=sys.stderr)
        return 1
    print("every artefact retrained to the same bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
