"""`check_reply`: the pitfalls in an agent's reply, each with its span and a rewording."""

import re
from bisect import bisect_left
from dataclasses import dataclass

from app.analysis.facts import find_amounts
from app.analysis.model import TextModel, text_features
from app.analysis.normalize import NormalizedText, ScriptConverter, normalize, quoted_spans
from app.analysis.schemas import Analysis
from app.drafting.phrasebook import Phrasebook
from app.drafting.policy import ShopPolicy
from app.drafting.render import fill
from app.guard.rules import GuardRules, Hit, Pitfall
from app.guard.schemas import CheckResult, Finding
from app.personal_data import NUMBER_KINDS, find_personal_data, partly_hidden

SENTENCE_BREAKS = "。!?;；\n"
NEGATIVE = ("angry", "anxious", "disappointed")
NOT_VETOED = frozenset({"personal_data", "compensation_over_cap"})
# How far after an amount a refusal of it is looked for ("100元已经超过了订单金额").
DECLINED_WINDOW = 16
# How far either side of an amount 差价 makes it a price difference ("差价30元", "200元差价").
PRICE_DIFFERENCE_WINDOW = 3
# An internal tag is leaked all the same when it is quoted: 标了"事多，慎接".
QUOTED_STILL_COUNTS = frozenset({"internal_leak"})


@dataclass
class Guard:
    """Everything a check needs, built once at start-up."""

    rules: GuardRules
    converter: ScriptConverter
    phrasebook: Phrasebook
    policy: ShopPolicy
    model: TextModel | None = None

    def suggestion(self, code: str, address: str = "亲") -> str:
        """The rewording offered for a pitfall: a phrasebook line, or the pitfall's advice."""
        pitfall = self.rules.pitfalls[code]
        values = {
            **self.policy.template_values(),
            "customer": address,
            "order_id": "",
            "product": "",
        }
        for phrase_id in pitfall.suggest:
            phrase = self.phrasebook.by_id.get(phrase_id)
            if phrase is not None:
                return fill(phrase.text, values)
        return pitfall.advice


Amount = tuple[float, tuple[int, int]]


@dataclass(frozen=True)
class Scan:
    """One reading of a reply, shared by the rules and the model: its folded text, the words
    of pitfalls.yaml it holds and its sums of money in 元."""

    norm: NormalizedText
    hits: list[Hit]
    amounts: list[Amount]


def scan_reply(guard: Guard, text: str) -> Scan:
    """Fold the reply and find its words and amounts once per check."""
    norm = normalize(text, guard.converter)
    rates = guard.policy.currency_to_yuan
    amounts = [
        (_in_yuan(norm.text, value, span, rates), span) for value, span in find_amounts(norm.text)
    ]
    return Scan(norm, guard.rules.scan(norm.text), amounts)


def _in_yuan(folded: str, value: float, span: tuple[int, int], rates: dict[str, float]) -> float:
    """An amount in 元: "nt$60" and "100蚊" at the policy's rates, anything else as written."""
    start, end = span
    written = folded[max(0, start - 3) : end]
    return value * next((rate for unit, rate in rates.items() if unit in written), 1.0)


def _sentence(folded: str, start: int, end: int) -> str:
    left = max((folded.rfind(mark, 0, start) for mark in SENTENCE_BREAKS), default=-1)
    rights = [i for i in (folded.find(mark, end) for mark in SENTENCE_BREAKS) if i >= 0]
    return folded[left + 1 : min(rights) if rights else len(folded)]


def _finding(guard: Guard, code: str, norm: NormalizedText, start: int, end: int) -> Finding:
    pitfall = guard.rules.pitfalls[code]
    return Finding(
        code=code,
        label=pitfall.label,
        severity=pitfall.severity,
        span=norm.span(start, end),
        suggestion=guard.suggestion(code),
        reason=pitfall.reason,
    )


def _present(hits: list[Hit]) -> set[tuple[str, str]]:
    """(kind, code) of every word the scan found: what the reply has, wherever it is."""
    return {(kind, code) for kind, code, _, _ in hits}


def _excused(pitfall: Pitfall, present: set[tuple[str, str]]) -> bool:
    """The reply has everything that makes this pitfall's words acceptable (a refusal with a
    reason and an alternative)."""
    return bool(pitfall.unless_reply_has) and all(
        (f"unless:{name}", pitfall.code) in present for name in pitfall.unless_reply_has
    )


def _word_rules(guard: Guard, norm: NormalizedText, hits: list[Hit]) -> list[Finding]:
    quoted = quoted_spans(norm.text)
    present = _present(hits)
    harmless = [(code, a, b) for kind, code, a, b in hits if kind in ("harmless", "disclaimer")]
    findings: list[Finding] = []
    taken: list[tuple[str, int, int]] = []
    for kind, code, start, end in sorted(hits, key=lambda h: (h[2], h[2] - h[3])):
        if kind not in ("trigger", "question"):
            continue
        if kind == "question" and ("disclaimer", code) in present:
            continue  # "您是不是用热水洗的？不是怪您": a question to find the cause
        if code not in QUOTED_STILL_COUNTS and any(a <= start and end <= b for a, b in quoted):
            continue  # the buyer's own words, quoted back
        if any(c == code and a < end and start < b for c, a, b in harmless):
            continue
        if _excused(guard.rules.pitfalls[code], present):
            continue
        if any(c == code and a < end and start < b for c, a, b in taken):
            continue
        taken.append((code, start, end))
        findings.append(_finding(guard, code, norm, start, end))
    return findings


def _personal_data(guard: Guard, norm: NormalizedText) -> list[Finding]:
    findings = []
    # The buyer's order number is not personal data: they need it (find_personal_data skips it).
    for _, start, end in find_personal_data(norm.text, NUMBER_KINDS):
        finding = _finding(guard, "personal_data", norm, start, end)
        masked = partly_hidden(norm.text[start:end])
        finding.suggestion = f"{guard.rules.pitfalls['personal_data'].advice} 例如：{masked}"
        findings.append(finding)
    return findings


def _amount_explained(guard: Guard, folded: str) -> bool:
    """The reply says why the amount is what it is, or the buyer agreed to it: naming it is fine."""
    rules = guard.rules
    return any(marker in folded for marker in (*rules.explained_markers, *rules.agreed_markers))


def _cap(guard: Guard, folded: str, customer_text: str | None) -> float:
    """The compensation cap: the tier the reply names ("同城", "外省"), else the one the buyer
    names, else the largest; the smallest cap when several are named."""
    policy = guard.policy
    for text in (folded, customer_text or ""):
        named = [
            policy.compensation_tiers[tier].max_yuan
            for tier, words in guard.rules.tier_words.items()
            if tier in policy.compensation_tiers and any(word in text for word in words)
        ]
        if named:
            return min(named)
    return policy.compensation_cap


def _money_given(guard: Guard, scan: Scan) -> list[Amount]:
    """The amounts that could be money given to the buyer: not a coupon's threshold, a price
    difference or an amount the reply turns down."""
    folded, rules = scan.norm.text, guard.rules
    given = []
    for value, (start, end) in scan.amounts:
        if any(mark in folded[max(0, start - 2) : start] for mark in rules.price_marks):
            continue  # "满199元可用", "贵200元": a coupon's threshold or a price, not money given
        near = folded[max(0, start - PRICE_DIFFERENCE_WINDOW) : end + PRICE_DIFFERENCE_WINDOW]
        if any(mark in near for mark in rules.price_difference_marks):
            continue  # "您补200元差价": a price difference, not compensation
        clause_after = re.split(r"[,，。!?;；]", folded[end : end + DECLINED_WINDOW])[0]
        if any(marker in clause_after for marker in rules.declined_markers):
            continue  # "50元超出了我们的标准": an amount turned down, not offered
        given.append((value, (start, end)))
    return given


def _compensation(
    guard: Guard, scan: Scan, customer: Analysis | None, customer_text: str | None
) -> list[Finding]:
    norm = scan.norm
    folded = norm.text
    findings = []
    explained = _amount_explained(guard, folded)
    cap = _cap(guard, folded, customer_text)
    for value, (start, end) in _money_given(guard, scan):
        sentence = _sentence(folded, start, end)
        paid_out = any(mark in folded[max(0, start - 3) : start] for mark in guard.rules.paid_marks)
        if not paid_out and not any(word in sentence for word in guard.rules.compensation_words):
            continue  # a price or a refund of it, not compensation
        if value > cap:
            findings.append(_finding(guard, "compensation_over_cap", norm, start, end))
        if explained:
            continue
        if customer is not None:
            asked = any(d.code == "compensation" for d in customer.demands) or bool(
                customer.facts.amounts
            )
        else:
            asked = not any(word in sentence for word in guard.rules.offer_words)
        if not asked:
            findings.append(_finding(guard, "compensation_first", norm, start, end))
    return findings


def _mechanical(
    guard: Guard, norm: NormalizedText, hits: list[Hit], customer: Analysis | None
) -> list[Finding]:
    if customer is None:
        return []
    upset = customer.emotion.code in NEGATIVE and customer.emotion.intensity >= 1
    if not upset:
        return []
    own = [(kind, a, b) for kind, code, a, b in hits if code == "mechanical"]
    canned = [(a, b) for kind, a, b in own if kind == "canned"]
    # "请问有什么可以帮您" is canned even though it holds "帮您": words inside a canned line do not count.
    substance = [
        (a, b)
        for kind, a, b in own
        if kind in ("warm", "concrete") and not any(c <= a and b <= d for c, d in canned)
    ]
    if canned and not substance:
        return [_finding(guard, "mechanical", norm, 0, len(norm.text))]
    return []


def _rule_findings(
    guard: Guard, scan: Scan, customer_text: str | None, customer_analysis: Analysis | None
) -> list[Finding]:
    findings = [
        *_word_rules(guard, scan.norm, scan.hits),
        *_personal_data(guard, scan.norm),
        *_compensation(guard, scan, customer_analysis, customer_text),
    ]
    if not findings:
        # A reply with a real pitfall is not also "mechanical": the pitfall is what to fix.
        findings = _mechanical(guard, scan.norm, scan.hits, customer_analysis)
    return findings


def _context_features(scan: Scan, customer: Analysis | None, rules: list[Finding]) -> list[str]:
    features = [f"{kind}:{code}" for kind, code, _, _ in scan.hits]
    features += ["rule:" + finding.code for finding in rules]
    if customer is None:
        features.append("cust:none")
    else:
        features.append(f"cust:{customer.emotion.code}:{min(customer.emotion.intensity, 2)}")
        features += ["cust:demand:" + demand.code for demand in customer.demands]
    if scan.amounts:
        features.append("amount")
    return features


def reply_features(
    guard: Guard, text: str, customer_text: str | None, customer: Analysis | None
) -> list[str]:
    """What the guard model sees: n-grams, trigger and context words, the rules' findings and
    how the customer feels (scripts/train.py uses this on the training replies)."""
    scan = scan_reply(guard, text)
    rules = _rule_findings(guard, scan, customer_text, customer)
    return text_features(scan.norm.text) + _context_features(scan, customer, rules)


def check_reply(
    *,
    guard: Guard,
    text: str,
    customer_text: str | None = None,
    customer_analysis: Analysis | None = None,
) -> CheckResult:
    """Every pitfall in `text`, in reading order; `ok` when there is none."""
    scan = scan_reply(guard, text)
    findings = _rule_findings(guard, scan, customer_text, customer_analysis)
    if guard.model is not None:
        findings = _with_model(guard, scan, customer_analysis, findings)
    findings.sort(key=lambda f: (f.span.start, f.code))
    return CheckResult(ok=not findings, findings=findings)


def _possible(code: str, scan: Scan, customer: Analysis | None, guard: Guard) -> bool:
    """What a pitfall needs before the model may claim it: an upset buyer for a mechanical
    reply, a word that says no for a refusal, an amount that could be given for compensation
    (not a price difference or a coupon's threshold), one above the smallest cap for an amount
    over the cap (8 元 breaks no tier), and never personal data (the number
    patterns decide)."""
    rules, policy = guard.rules, guard.policy
    if code == "mechanical":
        return (
            customer is not None
            and customer.emotion.code in NEGATIVE
            and customer.emotion.intensity >= 1
        )
    if code == "flat_refusal":
        return any(word in scan.norm.text for word in rules.refusal_words)
    if code == "compensation_first":
        return bool(_money_given(guard, scan))
    if code == "compensation_over_cap":
        cap = policy.smallest_compensation_cap
        return any(value > cap for value, _ in _money_given(guard, scan))
    if code == "personal_data":
        return False  # only the patterns decide: a number is either there in full or not
    return True


def _sentence_vote(
    guard: Guard, norm: NormalizedText, context: list[str], finding: Finding
) -> float:
    """The model's vote for a finding's pitfall on the sentence that holds it."""
    assert guard.model is not None
    start = bisect_left(norm.origin, finding.span.start)
    end = max(bisect_left(norm.origin, finding.span.end), start + 1)
    sentence = _sentence(norm.text, start, end)
    if len(sentence) == len(norm.text):
        return 0.0  # one sentence: the reply's own vote was its vote
    rows = guard.model.text_rows(sentence, context)
    return guard.model.probabilities(rows)["pitfalls"][finding.code]


def _with_model(
    guard: Guard, scan: Scan, customer: Analysis | None, rules: list[Finding]
) -> list[Finding]:
    """The model confirms or vetoes the rules' findings and adds pitfalls no rule words."""
    assert guard.model is not None
    norm, hits = scan.norm, scan.hits
    context = _context_features(scan, customer, rules)
    rows = guard.model.text_rows(norm.text, context)
    probabilities = guard.model.probabilities(rows)["pitfalls"]
    thresholds = guard.rules.model_thresholds
    veto_below = thresholds["veto_below"]
    # Personal data and an amount over the cap are facts of the text and the policy: no vote
    # overrules them. Word rules can misread a harmless use, and the model may say so; a slip
    # at the end of a long polite reply must be vetoed by its own sentence too, or the polite
    # rest would outvote it.
    kept = [
        f
        for f in rules
        if f.code in NOT_VETOED
        or probabilities[f.code] >= veto_below
        or _sentence_vote(guard, norm, context, f) >= veto_below
    ]
    # A code the reply words harmlessly on purpose ("其他客户…不方便透露", "不是怪您"), or whose
    # conditions of acceptance it meets (a refusal with a reason and an alternative), is not the
    # model's to add: the documents say that wording is fine.
    present = _present(hits)
    found = {finding.code for finding in kept}
    found |= {c for kind, c, _, _ in hits if kind in ("harmless", "disclaimer")}
    found |= {code for code, pitfall in guard.rules.pitfalls.items() if _excused(pitfall, present)}
    if _amount_explained(guard, norm.text):
        found.add("compensation_first")  # the rule's own excuse holds for the model too
    # A short reply gives the model few n-grams to go on: it must be surer to add a pitfall alone.
    short = len(norm.text) < thresholds.get("short_reply_chars", 0)
    add_from = thresholds["add_from_short" if short else "add_from"]
    for code, probability in probabilities.items():
        if code in found or probability < add_from:
            continue
        if not _possible(code, scan, customer, guard):
            continue
        # Evidence must hold words (two or more letters), not "，您": an agent must see what to change.
        spans = [
            (a, b)
            for a, b in guard.model.evidence(norm.text, rows, "pitfalls", code, minimum=0.3)
            if sum(char.isalnum() for char in norm.text[a:b]) >= 2
        ]
        if not spans and code != "mechanical":
            continue  # no words to point at: the agent could not see what to change
        start, end = spans[0] if spans else (0, len(norm.text))
        kept.append(_finding(guard, code, norm, start, end))
    return kept
