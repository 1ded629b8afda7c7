"""004's advice as data: per problem its causes, handling and prevention; the crisis steps."""

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.datafiles import read_yaml

ADVICE_PATH = Path(__file__).parent / "data" / "advice_004.yaml"


class AdviceError(ValueError):
    """The advice file is malformed; the message names it."""


class ProblemAdvice(BaseModel):
    """产生原因 → 处理技巧 → 预防措施 for one problem of 004."""

    model_config = ConfigDict(extra="forbid")

    problem: str
    categories: list[str] = Field(min_length=1)
    causes: list[str]
    handling: list[str]
    prevention: list[str] = Field(min_length=1)
    quote: str = Field(min_length=4)
    quote_prevention: str = Field(min_length=4)


class CrisisStep(BaseModel):
    """One step of 004's crisis handling."""

    model_config = ConfigDict(extra="forbid")

    title: str
    text: str


class CrisisAdvice(BaseModel):
    """004's crisis handling for major disputes (网店重大危机公关)."""

    model_config = ConfigDict(extra="forbid")

    title: str
    steps: list[CrisisStep] = Field(min_length=1)
    quote: str = Field(min_length=4)
    quote_avoid_dispute: str = Field(min_length=4)


class Advice(BaseModel):
    """The whole advice file."""

    model_config = ConfigDict(extra="forbid")

    prevention: list[ProblemAdvice] = Field(min_length=1)
    crisis: CrisisAdvice

    def for_category(self, category: str) -> ProblemAdvice | None:
        """The advice that covers a category, if 004 has any."""
        return next((a for a in self.prevention if category in a.categories), None)


def load_advice(path: Path = ADVICE_PATH) -> Advice:
    """Read 004's advice."""
    try:
        return Advice.model_validate(read_yaml(path, AdviceError))
    except ValidationError as exc:
        raise AdviceError(f"{path}: {exc}") from exc
