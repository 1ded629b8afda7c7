"""Show why the analyzer labels a message the way it does: every cue, negation and score.

uv run python scripts/explain.py "衣服色差太大了，跟图片完全两个颜色！要退货！"
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("text", nargs="+", help="customer message(s)")
    parser.add_argument("--json", action="store_true", help="print the analysis as JSON too")
    args = parser.parse_args()

    from app.analysis.schemas import Facts
    from app.analysis.service import default_analyzer

    analyzer = default_analyzer()
    for text in args.text:
        reading = analyzer._read(text)
        folded = reading.norm.text
        print(f"\n{text}\n  folded: {folded}  ({reading.norm.script})")
        for hit in sorted(reading.hits, key=lambda h: h.start):
            boost = " (after contrast)" if id(hit) in reading.boosted else ""
            print(
                f"  + {hit.cue.family}:{hit.cue.code} {folded[hit.start : hit.end]!r} w={hit.cue.weight}{boost}"
            )
        for hit in reading.negated:
            print(f"  - negated {hit.cue.family}:{hit.cue.code} {folded[hit.start : hit.end]!r}")
        for name, hits in sorted(reading.markers.items()):
            print(f"  ~ marker {name}: {[folded[h.start : h.end] for h in hits]}")
        for name, hits in sorted(reading.classes.items()):
            print(f"  ~ class {name}: {[folded[h.start : h.end] for h in hits]}")
        scores = analyzer._category_scores(reading, Facts())
        print(f"  category scores: {[(c, round(s, 2)) for c, s in scores.ranked()]}")
        result = analyzer.analyze(text)
        summary = {
            "category": result.category.code,
            "secondary": result.secondary.code if result.secondary else None,
            "emotion": f"{result.emotion.code}/{result.emotion.intensity}",
            "risks": [r.code for r in result.risks],
            "demands": [d.code for d in result.demands],
            "escalation": result.escalation,
            "days": result.facts.days_since_purchase,
        }
        print(f"  => {summary}")
        if args.json:
            print(json.dumps(result.model_dump(), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
