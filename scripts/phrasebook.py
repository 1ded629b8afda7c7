"""Phrasebook tools.

uv run python scripts/phrasebook.py lint     # schema, variables, source quotes, guard; exit 1 on problems
uv run python scripts/phrasebook.py stats    # phrases per stage, style and category
"""

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["lint", "stats"])
    parser.add_argument("--seeds", type=Path, default=None, help="folder of the seed documents")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from app.drafting.lint import SEEDS_DIR, lint_phrasebook, load_seeds, sample_values
    from app.services import build_services

    services = build_services()
    phrasebook = services.phrasebook
    if args.command == "stats":
        stages = Counter(p.stage for p in phrasebook.phrases)
        styles = Counter(p.style for p in phrasebook.phrases)
        categories = Counter(c for p in phrasebook.phrases for c in p.when.categories or [])
        report = {"phrases": len(phrasebook.phrases), "stages": stages, "styles": styles,
                  "categories": categories}  # fmt: skip
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return
    seeds_dir = args.seeds or SEEDS_DIR
    if not seeds_dir.is_dir():
        sys.exit(f"seed documents not found in {seeds_dir} (use --seeds)")
    converter = services.analyzer.converter
    values = sample_values(services.policy.template_values())
    suggested = {i for pitfall in services.guard.rules.pitfalls.values() for i in pitfall.suggest}
    problems = lint_phrasebook(
        phrasebook,
        seeds=load_seeds(seeds_dir, converter),
        converter=converter,
        values=values,
        check=lambda text: services.check(text),
        suggested_ids=suggested,
    )
    if args.json:
        print(json.dumps([p.__dict__ for p in problems], ensure_ascii=False, indent=2))
    else:
        for problem in problems:
            print(f"{problem.phrase_id}: {problem.problem}")
        print(f"{len(phrasebook.phrases)} phrases checked, {len(problems)} problems")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
