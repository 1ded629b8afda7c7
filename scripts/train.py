"""Train the text model on train/data/ and write app/analysis/data/model.json.

    uv run python scripts/train.py            # train, then print dev figures of the model alone
    uv run python scripts/train.py --json     # the training summary as JSON

Never trains on eval/: the evaluation set stays a measurement.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.analysis.schemas import (  # noqa: E402
    CATEGORY_CODES,
    DEMAND_CODES,
    EMOTION_CODES,
    RISK_CODES,
)

TRAIN_DIR = ROOT / "train" / "data"
MODEL_PATH = ROOT / "app" / "analysis" / "data" / "model.json"
HEADS: dict[str, tuple[tuple[str, ...], bool]] = {
    "category": (CATEGORY_CODES, False),
    "emotion": (EMOTION_CODES, False),
    "risks": (RISK_CODES, True),
    "demands": (DEMAND_CODES, True),
}


def load_training_items() -> list[dict[str, Any]]:
    items = []
    for path in sorted(TRAIN_DIR.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                items.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise SystemExit(f"{path}:{number}: not JSON: {exc}") from exc
    return items


def targets(item: dict[str, Any], head: str, labels: tuple[str, ...]) -> np.ndarray:
    vector = np.zeros(len(labels), dtype=np.float32)
    if head == "category":
        vector[labels.index(item["category"])] = 1.0
    elif head == "emotion":
        vector[labels.index(item["emotion"])] = 1.0
    else:
        for code in item[head]:
            vector[labels.index(code)] = 1.0
    return vector


def fit(
    x: np.ndarray, y: np.ndarray, multilabel: bool, l2: float, epochs: int, rate: float
) -> tuple[np.ndarray, np.ndarray]:
    """Logistic regression (softmax or one sigmoid per label) by full-batch Adam with L2."""
    n, v = x.shape
    k = y.shape[1]
    w = np.zeros((v, k), dtype=np.float32)
    b = np.zeros(k, dtype=np.float32)
    m_w, s_w = np.zeros_like(w), np.zeros_like(w)
    m_b, s_b = np.zeros_like(b), np.zeros_like(b)
    for step in range(1, epochs + 1):
        logits = x @ w + b
        if multilabel:
            probs = 1.0 / (1.0 + np.exp(-np.clip(logits, -30, 30)))
        else:
            logits -= logits.max(axis=1, keepdims=True)
            probs = np.exp(logits)
            probs /= probs.sum(axis=1, keepdims=True)
        grad = (probs - y) / n
        g_w = x.T @ grad + l2 * w
        g_b = grad.sum(axis=0)
        for param, g, m, s in ((w, g_w, m_w, s_w), (b, g_b, m_b, s_b)):
            m *= 0.9
            m += 0.1 * g
            s *= 0.999
            s += 0.001 * g * g
            param -= rate * (m / (1 - 0.9**step)) / (np.sqrt(s / (1 - 0.999**step)) + 1e-8)
        if step % 50 == 0 or step == epochs:
            sys.stderr.write(f"\r  epoch {step}/{epochs}")
    sys.stderr.write("\n")
    return w, b


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--min-count", type=int, default=2, help="drop features seen fewer times")
    parser.add_argument("--l2", type=float, default=3e-4)
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--rate", type=float, default=0.05)
    parser.add_argument("--prune", type=float, default=0.03, help="drop weights smaller than this")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from app.analysis.service import Analyzer

    analyzer = Analyzer.from_data()
    analyzer.model = None
    items = load_training_items()
    if not items:
        raise SystemExit(f"no training data in {TRAIN_DIR}")
    sys.stderr.write(f"reading {len(items)} training messages\n")

    def item_features(item: dict[str, Any]) -> list[str]:
        earlier = [
            analyzer._read(turn["text"])
            for turn in item.get("context") or []
            if turn.get("role") == "customer" and str(turn.get("text", "")).strip()
        ]
        return sorted(set(analyzer.features(analyzer._read(item["text"]), earlier)))

    feature_lists = [item_features(item) for item in items]
    counts = Counter(name for names in feature_lists for name in names)
    vocabulary = sorted(name for name, count in counts.items() if count >= args.min_count)
    index = {name: i for i, name in enumerate(vocabulary)}
    x = np.zeros((len(items), len(vocabulary)), dtype=np.float32)
    for row, names in enumerate(feature_lists):
        for name in names:
            if name in index:
                x[row, index[name]] = 1.0
    heads: dict[str, Any] = {}
    for head, (labels, multilabel) in HEADS.items():
        sys.stderr.write(f"training {head} ({len(labels)} labels)\n")
        y = np.stack([targets(item, head, labels) for item in items])
        w, b = fit(x, y, multilabel, args.l2, args.epochs, args.rate)
        weights: dict[str, list[list[float]]] = {}
        for feature, row in zip(vocabulary, w, strict=True):
            entries = [
                [int(i), round(float(value), 4)]
                for i, value in enumerate(row)
                if abs(value) >= args.prune
            ]
            if entries:
                weights[feature] = entries
        heads[head] = {
            "labels": list(labels),
            "bias": [round(float(value), 4) for value in b],
            "weights": weights,
            "multilabel": multilabel,
        }
    summary = {
        "items": len(items),
        "files": sorted(p.name for p in TRAIN_DIR.glob("*.jsonl")),
        "features": len(vocabulary),
        "trained": datetime.date.today().isoformat(),
        "settings": {k: getattr(args, k) for k in ("min_count", "l2", "epochs", "rate", "prune")},
    }
    MODEL_PATH.write_text(
        json.dumps(
            {"trained_on": summary, "heads": heads}, ensure_ascii=False, separators=(",", ":")
        )
        + "\n",
        encoding="utf-8",
    )
    summary["weights_kept"] = {head: len(spec["weights"]) for head, spec in heads.items()}
    summary["bytes"] = MODEL_PATH.stat().st_size
    print(
        json.dumps(summary, indent=2)
        if args.json
        else f"wrote {MODEL_PATH.relative_to(ROOT)}: {summary}"
    )


if __name__ == "__main__":
    main()
