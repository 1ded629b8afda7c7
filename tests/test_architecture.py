"""Guards on the architecture (STYLE.md): domains stay framework-free, settings are documented."""

import ast
import re
from pathlib import Path

import pytest

from app.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"
# The HTTP edge may import the web framework; everything else under app/ is domain code.
HTTP_EDGE = {APP / "api", APP / "web", APP / "main.py", APP / "deps.py"}


def imported_modules(path: Path) -> set[str]:
    """Top-level names of every module `path` imports (`import a.b` and `from a.b import c`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def is_http_edge(path: Path) -> bool:
    return any(path == edge or edge in path.parents for edge in HTTP_EDGE)


DOMAIN_FILES = sorted(path for path in APP.rglob("*.py") if not is_http_edge(path))
API_FILES = sorted((APP / "api").rglob("*.py")) + sorted((APP / "web").rglob("*.py"))


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_the_guards_see_the_files_they_guard() -> None:
    assert APP / "analysis" / "service.py" in DOMAIN_FILES
    assert APP / "api" / "v1" / "analyze.py" in API_FILES
    assert APP / "main.py" not in DOMAIN_FILES


def test_import_reader_sees_plain_and_from_imports(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text("import fastapi.routing\nfrom starlette import status\nfrom . import x\n")
    assert imported_modules(module) == {"fastapi", "starlette"}


@pytest.mark.parametrize("path", DOMAIN_FILES, ids=relative)
def test_domain_code_never_imports_the_web_framework(path: Path) -> None:
    assert imported_modules(path).isdisjoint({"fastapi", "starlette"})


@pytest.mark.parametrize("path", API_FILES, ids=relative)
def test_api_and_pages_never_import_the_database_or_the_llm_client(path: Path) -> None:
    assert imported_modules(path).isdisjoint({"sqlalchemy", "openai"})


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_documented_in_the_readme(field: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(rf"\bHUASHU_{field.upper()}\b", readme), f"HUASHU_{field.upper()}"


@pytest.mark.parametrize("path", sorted(APP.rglob("*.py")), ids=relative)
def test_only_the_llm_package_talks_to_the_llm_client(path: Path) -> None:
    if APP / "llm" in path.parents:
        return
    assert "openai" not in imported_modules(path)
