"""The prompt templates in `prompts/`, loaded and compiled once at start-up."""

from pathlib import Path
from typing import Any

import jinja2

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"
TEMPLATES = (
    "drafts_system.j2",
    "drafts_user.j2",
    "repair_user.j2",
    "rewrite_system.j2",
    "rewrite_user.j2",
    "summary_system.j2",
    "summary_user.j2",
)


class PromptLibrary:
    """Jinja2 templates with strict variables: a missing value is an error, never blank text."""

    def __init__(self, directory: Path = PROMPTS_DIR) -> None:
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(directory),
            undefined=jinja2.StrictUndefined,
            autoescape=False,  # plain text for a model, not HTML
            keep_trailing_newline=False,
            trim_blocks=False,
        )
        # Compile every template now so a broken file stops start-up, not a request.
        self._templates = {name: self._env.get_template(name) for name in TEMPLATES}

    def render(self, name: str, **values: Any) -> str:
        """One prompt part, filled."""
        return self._templates[name].render(**values).strip()
