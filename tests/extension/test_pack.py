"""scripts/pack_extension.py: a store-ready zip of the extension, refused when it would not load."""

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from scripts.pack_extension import ExtensionInvalid, check_extension, pack
from tests.live import PROJECT_ROOT

EXTENSION = PROJECT_ROOT / "extension"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "extension"
    shutil.copytree(EXTENSION, target)
    return target


def test_the_shipped_extension_packs_with_every_file_and_no_junk(
    copy: Path, tmp_path: Path
) -> None:
    (copy / ".DS_Store").write_bytes(b"junk")
    (copy / "lib" / "api.js~").write_text("backup")
    (copy / ".idea").mkdir()
    (copy / ".idea" / "workspace.xml").write_text("<x/>")
    target, summary = pack(copy, tmp_path / "dist")
    version = json.loads((EXTENSION / "manifest.json").read_text())["version"]
    assert target.name == f"huashu-extension-{version}.zip"
    with zipfile.ZipFile(target) as archive:
        names = set(archive.namelist())
        assert archive.testzip() is None
    assert {"manifest.json", "background.js", "content.js", "sidepanel.html", "sites.json"} <= names
    assert "_locales/zh_CN/messages.json" in names
    assert not any(name.endswith(("~", ".DS_Store")) or name.startswith(".") for name in names)
    assert summary["files"] == len(names)


def test_packing_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    first, _ = pack(EXTENSION, tmp_path / "a")
    second, _ = pack(EXTENSION, tmp_path / "b")
    assert first.read_bytes() == second.read_bytes()


def test_a_missing_icon_is_named(copy: Path) -> None:
    (copy / "icons" / "icon48.png").unlink()
    with pytest.raises(ExtensionInvalid, match="icons/icon48.png"):
        check_extension(copy)


def test_manifest_v2_and_a_bad_version_are_refused(copy: Path) -> None:
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["manifest_version"] = 2
    manifest["version"] = "1.0-beta"
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ExtensionInvalid) as refused:
        check_extension(copy)
    assert "manifest_version must be 3" in str(refused.value)
    assert "1.0-beta" in str(refused.value)


def test_remote_code_is_refused(copy: Path) -> None:
    page = copy / "sidepanel.html"
    page.write_text(
        page.read_text().replace(
            "</body>", '<script src="https://cdn.example.com/x.js"></script></body>'
        )
    )
    with pytest.raises(ExtensionInvalid, match="remote code"):
        check_extension(copy)


def test_a_message_missing_from_the_locale_is_named(copy: Path) -> None:
    messages = json.loads((copy / "_locales" / "zh_CN" / "messages.json").read_text())
    del messages["extDescription"]
    (copy / "_locales" / "zh_CN" / "messages.json").write_text(json.dumps(messages))
    with pytest.raises(ExtensionInvalid, match="__MSG_extDescription__"):
        check_extension(copy)


def test_every_message_the_scripts_use_is_in_the_locale() -> None:
    messages = json.loads((EXTENSION / "_locales" / "zh_CN" / "messages.json").read_text())
    used: set[str] = set()
    for script in EXTENSION.rglob("*.js"):
        used |= set(re.findall(r"\bt\('(\w+)'", script.read_text(encoding="utf-8")))
    assert used, "the scan found no t('…') calls"
    assert sorted(used - messages.keys()) == []


def test_the_command_line_refuses_a_broken_extension_with_the_reason(
    copy: Path, tmp_path: Path
) -> None:
    (copy / "background.js").unlink()
    finished = subprocess.run(
        [
            sys.executable,
            "scripts/pack_extension.py",
            "--source",
            str(copy),
            "--out",
            str(tmp_path),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert finished.returncode == 1
    assert "background.js" in finished.stderr
    assert not list(tmp_path.glob("*.zip"))
