"""Personal data is masked before text leaves the service and restored for the agent."""

from app.personal_data import Masking


def test_phone_id_card_bank_card_email_and_address_become_placeholders() -> None:
    masking = Masking()
    text = (
        "电话13812345678，身份证11010119900307123X，卡号6222 0212 3456 7890 123，"
        "邮箱wang.li@qq.com，寄到北京市朝阳区建国路88号3号楼2单元502室"
    )
    masked = masking.mask(text)
    for secret in ("13812345678", "11010119900307123X", "6222", "wang.li@qq.com", "建国路88号"):
        assert secret not in masked
    for placeholder in ("[手机号1]", "[身份证号1]", "[银行卡号1]", "[邮箱1]", "[地址1]"):
        assert placeholder in masked


def test_the_same_number_keeps_its_placeholder_across_texts() -> None:
    masking = Masking()
    assert masking.mask("打13812345678") == "打[手机号1]"
    assert masking.mask("还是13812345678，或者13900001111") == "还是[手机号1]，或者[手机号2]"


def test_order_numbers_stay_because_the_agent_needs_them() -> None:
    masking = Masking()
    text = "订单号 260412345678901234 一直没发货"
    assert masking.mask(text) == text


def test_restored_numbers_are_partly_hidden_and_addresses_are_whole() -> None:
    masking = Masking()
    masking.mask("13812345678 上海市浦东新区张江路100号")
    restored = masking.restore("联系[手机号1]，送到[地址1]，[手机号9]不认识")
    assert restored == "联系138****5678，送到上海市浦东新区张江路100号，[手机号9]不认识"


def test_text_without_personal_data_is_unchanged() -> None:
    text = "衣服色差太大了，跟图片完全两个颜色！要退货！3天了"
    assert Masking().mask(text) == text


def test_taiwan_and_hong_kong_identity_numbers_become_placeholders() -> None:
    masking = Masking()
    masked = masking.mask("身分證A123456789，香港身份證K123456(7)，運單SF1234567890")
    assert masked == "身分證[身份证号1]，香港身份證[身份证号2]，運單SF1234567890"
    assert "345" not in masking.restore("[身份证号1]")


def test_taiwan_mobiles_hong_kong_phones_and_accounts_become_placeholders() -> None:
    masking = Masking()
    masked = masking.mask(
        "電話0912-345-678，香港9123 4567，WhatsApp 61238899，戶口012-345-678901-2"
    )
    assert masked == "電話[手机号1]，香港[手机号2]，WhatsApp [手机号3]，戶口[银行卡号1]"


def test_eight_digits_without_a_phone_word_or_after_an_order_word_stay() -> None:
    text = "订单 2024-1122 已发，客服热线400-820-8820，营业时间0900-1800，共12345678件"
    assert Masking().mask(text) == text
