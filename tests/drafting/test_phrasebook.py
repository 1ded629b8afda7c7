"""The phrasebook: valid entries, cited sources that exist, every phrase passes the guard."""

from pathlib import Path

import pytest

from app.drafting.lint import SEEDS_DIR, comparable, lint_phrasebook, load_seeds
from app.drafting.phrasebook import PhrasebookError, load_phrasebook
from app.drafting.schemas import STYLES
from app.services import Services


def test_phrasebook_lint_finds_no_problem(services: Services) -> None:
    assert SEEDS_DIR.is_dir(), f"the seed documents are expected in {SEEDS_DIR}"
    converter = services.analyzer.converter
    values = {
        **services.policy.template_values(),
        "customer": "亲",
        "order_id": "1",
        "product": "衣服",
    }
    problems = lint_phrasebook(
        services.phrasebook,
        seeds=load_seeds(SEEDS_DIR, converter),
        converter=converter,
        values=values,
        check=lambda text: services.check(text),
        suggested_ids={i for p in services.guard.rules.pitfalls.values() for i in p.suggest},
    )
    assert problems == []


def test_quote_matching_ignores_script_pinyin_and_punctuation(services: Services) -> None:
    converter = services.analyzer.converter
    seed = comparable("傾聽(tīng)客戶的抱怨，客戶的憤怒就像充氣的氣球一樣", converter)
    assert comparable("倾听客户的抱怨,客户的愤怒就像充气的气球", converter) in seed


def test_every_category_has_its_own_solutions(services: Services) -> None:
    from app.analysis.schemas import CATEGORY_CODES

    solutions = services.phrasebook.by_stage["solution"]
    for code in CATEGORY_CODES:
        own = [p for p in solutions if p.when.categories and code in p.when.categories]
        assert len(own) >= 3, code


def test_common_stages_offer_every_style(services: Services) -> None:
    for stage in ("greet", "acknowledge", "empathize", "solution", "thanks"):
        styles = {p.style for p in services.phrasebook.by_stage[stage]}
        assert styles == set(STYLES), stage


def copy_phrasebook(tmp_path: Path) -> Path:
    source = Path(__file__).resolve().parents[2] / "phrasebook"
    for path in source.glob("*.yaml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


def test_unknown_variable_is_refused_naming_the_entry(tmp_path: Path) -> None:
    directory = copy_phrasebook(tmp_path)
    path = directory / "thanks.yaml"
    text = path.read_text(encoding="utf-8").replace('text: "', 'text: "{nickname}', 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PhrasebookError, match=r"thanks\.yaml entry \d+ .*nickname"):
        load_phrasebook(directory)


def test_phrase_in_the_wrong_file_is_refused(tmp_path: Path) -> None:
    directory = copy_phrasebook(tmp_path)
    path = directory / "thanks.yaml"
    text = path.read_text(encoding="utf-8").replace("  stage: thanks", "  stage: greet", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PhrasebookError, match="stage 'greet' in file thanks.yaml"):
        load_phrasebook(directory)
