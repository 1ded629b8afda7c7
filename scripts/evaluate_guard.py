"""Evaluate the reply guard on eval/guard/: per-pitfall precision/recall, false positives on good replies.

uv run python scripts/evaluate_guard.py               # the test split
uv run python scripts/evaluate_guard.py --split dev --errors
uv run python scripts/evaluate_guard.py --json
uv run python scripts/evaluate_guard.py --file train/guard/gm.jsonl   # a held-out writer
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.guard.schemas import PITFALL_CODES  # noqa: E402
from scripts.evaluate import (  # noqa: E402
    add_file_option,
    evaluated_on,
    load_labeled,
    prf,
    progress,
)


def load_replies(split: str, files: list[Path] | None = None) -> list[dict[str, Any]]:
    """Labeled replies of one split (`dev`, `test` or `all`), or every reply of `files`."""
    return load_labeled(ROOT / "eval" / "guard", split, files, split_key="guard:{id}")


def evaluate(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Per-code P/R/F1, bad-reply recall and the false-positive rate on good replies."""
    from app.services import build_services

    services = build_services()
    gold, predicted, errors = [], [], []
    good = flagged_good = bad = caught_bad = 0
    for item in progress(items, "guard"):
        customer_text = item.get("customer_text")
        customer = services.analyzer.analyze(customer_text) if customer_text else None
        result = services.check(item["reply"], customer_text, customer)
        codes = {finding.code for finding in result.findings}
        gold.append(set(item["pitfalls"]))
        predicted.append(codes)
        if item["pitfalls"]:
            bad += 1
            caught_bad += bool(codes)
        else:
            good += 1
            flagged_good += bool(codes)
        if codes != set(item["pitfalls"]):
            errors.append({"id": item["id"], "reply": item["reply"], "gold": sorted(item["pitfalls"]),
                           "predicted": sorted(codes)})  # fmt: skip
    report = prf(gold, predicted, PITFALL_CODES)
    return {
        "items": len(items),
        "codes": report,
        "bad_replies_flagged": caught_bad / bad if bad else 1.0,
        "false_positive_rate": flagged_good / good if good else 0.0,
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--split", choices=["dev", "test", "all"], default="test")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--errors", action="store_true", help="list every disagreement")
    add_file_option(parser)
    args = parser.parse_args()
    where = evaluated_on(args)
    items = load_replies(args.split, args.file)
    if not items:
        parser.error(f"no labeled replies in {where}")
    report = evaluate(items)
    if not args.errors:
        report.pop("errors")
    if args.json:
        print(json.dumps({"split": where, **report}, ensure_ascii=False, indent=2))
        return
    codes = report["codes"]
    print(f"Huashu guard on {where}: {report['items']} replies")
    print(f"  pitfall codes micro-F1 {codes['micro_f1']:.3f}; bad replies flagged "
          f"{report['bad_replies_flagged']:.3f}; false positives on good replies "
          f"{report['false_positive_rate']:.3f}")  # fmt: skip
    print(f"  {'pitfall':<24}{'P':>7}{'R':>7}{'F1':>7}{'n':>5}")
    for code, row in codes["per_label"].items():
        print(
            f"  {code:<24}{row['precision']:>7.3f}{row['recall']:>7.3f}{row['f1']:>7.3f}{row['support']:>5}"
        )
    micro_r = sum(r["recall"] * r["support"] for r in codes["per_label"].values()) / max(
        sum(r["support"] for r in codes["per_label"].values()), 1
    )
    print(f"  pitfall recall (micro): {micro_r:.3f}")
    for error in report.get("errors", []):
        print(f"  {error['id']}: gold {error['gold']} got {error['predicted']}  {error['reply']}")


if __name__ == "__main__":
    main()
