"""004's advice data: every entry quotes 004 and names real category codes."""

import pytest

from app.analysis.normalize import ScriptConverter
from app.analysis.schemas import CATEGORY_CODES
from app.drafting.lint import SEEDS_DIR, comparable, load_seeds
from app.stats.advice import load_advice

ADVICE = load_advice()


@pytest.fixture(scope="module")
def seed_004() -> tuple[str, ScriptConverter]:
    converter = ScriptConverter()
    return load_seeds(SEEDS_DIR, converter)["004"], converter


@pytest.mark.parametrize("entry", ADVICE.prevention, ids=lambda e: e.problem)
def test_prevention_advice_quotes_004(entry: object, seed_004: tuple[str, ScriptConverter]) -> None:
    seed, converter = seed_004
    assert comparable(entry.quote, converter) in seed  # type: ignore[attr-defined]
    assert comparable(entry.quote_prevention, converter) in seed  # type: ignore[attr-defined]


def test_crisis_steps_quote_004(seed_004: tuple[str, ScriptConverter]) -> None:
    seed, converter = seed_004
    assert comparable(ADVICE.crisis.quote, converter) in seed
    assert comparable(ADVICE.crisis.quote_avoid_dispute, converter) in seed


def test_advice_names_known_categories_once() -> None:
    named = [code for entry in ADVICE.prevention for code in entry.categories]
    assert set(named) <= set(CATEGORY_CODES)
    assert len(named) == len(set(named))
