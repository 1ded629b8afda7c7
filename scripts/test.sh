#!/usr/bin/env bash
# Install everything the tests need, then run lint, types and the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
bash scripts/system_deps.sh
uv sync --frozen
echo "== ruff" && uv run --frozen ruff check . && uv run --frozen ruff format --check .
echo "== mypy" && uv run --frozen mypy
echo "== phrasebook lint" && uv run --frozen python scripts/phrasebook.py lint
echo "== pytest" && uv run --frozen pytest "$@"
