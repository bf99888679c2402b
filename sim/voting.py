"""Vectorised vote kernels: every deputy of a chamber decides on every bill of a sitting at once.

A deputy's yes/no is one rule over arrays (no per-deputy Python loop):

    utility = (1 - loyalty) * spatial_gain + loyalty * party_line + attention * citizen_signal + noise

where ``spatial_gain`` is positive when the bill lies closer to the deputy's ideal point than the
status quo does, ``party_line`` is the whip's +1/-1, and ``citizen_signal`` is the pressure the deputy
attends to on the bill's topic. Tallies then apply the stage's majority rule and quorum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Majority rules. ``simple`` counts those voting; the others count all members of the chamber.
RULES: dict[str, tuple[int, int, str]] = {
    "simple": (1, 2, "voting"),
    "absolute": (1, 2, "members"),
    "two_thirds": (2, 3, "members"),
    "three_quarters": (3, 4, "members"),
}


def spatial_gain(ideal: np.ndarray, position: np.ndarray, status_quo: np.ndarray) -> np.ndarray:
    """(deputies x bills) gain of moving policy from the status quo to the bill, in [-4, 4]."""
    d_sq = ideal[:, None] - status_quo[None, :]
    d_b = ideal[:, None] - position[None, :]
    return d_sq * d_sq - d_b * d_b


def party_whip(
    party_position: np.ndarray,
    position: np.ndarray,
    status_quo: np.ndarray,
    government_bill: np.ndarray,
    government_party: np.ndarray,
) -> np.ndarray:
    """(parties x bills) party line, +1 or -1.

    A party backs a bill that moves policy towards its own position; a party of government always
    backs the government's bills.
    """
    backs = spatial_gain(party_position, position, status_quo) > 0
    backs |= government_party[:, None] & government_bill[None, :]
    return np.where(backs, 1.0, -1.0)


def support(
    *,
    ideal: np.ndarray,
    loyalty: np.ndarray,
    party: np.ndarray,
    whip: np.ndarray,
    gain: np.ndarray,
    signal: np.ndarray | None,
    attention: np.ndarray | None,
    noise_sd: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """(deputies x bills) boolean: who would vote yes if present."""
    n, m = gain.shape
    utility = (1.0 - loyalty)[:, None] * gain + loyalty[:, None] * whip[party, :]
    if signal is not None and attention is not None:
        utility += attention[:, None] * signal
    if noise_sd > 0:
        utility += rng.normal(0.0, noise_sd, size=(n, m))
    return utility > 0.0


@dataclass(frozen=True)
class Tally:
    """The outcome of one vote per bill."""

    passed: np.ndarray
    yes: np.ndarray
    no: np.ndarray
    present: np.ndarray
    quorate: np.ndarray


def tally(yes: np.ndarray, present: np.ndarray, members: int, rule: str, quorum: float) -> Tally:
    """Apply a majority ``rule`` and a ``quorum`` (share of members present) to a vote matrix.

    ``yes`` and ``present`` are (deputies x bills) booleans; an absent deputy's vote does not count.
    """
    num, den, base = RULES[rule]
    yes_n = (yes & present).sum(axis=0)
    present_n = present.sum(axis=0)
    no_n = present_n - yes_n
    quorate = present_n * 1.0 >= np.ceil(quorum * members - 1e-9)
    total = present_n if base == "voting" else np.full_like(present_n, members)
    if num * 2 == den:  # a majority is strictly more than half
        ok = yes_n * den > total * num
    else:  # qualified majorities: at least the fraction
        ok = yes_n * den >= total * num
    return Tally(passed=ok & quorate, yes=yes_n, no=no_n, present=present_n, quorate=quorate)
