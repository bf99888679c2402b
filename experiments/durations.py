"""A stage's duration from records kept by the day: maximum likelihood in each of the engine's
distribution families, the family chosen by AIC, intervals from the information (sandwich).

Records give whole days: a visit entered on day e and left on day l was in the stage d = l - e days,
where the true time D lies anywhere in (d - 1, d + 1). With the hour of entry uniform within its day,
d has probability

    P(d) = integral of f(x) (1 - |x - d|) dx over (d - 1, d + 1) = G(d + 1) - 2 G(d) + G(d - 1),

with G(x) = integral of F over (0, x) (the density smoothed by a triangle one day wide). This is a
proper probability of the recorded whole days for every family, ``fixed`` included (a fixed duration
of 7.3 days is recorded as 7 or 8 days, in proportion 0.7 and 0.3), so the families' likelihoods
can be compared. A visit cut short at a deadline says only that D was longer than its recorded days:
it counts by the survival function S(d); a visit still open when the records end, or lapsed at a
session's end, was cut at a time within its last day, between d - 1 and d days: it counts by the mean
of S over that day. The distributions are
parametrised as the engine's (:class:`sim.engine.parliament.DurationConf`): by mean and sd.

A bill's time in a stage is the stage's duration times the bill's complexity (lognormal, mean 1)
and, for a priority bill, the priority factor: with that spread given (the base preset's), P(d) is
the mixture over those factors (:class:`Spread`), so that the family and its mean and sd are the
stage's own, not those of the spread that bills add.

The family is the one of least AIC = 2k - 2 log L (k = 1 for ``fixed`` and ``exponential``, 2 for
``lognormal`` and ``gamma``). Intervals come from the information in (log mean, log sd), so that they
stay positive, as the Huber-White sandwich H^-1 B H^-1 (H the Hessian of -log L, B the sum of the
scores' outer products): the Fisher interval when the family is right, and still honest when it is
only close (times in a stage mix bills of different complexity and priority).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy import optimize, special, stats

from sim.engine.parliament import DISTRIBUTIONS

#: Free parameters of each family (mean; mean and sd).
PARAMETERS = {"fixed": 1, "exponential": 1, "lognormal": 2, "gamma": 2}
#: Below this probability a recorded day counts as impossible (log of it).
TINY = 1e-300


@dataclass(frozen=True)
class Spread:
    """The factor a bill's time in a stage is the stage's duration times: its complexity (lognormal
    with mean 1 and sd ``complexity_sd``) and, for the ``priority_share`` of priority bills,
    ``priority_factor``."""

    complexity_sd: float = 0.0
    priority_share: float = 0.0
    priority_factor: float = 1.0

    @property
    def mixed(self) -> bool:
        return self.complexity_sd > 0 or self.priority_parts()[0][0] < 1

    def priority_parts(self) -> list[tuple[float, float]]:
        """(probability, factor) of ordinary and priority bills."""
        if self.priority_share > 0 and self.priority_factor != 1.0:
            return [(1 - self.priority_share, 1.0), (self.priority_share, self.priority_factor)]
        return [(1.0, 1.0)]


NO_SPREAD = Spread()


@dataclass(frozen=True)
class Sample:
    """Whole days in a stage: ``days`` of visits that ended there; ``censored`` of visits cut short
    at a known time (a deadline: at least that long); ``open`` of visits still there when the
    records end or when a session's end lapsed them (longer than the time since entry, which lies
    within the last recorded day: between d - 1 and d days)."""

    days: np.ndarray
    censored: np.ndarray
    open: np.ndarray = field(default_factory=lambda: np.zeros(0))
    #: What bills add to the stage's duration (their complexity, priority bills' speed): a visit's
    #: time is the duration times the bill's factor (:class:`Spread`).
    spread: Spread = field(default_factory=lambda: NO_SPREAD)

    @classmethod
    def of(
        cls, days: np.ndarray, cut: np.ndarray, still: np.ndarray | None = None, spread: Spread | None = None
    ) -> Sample:
        days = np.asarray(days, dtype=float)
        cut = np.asarray(cut, dtype=bool)
        still = np.zeros(days.size, bool) if still is None else np.asarray(still, dtype=bool)
        parts = (np.round(days[~cut & ~still]), np.round(days[cut & ~still]), np.round(days[still]))
        return cls(*parts, spread=spread or NO_SPREAD)

    @property
    def mixed(self) -> bool:
        return self.spread.mixed

    @property
    def n(self) -> int:
        return int(self.days.size + self.censored.size + self.open.size)


@dataclass(frozen=True)
class FamilyFit:
    """The maximum-likelihood fit of one family: mean and sd (days), log-likelihood, free parameters,
    and the covariance of (log mean, log sd) (or of log mean alone; None when the information is
    singular)."""

    family: str
    mean: float
    sd: float
    loglik: float
    k: int
    cov: np.ndarray | None
    n: int = 0  # visits that ended in the stage (for the interval of a fixed time)
    mixed: bool = False  # fitted through the spread of bills' complexity and priority

    @property
    def aic(self) -> float:
        return 2 * self.k - 2 * self.loglik

    def interval(self, what: str, level: float = 0.95) -> tuple[float, float]:
        """The ``level`` interval of the ``mean`` or the ``sd``: exp(log value ± z se)."""
        value = self.mean if what == "mean" else self.sd
        if self.family == "fixed" and what == "sd":
            return (0.0, 0.0)
        i = 0 if what == "mean" or self.family == "exponential" else 1
        if self.cov is None or not np.isfinite(self.cov[i, i]) or self.cov[i, i] < 0:
            return (math.nan, math.nan)
        z = float(stats.norm.ppf(0.5 + level / 2))
        if self.family == "fixed" and not self.mixed:
            return self._fixed_interval(level)
        half = z * math.sqrt(self.cov[i, i])
        return (value * math.exp(-half), value * math.exp(half))

    def _fixed_interval(self, level: float) -> tuple[float, float]:
        """A fixed time m = k + share recorded as k or k + 1 days: the Wilson interval of the share;
        every visit on the same k days: m within 1 - (1 - level)^(1/n) of k (the chance that n visits
        all fall on k is (1 - |m - k|)^n)."""
        low = math.floor(self.mean)
        share = self.mean - low
        if 0 < share < 1:
            ci = stats.binomtest(round(share * self.n), self.n).proportion_ci(level, method="wilson")
            return (low + float(ci.low), low + float(ci.high))
        half = 1 - (1 - level) ** (1 / max(self.n, 1))
        return (self.mean - half, self.mean + half)


@lru_cache(maxsize=64)
def _nodes(complexity_sd: float, nodes: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Hermite factors and weights of a lognormal complexity with mean 1 and this sd."""
    s2 = math.log1p(complexity_sd**2)
    z, w = np.polynomial.hermite_e.hermegauss(nodes)
    return np.exp(-s2 / 2 + math.sqrt(s2) * z), w / w.sum()


def _mixture(
    prob: Callable[..., np.ndarray], family: str, mean: float, sd: float, spread: Spread, u: np.ndarray
) -> np.ndarray:
    """``prob`` of the stage's time (the duration times a bill's factor), mixed over the spread:
    priority bills as a second component; complexity by quadrature, or exactly for a fixed
    duration (a fixed time times a lognormal complexity is lognormal with the complexity's CV)."""
    out = np.zeros(u.size)
    c = spread.complexity_sd
    for weight, factor in spread.priority_parts():
        m, s = mean * factor, sd * factor
        if c <= 0:
            out += weight * prob(family, m, s, u)
        elif family == "fixed":
            out += weight * prob("lognormal", m, m * c, u)
        else:
            for k, w in zip(*_nodes(c), strict=True):
                out += weight * w * prob(family, m * k, s * k, u)
    return out


# -- the families' integrals ----------------------------------------------------------------------
def _moments(family: str, mean: float, sd: float) -> tuple[float, float]:
    """Gamma (shape, scale) or lognormal (mu, sigma) of a mean and sd."""
    if family == "exponential":
        return 1.0, mean
    cv2 = (sd / mean) ** 2
    if family == "gamma":
        return 1.0 / cv2, mean * cv2
    s2 = math.log1p(cv2)
    return math.log(mean) - s2 / 2, math.sqrt(s2)


def _parts(family: str, mean: float, sd: float, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For x > 0: the survival function S(x), and the partial expectations of D below and above x."""
    if family in ("gamma", "exponential"):
        a, scale = _moments(family, mean, sd)
        z = x / scale
        return special.gammaincc(a, z), mean * special.gammainc(a + 1, z), mean * special.gammaincc(a + 1, z)
    mu, sigma = _moments(family, mean, sd)
    with np.errstate(divide="ignore"):
        lx = np.log(x)
    u = (lx - mu) / sigma
    return special.ndtr(-u), mean * special.ndtr(u - sigma), mean * special.ndtr(sigma - u)


def _g(family: str, mean: float, sd: float, x: np.ndarray) -> np.ndarray:
    """G(x) = integral of F over (0, x), 0 for x <= 0."""
    pos = np.maximum(x, 1e-300)
    s, below, _ = _parts(family, mean, sd, pos)
    return np.where(x > 0, pos * (1 - s) - below, 0.0)


def _t(family: str, mean: float, sd: float, x: np.ndarray) -> np.ndarray:
    """T(x) = E[(D - x)+] = G(x) - x + mean, computed from above (no cancellation in the tail)."""
    pos = np.maximum(x, 1e-300)
    s, _, above = _parts(family, mean, sd, pos)
    return np.where(x > 0, above - pos * s, mean - x)


def day_probabilities(family: str, mean: float, sd: float, days: np.ndarray) -> np.ndarray:
    """P(d) of recorded whole days ``days`` (see the module's docstring)."""
    d = np.asarray(days, dtype=float)
    if family == "fixed":
        return np.clip(1 - np.abs(mean - d), 0.0, None)
    low = d < mean  # second differences of G below the mean, of T above: both exact
    g = _g(family, mean, sd, d + 1) - 2 * _g(family, mean, sd, d) + _g(family, mean, sd, d - 1)
    t = _t(family, mean, sd, d + 1) - 2 * _t(family, mean, sd, d) + _t(family, mean, sd, d - 1)
    return np.where(low, g, t)


def survival(family: str, mean: float, sd: float, days: np.ndarray) -> np.ndarray:
    d = np.asarray(days, dtype=float)
    if family == "fixed":
        return (mean >= d).astype(float)
    s, _, _ = _parts(family, mean, sd, np.maximum(d, 1e-300))
    return np.where(d > 0, s, 1.0)


def open_survival(family: str, mean: float, sd: float, days: np.ndarray) -> np.ndarray:
    """P(D > C) for a censoring time C anywhere within (d - 1, d]: the mean of S over that day."""
    d = np.asarray(days, dtype=float)
    if family == "fixed":
        return np.clip(mean - (d - 1), 0.0, 1.0)
    return np.clip(_t(family, mean, sd, d - 1) - _t(family, mean, sd, d), 0.0, 1.0)


def log_probabilities(family: str, mean: float, sd: float, sample: Sample) -> tuple[np.ndarray, np.ndarray]:
    """log P of each distinct recorded value (complete visits, cut ones, open ones) and how often
    each occurs, as one pair of arrays."""
    logs, counts = [], []
    groups = ((sample.days, day_probabilities), (sample.censored, survival), (sample.open, open_survival))
    for values, prob in groups:
        if values.size:
            u, c = np.unique(values, return_counts=True)
            p = _mixture(prob, family, mean, sd, sample.spread, u)
            logs.append(np.log(np.maximum(p, TINY)))
            counts.append(c)
    if not logs:
        return np.zeros(0), np.zeros(0)
    return np.concatenate(logs), np.concatenate(counts).astype(float)


def loglik(family: str, mean: float, sd: float, sample: Sample) -> float:
    """log L of ``sample`` for the family with this mean and sd (days)."""
    if not (mean > 0 and (sd > 0 or family in ("fixed", "exponential"))):
        return -math.inf
    logs, counts = log_probabilities(family, mean, sd, sample)
    return float(counts @ logs)


# -- fits ---------------------------------------------------------------------------------------
def _hessian(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-3) -> np.ndarray:
    """Central-difference Hessian of f at x."""
    k = x.size
    out = np.empty((k, k))
    e = np.eye(k) * h
    f0 = f(x)
    for i in range(k):
        out[i, i] = (f(x + e[i]) - 2 * f0 + f(x - e[i])) / h**2
        for j in range(i + 1, k):
            out[i, j] = out[j, i] = (
                f(x + e[i] + e[j]) - f(x + e[i] - e[j]) - f(x - e[i] + e[j]) + f(x - e[i] - e[j])
            ) / (4 * h * h)
    return out


def _score_spread(family: str, x: np.ndarray, sample: Sample, h: float = 1e-4) -> np.ndarray:
    """The sum over visits of the score's outer product (the "meat" of the Huber-White sandwich), the
    score by central differences in the free log parameters ``x``."""

    def logs(at: np.ndarray) -> np.ndarray:
        mean = math.exp(at[0])
        return log_probabilities(family, mean, math.exp(at[1]) if at.size == 2 else mean, sample)[0]

    counts = log_probabilities(family, math.exp(x[0]), math.exp(x[-1]), sample)[1]
    e = np.eye(x.size) * h
    scores = np.array([(logs(x + e[i]) - logs(x - e[i])) / (2 * h) for i in range(x.size)])
    return (scores * counts) @ scores.T


def _fit_fixed(sample: Sample) -> FamilyFit:
    d = sample.days
    if d.size == 0:
        return FamilyFit("fixed", math.nan, 0.0, -math.inf, 1, None)
    low, high = float(d.min()), float(d.max())
    if high - low > 1:
        return FamilyFit("fixed", math.nan, 0.0, -math.inf, 1, None)
    n1 = float((d == high).sum()) if high > low else 0.0
    share = n1 / d.size
    mean = low + share
    if mean <= 0:
        return FamilyFit("fixed", math.nan, 0.0, -math.inf, 1, None)
    ll = loglik("fixed", mean, 0.0, sample)
    var = share * (1 - share) / d.size if high > low else 0.0  # the binomial variance of the share
    return FamilyFit("fixed", mean, 0.0, ll, 1, np.array([[var]]), int(d.size))


def fit_family(family: str, sample: Sample) -> FamilyFit:
    """The maximum-likelihood ``family`` for ``sample``."""
    if family == "fixed" and not sample.mixed:
        return _fit_fixed(sample)
    everything = np.concatenate([sample.days, sample.censored, sample.open])
    m0 = max(float(everything.mean()) if everything.size else 1.0, 0.5)
    s0 = max(float(everything.std()) if everything.size > 1 else m0 / 2, 0.05 * m0)
    two = PARAMETERS[family] == 2

    def nll(x: np.ndarray) -> float:
        mean = math.exp(x[0])
        sd = math.exp(x[1]) if two else mean
        v = -loglik(family, mean, sd, sample)
        return v if math.isfinite(v) else 1e300

    x0 = np.array([math.log(m0), math.log(s0)] if two else [math.log(m0)])
    res = optimize.minimize(
        nll, x0, method="Nelder-Mead", options={"xatol": 1e-6, "fatol": 1e-8, "maxiter": 4000}
    )
    x = res.x
    mean = math.exp(x[0])
    sd = math.exp(x[1]) if two else mean
    ll = -nll(x)
    cov: np.ndarray | None = None
    try:
        hess = _hessian(nll, x)
        if np.all(np.isfinite(hess)) and np.all(np.linalg.eigvalsh(hess) > 0):
            bread = np.linalg.inv(hess)
            cov = bread @ _score_spread(family, x, sample) @ bread
    except np.linalg.LinAlgError:
        cov = None
    if family == "exponential" and cov is not None:
        cov = np.array([[cov[0, 0], cov[0, 0]], [cov[0, 0], cov[0, 0]]])  # sd = mean
    if family == "fixed":
        sd = 0.0
    return FamilyFit(family, mean, sd, ll, PARAMETERS[family], cov, int(sample.days.size), sample.mixed)


def choose(sample: Sample, families: tuple[str, ...] = DISTRIBUTIONS) -> tuple[FamilyFit, list[FamilyFit]]:
    """Every family's fit and the one of least AIC (ties: fewer parameters, then the order given)."""
    fits = [fit_family(f, sample) for f in families]
    usable = [f for f in fits if math.isfinite(f.loglik) and math.isfinite(f.mean)]
    if not usable:
        raise ValueError("no family fits these durations")
    best = min(usable, key=lambda f: (round(f.aic, 9), f.k, families.index(f.family)))
    return best, fits
