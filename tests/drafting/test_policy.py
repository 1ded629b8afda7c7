"""The shop policy file: defaults from 002, errors that name the file and line."""

from pathlib import Path

import pytest

from app.drafting.policy import PolicyError, load_policy
from app.main import create_app
from app.settings import Settings


def test_default_policy_carries_the_caps_of_002() -> None:
    policy = load_policy()
    assert policy.compensation_tiers["same_city"].max_yuan == 10
    assert policy.compensation_tiers["other_province"].max_yuan == 15
    assert policy.compensation_cap == 50
    assert policy.courier_check_hours == 24
    assert policy.courier_check_max_hours == 48


def test_unparsable_policy_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("shop_name: 小店\nreturn_window_days: [7\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=r"policy\.yaml line \d+"):
        load_policy(path)


def test_schema_error_names_the_setting_and_its_line(tmp_path: Path) -> None:
    default = Path(__file__).resolve().parents[2] / "phrasebook" / "shop_policy.yaml"
    text = default.read_text(encoding="utf-8").replace(
        "return_window_days: 7", "return_window_days: -3"
    )
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError, match=r"line \d+: return_window_days"):
        load_policy(path)


def test_service_refuses_to_start_on_a_broken_policy(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("shop_name: [\n", encoding="utf-8")
    from fastapi.testclient import TestClient

    with (
        pytest.raises(PolicyError, match="policy.yaml line 2"),
        TestClient(create_app(Settings(shop_policy=path))),
    ):
        pass
    said = caplog.text
    assert "启动失败" in said and "Start-up failed" in said
    assert "店铺政策文件有误" in said and str(path) in said
