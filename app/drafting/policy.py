"""The shop policy: names, return window, who pays return shipping, compensation caps, deadlines."""

from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

DEFAULT_POLICY_PATH = Path(__file__).resolve().parents[2] / "phrasebook" / "shop_policy.yaml"


class PolicyError(ValueError):
    """The policy file cannot be used; the message names the file and the line."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"店铺政策文件有误 / The shop policy cannot be used: {detail}")


class CompensationTier(BaseModel):
    """A range of compensation in 元 for one tier of 002."""

    model_config = ConfigDict(extra="forbid")

    min_yuan: float = Field(ge=0)
    max_yuan: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> "CompensationTier":
        if self.min_yuan > self.max_yuan:
            raise ValueError("min_yuan is larger than max_yuan")
        return self


class ShopPolicy(BaseModel):
    """What drafts may offer and the guard enforces."""

    model_config = ConfigDict(extra="forbid")

    shop_name: str = Field(default="本店", min_length=1, max_length=40)
    agent_name: str = Field(default="客服", min_length=1, max_length=20)
    platform: str = Field(default="平台", min_length=1, max_length=20)
    return_window_days: int = Field(default=7, ge=0, le=365)
    reply_hours: int = Field(default=24, ge=1, le=168)
    courier_check_hours: int = Field(default=24, ge=1, le=168)
    courier_check_max_hours: int = Field(default=48, ge=1, le=336)
    return_shipping_payer: dict[str, Literal["shop", "buyer"]] = Field(default_factory=dict)
    compensation_tiers: dict[Literal["same_city", "other_province", "high_value"], CompensationTier]
    high_value_order_yuan: float = Field(default=1000, gt=0)
    # What one unit of another currency is worth in 元, so "NT$60" is held to a cap in 元. The
    # key is how the reply writes it, lower case: "nt$", "hk$", "蚊" (Cantonese for HK$).
    currency_to_yuan: dict[str, Annotated[float, Field(gt=0)]] = Field(
        default_factory=lambda: {"nt$": 0.22, "hk$": 0.92, "蚊": 0.92}
    )

    @model_validator(mode="after")
    def _deadlines(self) -> "ShopPolicy":
        if self.courier_check_hours > self.courier_check_max_hours:
            raise ValueError("courier_check_hours is later than courier_check_max_hours")
        return self

    @property
    def compensation_cap(self) -> float:
        """The most any compensation may be, whatever the tier."""
        return max(tier.max_yuan for tier in self.compensation_tiers.values())

    @property
    def smallest_compensation_cap(self) -> float:
        """The cap of the lowest tier: an amount up to it breaks no tier."""
        return min(tier.max_yuan for tier in self.compensation_tiers.values())

    def template_values(self) -> dict[str, str]:
        """Phrase variables the policy fills."""
        return {
            "shop": self.shop_name,
            "agent": self.agent_name,
            "platform": self.platform,
            "hours": str(self.reply_hours),
            "max_hours": str(self.courier_check_max_hours),
            "return_days": str(self.return_window_days),
        }


def _line_of(document: yaml.Node, location: tuple[Any, ...]) -> int | None:
    node: yaml.Node | None = document
    for key in location:
        if not isinstance(node, yaml.MappingNode):
            break
        match = next((value for k, value in node.value if k.value == str(key)), None)
        if match is None:
            break
        node = match
    return node.start_mark.line + 1 if node is not None else None


def load_policy(path: Path | None = None) -> ShopPolicy:
    """Read and validate a policy file; errors name the file and line."""
    path = path or DEFAULT_POLICY_PATH
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read the shop policy: {exc}") from exc
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" line {mark.line + 1}" if mark is not None else ""
        raise PolicyError(f"{path}{at}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or node is None:
        raise PolicyError(f"{path}: the shop policy must be a mapping of settings")
    try:
        return ShopPolicy.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        location = tuple(first["loc"])
        line_number = _line_of(node, location)
        where = f" line {line_number}" if line_number else ""
        field = ".".join(str(part) for part in location) or "policy"
        raise PolicyError(f"{path}{where}: {field}: {first['msg']}") from exc
