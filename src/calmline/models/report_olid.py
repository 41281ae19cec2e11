"""Print the shipped ``offensive`` model's OLID subtask-A figures, for information only.

``python -m calmline.models.report_olid [--data DIR] [--model FILE]``

OLID has no licence for commercial use: it is never used to train, and nothing (design,
hyper-parameters, threshold) may be chosen from this number.  It is only reported.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from calmline.models.linear import LinearTextModel, load_model, load_model_file
from calmline.models.train import default_data_dir


def olid_report(model: LinearTextModel, path: Path) -> dict[str, float]:
    counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            gold = row["subtask_a"] == "OFF"
            pred = model.predict(row["tweet"] or "")
            key = ("t" if pred == gold else "f") + ("p" if pred else "n")
            counts[key] += 1
    tp, fp, fn, tn = counts["tp"], counts["fp"], counts["fn"], counts["tn"]

    def f1(tp_: int, fp_: int, fn_: int) -> float:
        return 2 * tp_ / (2 * tp_ + fp_ + fn_) if tp_ else 0.0

    off, not_ = f1(tp, fp, fn), f1(tn, fn, fp)
    return {"n": tp + fp + fn + tn, "f1_off": off, "f1_not": not_, "macro_f1": (off + not_) / 2,
            "precision_off": tp / (tp + fp) if tp + fp else 0.0,
            "recall_off": tp / (tp + fn) if tp + fn else 0.0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m calmline.models.report_olid")
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--model", type=Path, default=None, help="model file (default: shipped)")
    args = parser.parse_args(argv)
    data = args.data or default_data_dir()
    model = load_model_file(args.model) if args.model else load_model("offensive")
    r = olid_report(model, data / "olid" / "olid-training-v1.0.tsv")
    print(f"OLID subtask A (n={r['n']}, threshold={model.threshold}): macro-F1={r['macro_f1']:.4f} "
          f"F1(OFF)={r['f1_off']:.4f} F1(NOT)={r['f1_not']:.4f} "
          f"P(OFF)={r['precision_off']:.4f} R(OFF)={r['recall_off']:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
