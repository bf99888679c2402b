"""Majority rules and the count of a vote: who must say yes, out of whom.

A rule is a fraction of a base: of all members of the chamber (``members``) or of those present and
voting (``present``). A simple majority is strictly more than half; a qualified majority (2/3, 3/5,
3/4) is at least the fraction. Counting is vectorised over the bills of a sitting.
"""

from __future__ import annotations

import math
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
#: How a rule may be written: a name of :data:`RULES`, or a fraction of a base.
RULE_FORMS = (
    f"one of {', '.join(RULES)}, or 'N/D of members' / 'N/D of present' (a fraction in (0, 1]),"
    " or 'majority of members' / 'majority of present'"
)


def parse_rule(text: str) -> Rule:
    """The rule ``text`` names: ``absolute``, ``2/3 of members``, ``3/5 of present``, ``majority of
    members``... Raises ``ValueError`` for anything else."""
    text = " ".join(str(text).split()).lower()
    if text in RULES:
        return RULES[text]
    share, sep, base = text.partition(" of ")
    if not sep or base not in BASES:
        raise ValueError(text)
    if share == "majority":
        return Rule.of(1, 2, base)
    num, slash, den = share.partition("/")
    if not (slash and share.isascii() and num.isdigit() and den.isdigit() and 0 < int(num) <= int(den)):
        raise ValueError(text)
    return Rule.of(int(num), int(den), base)


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
    yes_n = (yes & present).sum(axis=0)
    present_n = present.sum(axis=0)
    no_n = present_n - yes_n
    quorate = present_n * 1.0 >= np.ceil(quorum * members - 1e-9)
    ok = reached(yes_n, present_n, members, rule)
    return Tally(passed=ok & quorate, yes=yes_n, no=no_n, present=present_n, quorate=quorate)


def passes(yes: int, present: int, members: int, rule: Rule, quorum: float) -> bool:
    """One vote's outcome, counted: ``yes`` of ``present`` members (the scalar form of
    :func:`tally`, for a sitting's items counted one by one)."""
    return reaches(yes, present, members, rule) and present * 1.0 >= math.ceil(quorum * members - 1e-9)


def reaches(votes: int, present: int, members: int, rule: Rule) -> bool:
    """Whether ``votes`` reach ``rule``'s share of its base (the scalar form of :func:`reached`)."""
    num, den = rule.share.numerator, rule.share.denominator
    total = present if rule.base == "present" else members
    return votes * den > total * num if rule.strict else votes * den >= total * num


def reached(votes: np.ndarray, present: np.ndarray, members: int, rule: Rule) -> np.ndarray:
    """Whether ``votes`` (per bill) reach ``rule``'s share of its base (members, or those present)."""
    num, den = rule.share.numerator, rule.share.denominator
    total = present if rule.base == "present" else np.full_like(present, members)
    return votes * den > total * num if rule.strict else votes * den >= total * num
