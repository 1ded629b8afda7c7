#!/usr/bin/env bash
# Shared by serve.sh and test.sh: make sure uv (the project's package manager) is on PATH.
export PATH="$HOME/.local/bin:$PATH"
if ! command -v uv >/dev/null 2>&1; then
  echo "installing uv with pip..." >&2
  python3 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet uv
fi
