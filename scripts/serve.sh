#!/usr/bin/env bash
# Start Huashu on the embedded defaults (SQLite file, template drafts, no API key needed).
# HUASHU_HOST / HUASHU_PORT choose where it listens; every other HUASHU_ setting is read by the app.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
exec uv run --frozen --no-dev uvicorn app.main:app \
  --host "${HUASHU_HOST:-127.0.0.1}" --port "${HUASHU_PORT:-8000}" "$@"
