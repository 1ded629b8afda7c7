"""The reply guard: each pitfall is caught, harmless uses of its words are not."""

import pytest

from app.services import Services


def codes(services: Services, reply: str, customer_text: str | None = None) -> set[str]:
    return {finding.code for finding in services.check(reply, customer_text).findings}


@pytest.mark.parametrize(
    ("reply", "code"),
    [
        ("不能退。", "flat_refusal"),
        ("这个没办法，退不了。", "flat_refusal"),
        ("你听我说完，不是你说的那样。", "arguing"),
        ("这点常识都没有吗？买之前不看详情页的吗", "lecturing"),
        ("肯定是你自己弄坏的，我们发出去都是好的。", "blaming_customer"),
        ("我们的产品绝对没有问题，跟我们没关系。", "insisting_right"),
        ("爱买不买，随便你。", "dismissive"),
        ("保证明天一定送到，百分之百不会再出问题！", "overpromise"),
        ("备注：此人难缠，先拖着。", "internal_leak"),
        ("快递员电话13812345678，您自己联系他。", "personal_data"),
        ("退款已打到您尾号不对的卡6222021234567890123，请查收。", "personal_data"),
        ("你有病吧，烦不烦。", "rude"),
        ("给您补偿80元红包，可以吗？", "compensation_over_cap"),
        ("亲 签收前怎么没检查一下呢 当时就可以拒收的", "blaming_customer"),
        ("亲 您下单时就应该核对好地址的呀", "lecturing"),
        ("这个价位您还想要什么品质呢，一分钱一分货嘛", "lecturing"),
        ("枕头用久了都会塌一点的，其实也还好吧", "dismissive"),
        ("快递员不是我们的员工哈，您找快递公司吧", "dismissive"),
        ("最终解释权归本店所有，产品以实物为准", "insisting_right"),
        ("是仓库的小李配错的，已经扣他绩效了", "internal_leak"),
        ("昨天还有一位杭州的王女士也反馈了同样的问题", "internal_leak"),
        ("行行行，您厉害，您说怎么办就怎么办", "rude"),
        ("头疼不一定是枕头的原因吧，可能是您没休息好", "arguing"),
        ("催什么催，排队等着", "rude"),
        ("剛剛不是講了嗎？你是金魚腦嗎", "rude"),
        ("清关就是这么慢，爱等不等", "dismissive"),
        ("不可能少的，每单出库都称重", "insisting_right"),
        ("親 已經登記好了，身分證A123456789", "personal_data"),
        ("得，身份證 K123456(7) 已經填好", "personal_data"),
        ("亲亲 不好意思哈 送您一张60元优惠券～", "compensation_over_cap"),
        ("唔好意思，補$80俾你啦", "compensation_over_cap"),
        ("催咩呀催，我哋都好忙㗎", "rude"),
        ("给您补60，别投诉了哈亲", "compensation_over_cap"),
        ("唔好意思，賠你100蚊啦", "compensation_over_cap"),
        ("您是不是用热水洗了？羊毛的用热水肯定缩啊", "blaming_customer"),
        ("您说话要负责任，没证据就是造谣", "arguing"),
        ("師傅陳先生 0912-345-678 您直接聯繫他喔", "personal_data"),
        ("收到，已經幫你改咗做 9123 4567，順豐會打俾你", "personal_data"),
        ("佢私人電話係98765432，你直接打俾佢啦", "personal_data"),
        ("你由 012-345-678901-2 嗰個戶口過咗數", "personal_data"),
    ],
)
def test_pitfall_is_caught(services: Services, reply: str, code: str) -> None:
    assert code in codes(services, reply)


@pytest.mark.parametrize(
    "reply",
    [
        "我们绝对理解您的心情，这次是我们没做好，非常抱歉。",
        "根据淘宝规则，超过七天不能无理由退货，不过我们可以为您免费维修或者换货，您看可以吗？",
        "不是您的问题，您没有错，是我们打包疏忽了，马上为您补发。",
        "我保证会在24小时内给您回复处理结果。",
        "您同意的10元补偿已经退回到您的账户，请注意查收。",
        "您的手机号138****5678已经备注给快递，他会提前联系您。",
        "运费我们来承担，您不用担心。",
        "滚筒洗衣机的安装师傅明天上午联系您。",
        "您的订单号是2024051812345678，以后查询直接报这个号就行。",
        "我没法跟您打包票说百分之百不会出错，但这单补发时我会亲自核对。",
        "我联系快递看能不能改地址，改不了的话就让网点转寄。",
        "您现在肯定很着急，我们应该早点通知您的，是我们没做好。",
        "这不是小事，我们来联系快递，您不用自己去问。",
        "不是您的问题，是我们打包时漏放了，充电线今天下午补寄。",
        "怎么可能让您再跑一趟，我们预约快递上门取件，运费我们出。",
        "赠品是限量的，库存已经没了，补寄做不到，不过可以给您申请一点补偿，您看可以吗？",
        "我是客服小鱼，售后同事小周明天上午会电话联系您。",
        "刺痛发红先别再用了，如果一直不退请去看皮肤科，这一盒直接给您退款。",
        "其他客户的处理情况我不方便透露，但您这单我一定处理好。",
        "生日蛋糕晚到了，我知道说什么都弥补不了，这单给您全额退款。",
        "您不用自己去找快递，我们马上联系网点，两小时内给您回复。",
        "这就是为什么为您改发了顺丰，明天就能到。",
        "豆沙色变成橘色，差别确实太大了，难怪您失望，我马上核对色号。",
        "唔好意思呀，睇到相，真係寄錯咗。我哋今日即刻寄啱嘅俾你，運費我哋包。",
        "檢測報告寫的是電機故障，不是人為損壞，之前的判斷有誤，真的很抱歉。",
        "东西没送到您手里是我们的责任，我这边马上去找快递要说法，同时先给您补发。",
        "今天寄出一般明天到，但物流我没办法百分之百保证，我会帮您备注加急并每天跟进。",
        "亲放心，开箱就有的裂纹不会按人为损坏处理，拍个照片给我，直接给您换新。",
        "想跟您确认一下是怎么洗的，不是要怪您，是为了判断布料的原因，怎样都会帮您处理。",
        "抱歉让您等了，我现在就去仓库核实，保证今天之内给您回复。",
        "客製商品一般是不能退的，但這次是我們刻錯，會幫您重新製作一支。",
    ],
)
def test_harmless_uses_of_trigger_words_pass(services: Services, reply: str) -> None:
    assert codes(services, reply) == set()


def test_findings_point_at_the_words_in_the_reply(services: Services) -> None:
    reply = "亲，肯定是你自己弄坏的哦"
    finding = services.check(reply).findings[0]
    assert reply[finding.span.start : finding.span.end] == finding.span.text
    assert finding.suggestion
    assert finding.label
    assert finding.severity in ("high", "medium", "low")


def test_quoting_the_buyer_is_not_rudeness(services: Services) -> None:
    assert "rude" not in codes(services, "您说的“烦不烦”这句话我们记下了，真的很抱歉让您这么着急。")


def test_amount_named_first_is_flagged_but_an_explained_one_is_not(services: Services) -> None:
    customer = "衣服有点色差"
    assert "compensation_first" in codes(services, "给您补偿10元可以吗？", customer)
    explained = "按单程运费标准，外省订单一般补偿10元左右，我帮您申请，您看可以吗？"
    assert "compensation_first" not in codes(services, explained, customer)


def test_amount_the_buyer_asked_for_is_not_named_first(services: Services) -> None:
    assert "compensation_first" not in codes(
        services, "好的，补偿您10元，已经为您申请。", "色差太严重了，补偿我10块钱吧"
    )


def test_the_tier_named_in_the_reply_sets_the_cap(services: Services) -> None:
    customer = "东西磕坏了"
    assert "compensation_over_cap" in codes(services, "外省件破损，给您补25元红包吧", customer)
    assert "compensation_over_cap" not in codes(services, "给您补25元红包吧", customer)
    assert "compensation_over_cap" in codes(services, "同城的话给您补12元红包吧", customer)


def test_amounts_in_taiwan_and_hong_kong_dollars_meet_the_cap_in_yuan(services: Services) -> None:
    customer = "杯子破了"
    # NT$40 is about 9 元, under every tier's cap; HK$60 is about 55 元, above the 50 元 cap.
    assert "compensation_over_cap" not in codes(services, "補償您NT$40購物金好嗎", customer)
    assert "compensation_over_cap" in codes(services, "補償你HK$60購物金好嗎", customer)


def test_a_price_difference_is_not_compensation(services: Services) -> None:
    found = codes(services, "可以换大容量的，贵200元，您补200元差价就行", "能换60升的吗")
    assert not found & {"compensation_first", "compensation_over_cap"}


def test_an_amount_set_by_a_standard_is_not_named_first_by_the_model(services: Services) -> None:
    reply = "真係好對唔住令你送唔切禮物，我哋按延誤賠償標準補償HK$10俾你，希望你接受。"
    assert "compensation_first" not in codes(services, reply, "遲咗兩日先到！！")


def test_canned_reply_is_mechanical_only_for_an_upset_buyer(services: Services) -> None:
    canned = "亲亲您好，已收到您的反馈，请耐心等待。"
    assert "mechanical" in codes(services, canned, "到底什么时候发货！！气死我了")
    assert "mechanical" not in codes(services, canned, "请问什么时候发货？")
    assert "mechanical" not in codes(services, canned)


def test_personal_data_suggestion_masks_the_number(services: Services) -> None:
    finding = next(
        f
        for f in services.check("您的身份证号110101199003071234已登记").findings
        if f.code == "personal_data"
    )
    assert "110101199003071234" not in finding.suggestion
    assert "*" in finding.suggestion


def test_traditional_reply_is_checked_too(services: Services) -> None:
    assert "blaming_customer" in codes(services, "肯定是你自己弄壞的")


def test_a_short_reply_needs_a_surer_model_to_add_a_pitfall_alone(services: Services) -> None:
    from dataclasses import replace

    from app.guard.service import check_reply

    def model_findings(thresholds: dict[str, float], reply: str) -> int:
        rules = replace(services.guard.rules)
        rules.model_thresholds = thresholds
        guard = replace(services.guard, rules=rules)
        return len(check_reply(guard=guard, text=reply).findings)

    short = "您再找找看吧"  # no rule word: whatever is found here, the model found
    long = "系统显示已经签收了哦，这个我们也不清楚，您再找找看吧"
    # With every vote counting, the model adds findings to both; a short reply needs more.
    eager = {"veto_below": 0.0, "add_from": 0.0, "short_reply_chars": 16, "add_from_short": 0.0}
    assert model_findings(eager, short) > 0
    assert model_findings(eager, long) > 0
    wary = {**eager, "add_from_short": 1.01}
    assert model_findings(wary, short) == 0
    assert model_findings(wary, long) > 0


def test_an_amount_under_every_cap_is_never_over_the_cap(services: Services) -> None:
    # 8 元 breaks no tier of the policy, whatever the model makes of the words around it.
    reply = "可以的亲，同城这边给您申请8元的运费补偿，您看可以吗？"
    assert "compensation_over_cap" not in codes(services, reply, "同城寄了四天，能补偿点吗")


def test_a_piece_counted_with_kuai_is_not_money(services: Services) -> None:
    # "一块新桌面" is one table top; offering it names no compensation amount.
    reply = "您看是补发一块新桌面，还是我给您申请一点价格补偿？您选一个～"
    assert "compensation_first" not in codes(services, reply, "桌面有点划痕")


def test_a_coupons_threshold_is_not_compensation(services: Services) -> None:
    reply = "亲，这张券是满199元可用的，您这单是189，再加一个小物件就能用了"
    found = codes(services, reply, "为什么优惠券用不了")
    assert not found & {"compensation_first", "compensation_over_cap"}


def test_a_diagnostic_question_that_blames_no_one_passes(services: Services) -> None:
    question = "想问下您是不是用热水洗的？"
    assert "blaming_customer" in codes(services, question + "羊毛遇热会缩。")
    disclaimed = question + "不是怪您，是想找出原因，不管怎样我们都会给您处理。"
    assert "blaming_customer" not in codes(services, disclaimed)


def test_the_model_does_not_call_an_excused_refusal_flat(services: Services) -> None:
    from dataclasses import replace

    from app.guard.service import check_reply

    rules = replace(services.guard.rules)
    # Every model vote counts: only the refusal's reason and alternative keep it out.
    rules.model_thresholds = {"veto_below": 0.0, "add_from": 0.0}
    guard = replace(services.guard, rules=rules)
    excused = "定制款刻了名字不能退哦，不过可以免费帮您改刻"
    found = {f.code for f in check_reply(guard=guard, text=excused).findings}
    assert "flat_refusal" not in found
    bare = {f.code for f in check_reply(guard=guard, text="不能退哦，就这样").findings}
    assert "flat_refusal" in bare


def test_the_model_calls_nothing_a_refusal_that_says_no_nowhere(services: Services) -> None:
    from dataclasses import replace

    from app.guard.service import check_reply

    rules = replace(services.guard.rules)
    rules.model_thresholds = {"veto_below": 0.0, "add_from": 0.0}
    guard = replace(services.guard, rules=rules)
    found = {f.code for f in check_reply(guard=guard, text="可以的哦亲😊").findings}
    assert "flat_refusal" not in found


def test_a_price_difference_refunded_is_not_compensation(services: Services) -> None:
    reply = "亲，还在价保期内，这边给您申请退差价30元（就是降价的金额），2小时内到账"
    assert "compensation_first" not in codes(services, reply, "刚买就降价了")


def test_the_model_never_vetoes_personal_data_or_an_amount_over_the_cap(
    services: Services,
) -> None:
    from dataclasses import replace

    from app.guard.service import check_reply

    rules = replace(services.guard.rules)
    # The model vetoes every finding it may veto, and adds nothing.
    rules.model_thresholds = {"veto_below": 1.01, "add_from": 1.01}
    guard = replace(services.guard, rules=rules)
    reply = "你有病吧，快递员电话13812345678，给您补偿80元红包"
    found = {f.code for f in check_reply(guard=guard, text=reply).findings}
    assert found == {"personal_data", "compensation_over_cap"}


def test_a_slip_added_to_a_long_polite_draft_is_caught(services: Services) -> None:
    draft = (
        "亲您好，消息已收到，我这就查看。您是说商品收到后发现有瑕疵或损坏，对吗？给您添麻烦了，"
        "真的很抱歉。麻烦拍一下问题部位的照片发我。质量问题由我们负责：换新或退货都可以，"
        "运费由我们承担。谢谢您的耐心和理解。"
    )
    customer = "衣服有个破洞，质量太差了，我要退货！"
    assert codes(services, draft, customer) == set()
    assert "blaming_customer" in codes(services, draft + "是你自己弄坏的。", customer)
