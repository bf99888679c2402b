"""Majority rules and the count of a vote: who must say yes, out of whom.

A rule is a fraction of a base: of all members of the chamber (``members``) or of those present and
voting (``present``). A simple majority is strictly more than half; a qualified majority (2/3, 3/5,
3/4) is at least the fraction. Counting is vectorised over the bills of a sitting.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

BASES = ("members", "present")


@dataclass(frozen=True)
class Rule:
    """At least (or, when ``strict``, more than) ``share`` of ``base`` must vote yes."""

    share: Fraction
    base: str = "members"
    strict: bool = False

    @classmethod
    def of(cls, num: int, den: int, base: str = "members") -> Rule:
        """``num``/``den`` of ``base``; one half is a majority (strictly more than half)."""
        share = Fraction(num, den)
        return cls(share, base, strict=share == Fraction(1, 2))

    def __str__(self) -> str:
        if self.share == Fraction(1, 2):
            return f"majority of {self.base}"
        return f"{self.share.numerator}/{self.share.denominator} of {self.base}"


#: The rules a procedure names.
RULES: dict[str, Rule] = {
    "simple": Rule.of(1, 2, "present"),
    "absolute": Rule.of(1, 2, "members"),
    "two_thirds": Rule.of(2, 3, "members"),
    "three_quarters": Rule.of(3, 4, "members"),
}


@dataclass(frozen=True)
class Tally:
    """The outcome of one vote per bill."""

    passed: np.ndarray
    yes: np.ndarray
    no: np.ndarray
    present: np.ndarray
    quorate: np.ndarray


def tally(yes: np.ndarray, present: np.ndarray, members: int, rule: Rule, quorum: float) -> Tally:
    """Apply ``rule`` and a ``quorum`` (share of members present) to a vote matrix.

    ``yes`` and ``present`` are (deputies x bills) booleans; an absent deputy's vote does not count.
    """
    num, den = rule.share.numerator, rule.share.denominator
    yes_n = (yes & present).sum(axis=0)
    present_n = present.sum(axis=0)
    no_n = present_n - yes_n
    quorate = present_n * 1.0 >= np.ceil(quorum * members - 1e-9)
    total = present_n if rule.base == "present" else np.full_like(present_n, members)
    ok = yes_n * den > total * num if rule.strict else yes_n * den >= total * num
    return Tally(passed=ok & quorate, yes=yes_n, no=no_n, present=present_n, quorate=quorate)
