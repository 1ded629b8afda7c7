"""Assign every labeled item to the dev or the test split, once, stratified.

Messages (eval/data/) are stratified by category, guard replies (eval/guard/) by their first
pitfall (or "good"). Ids already in eval/split.json keep their split, so adding data never
moves old items.

    uv run python scripts/make_split.py
"""

import argparse
import hashlib
import json
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPLIT_FILE = ROOT / "eval" / "split.json"


def main() -> None:
    argparse.ArgumentParser(description=__doc__).parse_args()
    assignment: dict[str, str] = (
        json.loads(SPLIT_FILE.read_text(encoding="utf-8")) if SPLIT_FILE.exists() else {}
    )
    groups: dict[str, list[str]] = defaultdict(list)
    for path in sorted((ROOT / "eval" / "data").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                groups[f"{path.stem}:{item['category']}"].append(item["id"])
    for path in sorted((ROOT / "eval" / "guard").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                stratum = item["pitfalls"][0] if item["pitfalls"] else "good"
                groups[f"guard:{stratum}"].append(f"guard:{item['id']}")
    added = 0
    for ids in groups.values():
        ordered = sorted(ids, key=lambda i: hashlib.sha1(i.encode()).hexdigest())
        counts = {"dev": 0, "test": 0}
        for item_id in ordered:
            if item_id in assignment:
                counts[assignment[item_id]] += 1
        for item_id in ordered:
            if item_id not in assignment:
                split = "test" if counts["test"] < counts["dev"] else "dev"
                assignment[item_id] = split
                counts[split] += 1
                added += 1
    SPLIT_FILE.write_text(
        json.dumps(dict(sorted(assignment.items())), indent=1) + "\n", encoding="utf-8"
    )
    totals = {s: sum(1 for v in assignment.values() if v == s) for s in ("dev", "test")}
    print(f"assigned {added} new ids; dev {totals['dev']}, test {totals['test']}")


if __name__ == "__main__":
    main()
