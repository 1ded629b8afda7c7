"""Evaluate the analyzer on the labeled set: category, emotion, risks, demands, escalation.

uv run python scripts/evaluate.py              # the test split, human-readable tables
uv run python scripts/evaluate.py --split dev  # tune on dev only
uv run python scripts/evaluate.py --file train/data/writer_am.jsonl  # a held-out writer
uv run python scripts/evaluate.py --json       # machine-readable figures
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.analysis.schemas import (  # noqa: E402
    CATEGORY_CODES,
    DEMAND_CODES,
    EMOTION_CODES,
    RISK_CODES,
    ContextMessage,
)

EVAL_DIR = ROOT / "eval"
NEGATIVE = {"angry", "anxious", "disappointed"}


def load_labeled(
    folder: Path, split: str, files: list[Path] | None = None, split_key: str = "{id}"
) -> list[dict[str, Any]]:
    """Labeled items of one split (`dev`, `test` or `all`) of an eval folder, or every item of
    `files` (a training writer's file held out of training, say). `split_key` names an item in
    eval/split.json."""
    assignment: dict[str, str] = json.loads((EVAL_DIR / "split.json").read_text(encoding="utf-8"))
    items = []
    for path in files or sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                if files or split == "all" or assignment.get(split_key.format(**item)) == split:
                    items.append(item)
    return items


def load_items(split: str, files: list[Path] | None = None) -> list[dict[str, Any]]:
    """Labeled messages of one split, or every message of `files`."""
    return load_labeled(EVAL_DIR / "data", split, files)


def add_file_option(parser: argparse.ArgumentParser) -> None:
    """`--file`: evaluate on labeled JSONL files instead of a split."""
    parser.add_argument(
        "--file", type=Path, action="append",
        help="evaluate on this labeled JSONL file instead of a split (repeatable); meaningful "
        "only for a file the model was trained without",
    )  # fmt: skip


def evaluated_on(args: argparse.Namespace) -> str:
    """What the report covers: the split, or the files given with --file."""
    return ", ".join(path.name for path in args.file) if args.file else f"the {args.split} split"


def progress(iterable: list[Any], label: str) -> Iterable[Any]:
    """A one-line progress bar on stderr."""
    total = len(iterable)
    for done, item in enumerate(iterable, start=1):
        yield item
        if sys.stderr.isatty() or done == total:
            filled = int(30 * done / max(total, 1))
            sys.stderr.write(f"\r{label:<10} [{'#' * filled}{'.' * (30 - filled)}] {done}/{total}")
            if done == total:
                sys.stderr.write("\n")
            sys.stderr.flush()


def prf(gold: list[set[str]], predicted: list[set[str]], codes: Iterable[str]) -> dict[str, Any]:
    """Per-label precision/recall/F1 plus micro and macro averages over multi-label sets."""
    per_label: dict[str, dict[str, float]] = {}
    total_tp = total_fp = total_fn = 0
    for code in codes:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if code in g and code in p)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if code not in g and code in p)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if code in g and code not in p)
        total_tp, total_fp, total_fn = total_tp + tp, total_fp + fp, total_fn + fn
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[code] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
    micro_p = total_tp / (total_tp + total_fp) if total_tp + total_fp else 0.0
    micro_r = total_tp / (total_tp + total_fn) if total_tp + total_fn else 0.0
    micro_f1 = 2 * micro_p * micro_r / (micro_p + micro_r) if micro_p + micro_r else 0.0
    supported = [v["f1"] for v in per_label.values() if v["support"] > 0]
    return {
        "per_label": per_label,
        "micro_f1": micro_f1,
        "macro_f1": sum(supported) / len(supported) if supported else 0.0,
    }


def evaluate(items: list[dict[str, Any]], analyze: Callable[..., Any]) -> dict[str, Any]:
    """Every figure of the report for one list of labeled items."""
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    gold_emotion, pred_emotion = [], []
    gold_risks, pred_risks = [], []
    gold_demands, pred_demands = [], []
    gold_polarity, pred_polarity = [], []
    category_hits = escalation_hits = intensity_exact = intensity_near = script_hits = 0
    crisis_gold = crisis_found = 0
    errors = []
    for item in progress(items, "huashu"):
        context = [ContextMessage(**message) for message in item.get("context") or []]
        result = analyze(item["text"], context)
        confusion[item["category"]][result.category.code] += 1
        category_hits += result.category.code == item["category"]
        gold_emotion.append({item["emotion"]})
        pred_emotion.append({result.emotion.code})
        gold_polarity.append({"negative" if item["emotion"] in NEGATIVE else "non_negative"})
        pred_polarity.append({"negative" if result.emotion.code in NEGATIVE else "non_negative"})
        intensity_exact += result.emotion.intensity == item["intensity"]
        intensity_near += abs(result.emotion.intensity - item["intensity"]) <= 1
        gold_risks.append(set(item["risks"]))
        pred_risks.append({risk.code for risk in result.risks})
        gold_demands.append(set(item["demands"]))
        pred_demands.append({demand.code for demand in result.demands})
        escalation_hits += result.escalation == item["escalation"]
        script_hits += result.script == item["script"]
        if item["escalation"] == "crisis":
            crisis_gold += 1
            crisis_found += result.escalation == "crisis"
        if result.category.code != item["category"]:
            errors.append(
                {"id": item["id"], "text": item["text"], "gold": item["category"],
                 "predicted": result.category.code}
            )  # fmt: skip
    n = max(len(items), 1)
    return {
        "items": len(items),
        "category_accuracy": category_hits / n,
        "confusion": {gold: dict(row) for gold, row in sorted(confusion.items())},
        "emotion": prf(gold_emotion, pred_emotion, EMOTION_CODES),
        "emotion_polarity": prf(gold_polarity, pred_polarity, ("negative", "non_negative")),
        "intensity_exact": intensity_exact / n,
        "intensity_within_1": intensity_near / n,
        "risks": prf(gold_risks, pred_risks, RISK_CODES),
        "demands": prf(gold_demands, pred_demands, DEMAND_CODES),
        "escalation_accuracy": escalation_hits / n,
        "crisis_recall": crisis_found / crisis_gold if crisis_gold else 1.0,
        "script_accuracy": script_hits / n,
        "category_errors": errors,
    }


def snownlp_baseline(items: list[dict[str, Any]]) -> dict[str, Any]:
    """SnowNLP sentiment below 0.5 read as a negative emotion, the field's usual baseline."""
    from snownlp import SnowNLP

    gold, predicted = [], []
    for item in progress(items, "snownlp"):
        score = SnowNLP(item["text"]).sentiments
        gold.append({"negative" if item["emotion"] in NEGATIVE else "non_negative"})
        predicted.append({"negative" if score < 0.5 else "non_negative"})
    return {"emotion_polarity": prf(gold, predicted, ("negative", "non_negative"))}


def _table(title: str, report: dict[str, Any]) -> list[str]:
    lines = [f"\n{title}  (micro-F1 {report['micro_f1']:.3f}, macro-F1 {report['macro_f1']:.3f})"]
    lines.append(f"  {'label':<20}{'P':>7}{'R':>7}{'F1':>7}{'n':>5}")
    for code, row in report["per_label"].items():
        lines.append(
            f"  {code:<20}{row['precision']:>7.3f}{row['recall']:>7.3f}{row['f1']:>7.3f}"
            f"{row['support']:>5}"
        )
    return lines


def render(split: str, report: dict[str, Any], baseline: dict[str, Any], show_errors: bool) -> str:
    """The human-readable report."""
    lines = [f"Huashu analysis on {split}: {report['items']} messages"]
    lines.append(f"\ncategory top-1 accuracy: {report['category_accuracy']:.3f}")
    lines.append("confusion (gold → predicted counts, correct first):")
    for gold in CATEGORY_CODES:
        row = report["confusion"].get(gold)
        if not row:
            continue
        ordered = sorted(row.items(), key=lambda kv: (kv[0] != gold, -kv[1]))
        cells = ", ".join(f"{code} {count}" for code, count in ordered)
        lines.append(f"  {gold:<24}{cells}")
    lines += _table("emotion", report["emotion"])
    lines.append(
        f"  intensity exact {report['intensity_exact']:.3f}, within 1 {report['intensity_within_1']:.3f}"
    )
    lines += _table("risks", report["risks"])
    lines += _table("demands", report["demands"])
    lines.append(f"\nescalation accuracy: {report['escalation_accuracy']:.3f}")
    lines.append(f"crisis recall: {report['crisis_recall']:.3f}")
    lines.append(f"script accuracy: {report['script_accuracy']:.3f}")
    ours = report["emotion_polarity"]
    theirs = baseline["emotion_polarity"]
    lines.append("\nemotion polarity (negative vs non-negative):")
    lines.append(f"  {'system':<12}{'macro-F1':>10}{'neg F1':>9}{'non-neg F1':>12}")
    for name, row in (("huashu", ours), ("snownlp", theirs)):
        lines.append(
            f"  {name:<12}{row['macro_f1']:>10.3f}{row['per_label']['negative']['f1']:>9.3f}"
            f"{row['per_label']['non_negative']['f1']:>12.3f}"
        )
    lines.append(f"  gain over baseline: {ours['macro_f1'] - theirs['macro_f1']:+.3f} macro-F1")
    if show_errors:
        lines.append("\ncategory errors:")
        for error in report["category_errors"]:
            lines.append(
                f"  {error['id']}: {error['gold']} → {error['predicted']}  {error['text']}"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--split", choices=["dev", "test", "all"], default="test")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--errors", action="store_true", help="list the category errors")
    parser.add_argument("--no-baseline", action="store_true", help="skip the SnowNLP baseline")
    add_file_option(parser)
    args = parser.parse_args()
    where = evaluated_on(args)

    from app.analysis.service import default_analyzer

    analyzer = default_analyzer()
    items = load_items(args.split, args.file)
    if not items:
        parser.error(f"no labeled messages in {where}")
    report = evaluate(items, analyzer.analyze)
    baseline = (
        {"emotion_polarity": prf([], [], ("negative", "non_negative"))}
        if args.no_baseline
        else snownlp_baseline(items)
    )
    if args.json:
        report.pop("category_errors") if not args.errors else None
        print(
            json.dumps(
                {"split": where, "huashu": report, "baseline": baseline},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print(render(where, report, baseline, args.errors))


if __name__ == "__main__":
    main()
