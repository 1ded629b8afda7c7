"""Reading the project's YAML data files with errors that name the file (and line)."""

from pathlib import Path
from typing import Any

import yaml

# libyaml's C parser when PyYAML was built with it: the lexicons load about ten times faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path, error: type[ValueError]) -> Any:
    """The parsed document; `error` is raised with the file, the line and the reason."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise error(f"{path}: cannot read: {exc}") from exc
    try:
        return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" line {mark.line + 1}" if mark is not None else ""
        raise error(f"{path}{at}: not valid YAML: {exc}") from exc
