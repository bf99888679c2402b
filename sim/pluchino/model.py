"""The parliament of Pluchino et al. (2011), "Accidental politicians" (Physica A 390, 3944-3954).

N legislators sit in the plane of personal gain x and social gain y, both in [-1, 1]. Two parties
(the majority holds share ``p`` of the party seats) place their members uniformly in a circle of
radius ``r`` around the party's centre; ``n_ind`` independents sit uniformly in the square. A random
legislator proposes each act, which carries the proposer's (x, y). Members of the proposer's party
vote yes; the other party's members vote yes when the act's y is at least their centre's y and a
perceived personal gain x* ~ U(-1, 1), drawn per voter and act, is at least their centre's x;
independents apply the same test with their own coordinates. The vote is counted by the project's
count (``agents.majority.tally``): an act passes with more than N/2 yes votes (rule ``absolute``).
Efficiency of a legislature = share of acts passed x mean social gain of the passed acts.

Why it is fast: one legislature's draws (party centres, seats, proposers, every voter's x*) are made
once from its own named stream and shared by every number of independents (common random numbers:
the independents of a smaller parliament are the first ones of a larger one), so the cost of a point
of the curve is a few comparisons over a (deputies x legislatures x acts) array, in chunks of
legislatures. x* is drawn as a 16-bit integer (resolution 2**-15 on [-1, 1]); chunks run on threads,
and results do not depend on the chunk size or the number of threads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from agents.majority import RULES, tally
from sim.engine.streams import Streams

#: Elements of one (deputies x legislatures x acts) array of a chunk: bounds memory (~40 MB a thread).
CHUNK_ELEMENTS = 1 << 22
_U16 = 65536


@dataclass(frozen=True)
class Parliament:
    """The model's parameters (defaults: the paper's N = 500, p = 0.6, r = 0.1, 1,000 acts)."""

    n: int = 500
    p: float = 0.6
    r: float = 0.1
    acts: int = 1000
    rule: str = "absolute"

    def seats(self, n_ind: int) -> tuple[int, int]:
        """Seats of the majority and minority party when ``n_ind`` seats go to independents."""
        parties = self.n - n_ind
        major = round(self.p * parties)
        return major, parties - major


def golden_rule(n: int, p: float) -> float:
    """The paper's closed-form number of independents that maximises efficiency.

    The majority party (share ``p`` of the party seats, taken as max(p, 1 - p)) passes its own acts
    alone while it holds a majority. An independent backs an act of unknown position with probability
    1/2 x 1/2 = 1/4 (its y test and its x* test), so efficiency peaks when the majority party plus a
    quarter of the independents just make N/2 + 1:  p (N - N_ind) + N_ind / 4 = N / 2 + 1, i.e.

        N_ind* = (2N - 4Np + 4) / (1 - 4p)

    (Pluchino et al. 2011, the "efficiency golden rule"). Clipped to [0, N].
    """
    pm = max(p, 1.0 - p)
    return float(min(max((2 * n - 4 * n * pm + 4) / (1 - 4 * pm), 0.0), n))


@dataclass
class Draws:
    """The random part of a chunk of legislatures, shared by every number of independents.

    ``centre`` (L, 2, 2): the parties' centres (x, y); ``square`` (L, N, 2): a seat's place if its
    holder is independent; ``disk`` (L, N, 2): its offset from the centre if a party member;
    ``proposer`` (L, A): who proposes each act; ``u`` (N, L, A) uint16: each voter's x* per act.
    """

    centre: np.ndarray
    square: np.ndarray
    disk: np.ndarray
    proposer: np.ndarray
    u: np.ndarray


def draw(model: Parliament, seed: int, legislatures: Sequence[int]) -> Draws:
    """Draw the legislatures numbered ``legislatures``, each from its own named stream."""
    n, a, r = model.n, model.acts, model.r
    count = len(legislatures)
    centre = np.empty((count, 2, 2), np.float32)
    square = np.empty((count, n, 2), np.float32)
    disk = np.empty((count, n, 2), np.float32)
    proposer = np.empty((count, a), np.int64)
    u = np.empty((n, count, a), np.uint16)
    streams = Streams(seed)
    words = -(-n * a // 4)  # 64-bit words holding n * a 16-bit draws
    for j, leg in enumerate(legislatures):
        rng = streams[f"pluchino/legislature/{leg}"]
        centre[j] = rng.uniform(-1.0 + r, 1.0 - r, size=(2, 2))  # circles inside the square
        square[j] = rng.uniform(-1.0, 1.0, size=(n, 2))
        radius = r * np.sqrt(rng.random(n))
        angle = 2.0 * np.pi * rng.random(n)
        disk[j, :, 0] = radius * np.cos(angle)
        disk[j, :, 1] = radius * np.sin(angle)
        proposer[j] = rng.integers(0, n, size=a)
        raw = rng.bit_generator.random_raw(words)
        u[:, j, :] = raw.view(np.uint16)[: n * a].reshape(n, a)
    return Draws(centre, square, disk, proposer, u)


def _x_threshold(x: np.ndarray) -> np.ndarray:
    """The smallest 16-bit draw whose x* = -1 + 2 (u + 1/2) / 65536 is at least ``x``."""
    k = np.ceil((x.astype(np.float64) + 1.0) * (_U16 / 2) - 0.5)
    return np.clip(k, 0, _U16 - 1).astype(np.uint16)


def vote(model: Parliament, d: Draws, n_ind: int) -> tuple[np.ndarray, np.ndarray]:
    """Every act of the chunk voted by every deputy: (passed (L, A) bool, social gain y (L, A))."""
    n = model.n
    major, _ = model.seats(n_ind)
    party = np.full(n, -1, np.int8)  # -1 independent, 0 majority, 1 minority
    party[n_ind : n_ind + major] = 0
    party[n_ind + major :] = 1
    member = party >= 0
    # Where each seat sits, and the reference point its holder tests acts against.
    pj = np.maximum(party, 0)
    centre = d.centre[:, pj, :]  # (L, N, 2)
    place = np.where(member[None, :, None], centre + d.disk, d.square)
    ref = np.where(member[None, :, None], centre, d.square)
    rows = np.arange(place.shape[0])[:, None]
    act_y = place[rows, d.proposer, 1]  # (L, A)
    act_party = party[d.proposer]
    act_party = np.where(act_party >= 0, act_party, -2)  # an independent has no party mates
    ref_x = ref[:, :, 0].T[:, :, None]  # (N, L, 1)
    ref_y = ref[:, :, 1].T[:, :, None]
    yes = act_y[None, :, :] >= ref_y
    yes &= d.u >= _x_threshold(ref_x)
    yes |= party[:, None, None] == act_party[None, :, :]
    m = act_y.size
    present = np.broadcast_to(np.True_, (n, m))
    passed = tally(yes.reshape(n, m), present, n, RULES[model.rule], 0.0).passed
    return passed.reshape(act_y.shape), act_y


def chunk_curve(model: Parliament, seed: int, legislatures: Sequence[int], grid: Sequence[int]) -> np.ndarray:
    """(3, len(grid), L): efficiency, share passed and mean social gain of passed acts."""
    d = draw(model, seed, legislatures)
    out = np.zeros((3, len(grid), len(legislatures)))
    for g, n_ind in enumerate(grid):
        passed, y = vote(model, d, int(n_ind))
        n_passed = passed.sum(axis=1)
        gain = np.where(passed, y, 0.0).sum(axis=1, dtype=np.float64)
        out[0, g] = gain / model.acts
        out[1, g] = n_passed / model.acts
        out[2, g] = np.divide(gain, n_passed, out=np.zeros_like(gain), where=n_passed > 0)
    return out


def chunks(model: Parliament, legislatures: int) -> list[list[int]]:
    """Legislature numbers in chunks whose vote array has about ``CHUNK_ELEMENTS`` elements."""
    size = max(1, CHUNK_ELEMENTS // (model.n * model.acts))
    return [list(range(s, min(s + size, legislatures))) for s in range(0, legislatures, size)]


def _counted(result: np.ndarray, chunk: Sequence[int], on_chunk: Callable[[int], None] | None) -> np.ndarray:
    if on_chunk is not None:
        on_chunk(len(chunk))
    return result


def curve(
    model: Parliament,
    grid: Sequence[int],
    legislatures: int,
    seed: int,
    workers: int = 2,
    on_chunk: Callable[[int], None] | None = None,
) -> dict[str, np.ndarray]:
    """Per number of independents and legislature (len(grid) x legislatures): ``efficiency``,
    ``passed`` (share of acts passed) and ``social_gain`` (mean y of passed acts). ``on_chunk(k)``
    is told each time a chunk of ``k`` legislatures is done (progress)."""
    if model.rule not in RULES:
        raise ValueError(f"unknown rule {model.rule!r}")
    parts = chunks(model, legislatures)
    if workers > 1 and len(parts) > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(
                pool.map(lambda c: _counted(chunk_curve(model, seed, c, grid), c, on_chunk), parts)
            )
    else:
        results = [_counted(chunk_curve(model, seed, c, grid), c, on_chunk) for c in parts]
    allx = np.concatenate(results, axis=2)
    return {"efficiency": allx[0], "passed": allx[1], "social_gain": allx[2]}
