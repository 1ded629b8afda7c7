"""Check the browser extension and pack it into a zip for the Chrome Web Store / Edge Add-ons.

uv run python scripts/pack_extension.py                 # → dist/huashu-extension-<version>.zip
uv run python scripts/pack_extension.py --check         # only validate, write nothing
uv run python scripts/pack_extension.py --json

Checks: manifest.json is Manifest V3 with a valid version; every file the manifest and the pages
reference exists; every __MSG_…__ has a message in _locales; no page or script loads remote
code. Editor and OS junk (.DS_Store, *~, *.swp, Thumbs.db, dot-files) is left out.
"""

import argparse
import json
import re
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXTENSION = ROOT / "extension"
DIST = ROOT / "dist"
JUNK_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}
JUNK_SUFFIXES = ("~", ".swp", ".swo", ".orig", ".rej", ".map", ".pyc")
VERSION = re.compile(r"^\d{1,5}(\.\d{1,5}){0,3}$")
MESSAGE_REF = re.compile(r"__MSG_(\w+)__")
LOCAL_REF = re.compile(r"""(?:src|href)\s*=\s*["']([^"'#?]+)["']""")
IMPORT_REF = re.compile(r"""(?:import\s[^'"]*?from\s*|import\s*\(\s*|import\s+)["']([^"']+)["']""")
REMOTE = re.compile(r"^(?:https?:)?//", re.IGNORECASE)
# A fixed timestamp keeps the zip byte-identical for identical sources.
ZIP_TIME = (2024, 1, 1, 0, 0, 0)


class ExtensionInvalid(Exception):
    """The extension would be refused by the store or would not load."""


def is_junk(path: Path) -> bool:
    return (
        any(part.startswith(".") for part in path.parts)
        or path.name in JUNK_NAMES
        or path.name.endswith(JUNK_SUFFIXES)
    )


def packed_files(folder: Path) -> list[Path]:
    """Every file that goes into the zip, relative to `folder`, sorted."""
    return sorted(
        path.relative_to(folder)
        for path in folder.rglob("*")
        if path.is_file() and not is_junk(path.relative_to(folder))
    )


def manifest_references(manifest: dict[str, object]) -> list[str]:
    refs: list[str] = []
    icons = manifest.get("icons", {})
    if isinstance(icons, dict):
        refs += [str(v) for v in icons.values()]
    action = manifest.get("action", {})
    if isinstance(action, dict) and isinstance(action.get("default_icon"), dict):
        refs += [str(v) for v in action["default_icon"].values()]
    background = manifest.get("background", {})
    if isinstance(background, dict) and "service_worker" in background:
        refs.append(str(background["service_worker"]))
    side_panel = manifest.get("side_panel", {})
    if isinstance(side_panel, dict) and "default_path" in side_panel:
        refs.append(str(side_panel["default_path"]))
    if "options_page" in manifest:
        refs.append(str(manifest["options_page"]))
    return refs


def check_extension(folder: Path) -> dict[str, object]:
    """Validate the extension in `folder`; raise ExtensionInvalid listing every problem."""
    problems: list[str] = []
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ExtensionInvalid("manifest.json is missing") from None
    except json.JSONDecodeError as error:
        raise ExtensionInvalid(f"manifest.json line {error.lineno}: {error.msg}") from None
    if manifest.get("manifest_version") != 3:
        problems.append("manifest_version must be 3")
    version = str(manifest.get("version", ""))
    if not VERSION.match(version):
        problems.append(f"version {version!r} must be 1–4 dot-separated integers")
    for field in ("name", "description"):
        if not manifest.get(field):
            problems.append(f"manifest.json has no {field}")
    files = packed_files(folder)
    present = {path.as_posix() for path in files}
    for ref in manifest_references(manifest):
        if ref not in present:
            problems.append(f"manifest.json refers to {ref}, which is missing")

    messages: dict[str, object] = {}
    default_locale = manifest.get("default_locale")
    if default_locale:
        locale_file = folder / "_locales" / str(default_locale) / "messages.json"
        try:
            messages = json.loads(locale_file.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError) as error:
            problems.append(f"{locale_file.relative_to(folder)}: {error}")
    for key in MESSAGE_REF.findall(json.dumps(manifest)):
        if key not in messages:
            problems.append(f"__MSG_{key}__ has no message in _locales/{default_locale}")

    for path in files:
        if path.suffix not in (".html", ".js"):
            continue
        text = (folder / path).read_text(encoding="utf-8")
        refs = LOCAL_REF.findall(text) if path.suffix == ".html" else IMPORT_REF.findall(text)
        for ref in refs:
            if REMOTE.match(ref):
                problems.append(f"{path}: loads remote code or style from {ref}")
                continue
            target = (folder / path.parent / ref).resolve()
            if ref.endswith((".js", ".css", ".png", ".html")) and not target.is_file():
                problems.append(f"{path}: refers to {ref}, which is missing")
    if problems:
        raise ExtensionInvalid("\n".join(problems))
    return {"name": manifest["name"], "version": version, "files": len(files)}


def pack(folder: Path, out_dir: Path) -> tuple[Path, dict[str, object]]:
    """Validate, then write `huashu-extension-<version>.zip` into `out_dir`."""
    summary = check_extension(folder)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"huashu-extension-{summary['version']}.zip"
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in packed_files(folder):
            info = zipfile.ZipInfo(path.as_posix(), date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, (folder / path).read_bytes())
    return target, {**summary, "zip": str(target), "bytes": target.stat().st_size}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--source", type=Path, default=EXTENSION, help="the extension folder")
    parser.add_argument("--out", type=Path, default=DIST, help="where the zip goes")
    parser.add_argument("--check", action="store_true", help="validate only")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    try:
        if args.check:
            summary = check_extension(args.source)
        else:
            _, summary = pack(args.source, args.out)
    except ExtensionInvalid as error:
        print(f"extension is not valid:\n{error}", file=sys.stderr)
        sys.exit(1)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    elif args.check:
        print(f"ok: {summary['name']} {summary['version']}, {summary['files']} files")
    else:
        print(f"packed {summary['files']} files into {summary['zip']} ({summary['bytes']:,} bytes)")


if __name__ == "__main__":
    main()
