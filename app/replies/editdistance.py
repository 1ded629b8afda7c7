"""Levenshtein distance between the draft offered and the text sent, in Unicode code points."""


def levenshtein(a: str, b: str) -> int:
    """Insertions, deletions and substitutions that turn `a` into `b`.

    Myers' bit-parallel algorithm with Python integers as bit vectors: one pass over `b`, so a
    4,000-character reply costs milliseconds, not the seconds of the quadratic table.
    """
    if not a:
        return len(b)
    if not b:
        return len(a)
    length = len(a)
    full = (1 << length) - 1
    last = 1 << (length - 1)
    positions: dict[str, int] = {}
    for index, char in enumerate(a):
        positions[char] = positions.get(char, 0) | (1 << index)
    plus, minus, score = full, 0, length
    for char in b:
        eq = positions.get(char, 0)
        xv = eq | minus
        xh = (((eq & plus) + plus) ^ plus) | eq
        horizontal_plus = minus | (~(xh | plus) & full)
        horizontal_minus = plus & xh
        if horizontal_plus & last:
            score += 1
        elif horizontal_minus & last:
            score -= 1
        horizontal_plus = ((horizontal_plus << 1) | 1) & full
        horizontal_minus = (horizontal_minus << 1) & full
        plus = horizontal_minus | (~(xv | horizontal_plus) & full)
        minus = horizontal_plus & xv
    return score


def edit_ratio(draft: str, sent: str) -> float:
    """Distance relative to the longer text: 0 unedited, 1 rewritten entirely."""
    longest = max(len(draft), len(sent))
    return levenshtein(draft, sent) / longest if longest else 0.0
