#!/usr/bin/env bash
# Shared by serve.sh and test.sh: make sure uv (the project's package manager) is on PATH.
export PATH="$HOME/.local/bin:$PATH"
if ! command -v uv >/dev/null 2>&1; then
  echo "installing uv with pip..." >&2
  python3 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet uv
fi
# Installed packages get their .pyc written once at install time: where PYTHONDONTWRITEBYTECODE
# is set (as on CI machines), every start-up would otherwise compile numpy, pydantic and jieba's
# HMM tables from source (about 1 s of the service's start-up).
export UV_COMPILE_BYTECODE=1
