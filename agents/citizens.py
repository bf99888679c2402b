"""Citizen groups: who they are, what they want, how much they care, and how that moves each day.

A group is one cell of region x settlement (urban, rural) x age band x main language, with a weight
(the number of people it stands for). Everything the daily update touches is a (groups x topics)
array, so a step costs the same for 20 million people as for 20 thousand: cost grows with the
number of groups only. Preferences are also held topic-major (one contiguous row per topic), so that
what a petition, a draft or a bill reads about one topic is one run of memory (``pref_by_topic``).

Salience (float32) follows a mean-reverting random walk with nationwide news shocks per topic; a demand
emerges when a group's salience on a topic crosses the threshold upwards, unless the group already
has a live demand on that topic or raised one recently.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: Main languages of the citizen groups (index 0, 1 in ``CitizenGroups.language``).
GROUP_LANGUAGES = ("kazakh", "russian")


@dataclass
class RegionConf:
    """A region (oblast) or a city of republican status."""

    population: float = 0.0  # residents
    urban: float = 0.5  # share living in towns and cities
    kazakh: float = 0.7  # share whose main language is Kazakh (the rest: Russian)


@dataclass
class AgeBandConf:
    """An age band, listed from the youngest to the oldest."""

    share: float = 0.0  # share of the population
    access: float = 1.0  # digital access relative to the settlement's rate


@dataclass
class TopicViewConf:
    """What the population wants on one policy topic, and how much it cares."""

    mean: float = 0.0  # population mean preferred position on [-1, 1]
    sd: float = 0.2  # spread of group positions around the mean
    rural: float = 0.0  # shift of rural groups' position
    oldest: float = 0.0  # shift of the oldest band's position (bands in between: linear)
    russian: float = 0.0  # shift of Russian-speaking groups' position
    salience: float = 0.3  # long-run mean salience in [0, 1]
    rural_salience: float = 0.0  # extra salience in rural groups


@dataclass
class SalienceConf:
    """Salience dynamics (per day) and when a demand emerges."""

    reversion: float = 0.02  # pull towards the long-run mean per day
    volatility: float = 0.03  # sd of a group's daily change
    shock_prob: float = 0.005  # chance per topic per day of a nationwide news shock
    shock_size: float = 0.3  # mean size of a shock (exponential), scaled by the group's base salience
    threshold: float = 0.7  # a demand emerges when salience crosses this upwards
    refractory_days: float = 90.0  # no new demand of the same group on the same topic meanwhile
    lifetime_days: float = 730.0  # an unanswered demand lapses after this
    satisfaction: float = 0.5  # salience is multiplied by this when a law answers the demand
    answer_radius: float = 0.25  # a bill answers a demand if it moves policy its way and lies this close


@dataclass
class CitizensConf:
    """A population of citizen groups: region x settlement x age band x main language."""

    name: str = "citizens"
    description: str = ""
    regions: dict[str, RegionConf] = field(default_factory=dict)
    urban_access: float = 0.9  # share of urban residents online
    rural_access: float = 0.8  # share of rural residents online
    urban_russian_shift: float = 0.0  # extra share of Russian as main language in towns
    age_bands: dict[str, AgeBandConf] = field(default_factory=dict)
    region_sd: float = 0.1  # sd of a region's shift of position, per topic
    topics: dict[str, TopicViewConf] = field(default_factory=dict)
    salience: SalienceConf = field(default_factory=SalienceConf)
    # Each cell (region x settlement x age band x language) is split into this many groups of equal
    # weight, each with its own draw of preferences: the people stood for are the same, the model is
    # finer (and costs in proportion). 1 = one group per cell.
    subgroups: int = 1


#: Days of noise drawn at once, at most (fewer, larger draws; the same numbers whatever the horizon).
BLOCK = 64
#: Draws in one block, at most: a large population draws fewer days at once, so that the block
#: stays in cache (and memory stays small). The default population draws ``BLOCK`` days.
BLOCK_DRAWS = 1 << 18
URBAN, RURAL = 1, 0
#: A day's new demands: (group, topic, position, intensity), one Python list each (a day brings a
#: few, and every reader takes them one by one).
Emerged = tuple[list[int], list[int], list[float], list[float]]
_NO_DEMANDS: Emerged = ([], [], [], [])
# The bounds of salience as 0-d arrays: a ufunc takes them with less work per call than scalars.
_ZERO, _ONE = np.array(0.0, dtype=np.float32), np.array(1.0, dtype=np.float32)
_NEVER = np.float32(np.inf)  # the threshold of a pair that may not raise a demand
try:  # ``ndarray.clip``'s ufunc, called directly (the method's wrapper checks its arguments each call)
    from numpy._core.umath import clip as _clip
except ImportError:  # a numpy that moved it: the public function, the same numbers
    _clip = np.clip
_STEPS = 65536  # levels of a 16-bit uniform draw
KAZAKH, RUSSIAN = 0, 1
#: Crossing pairs a day up to which they are looked at one by one in Python (more: in numpy).
FEW = 32


class CitizenGroups:
    """Citizen groups as numpy arrays (``G`` groups, ``T`` topics of the parliament).

    A group is one cell of the factors, or one of ``spec.subgroups`` equal parts of it; the parts
    share the cell's attributes and draw their own preferences.

    State variables: ``weight`` (people), ``region``, ``urban``, ``age`` (band index, 0 = youngest),
    ``language`` (0 Kazakh, 1 Russian), ``access`` (share online), ``pref`` (G x T preferred
    positions), ``salience`` (G x T in [0, 1]) and its long-run mean ``base``.
    """

    def __init__(
        self, spec: CitizensConf, topic_names: list[str], status_quo: np.ndarray, rng: np.random.Generator
    ) -> None:
        self.spec = spec
        self.region_names = list(spec.regions)
        self.band_names = list(spec.age_bands)
        regions = list(spec.regions.values())
        bands = list(spec.age_bands.values())
        nr, na = len(regions), len(bands)
        r, u, a, lang = (
            x.ravel()
            for x in np.meshgrid(
                np.arange(nr), [URBAN, RURAL], np.arange(na), [KAZAKH, RUSSIAN], indexing="ij"
            )
        )
        pop = np.array([x.population for x in regions], dtype=float)
        urban_share = np.array([x.urban for x in regions], dtype=float)
        kazakh = np.array([x.kazakh for x in regions], dtype=float)
        band_share = np.array([b.share for b in bands], dtype=float)
        band_share = band_share / band_share.sum()
        settle = np.where(u == URBAN, urban_share[r], 1.0 - urban_share[r])
        kz = np.clip(kazakh[r] - spec.urban_russian_shift * (u == URBAN), 0.0, 1.0)
        lang_share = np.where(lang == KAZAKH, kz, 1.0 - kz)
        weight = pop[r] * settle * band_share[a] * lang_share
        # A cell with people becomes ``subgroups`` groups of equal weight (the same people in all).
        k = int(spec.subgroups)
        cell = np.repeat(np.flatnonzero(weight > 0), k)
        self.weight = weight[cell] / k
        self.region, self.urban, self.age, self.language = r[cell], u[cell] == URBAN, a[cell], lang[cell]
        g = self.weight.size
        band_access = np.array([b.access for b in bands], dtype=float)
        self.access = np.where(self.urban, spec.urban_access, spec.rural_access) * band_access[self.age]
        oldness = self.age / (na - 1) if na > 1 else np.zeros(g)

        self.topic_names = list(topic_names)
        t = len(topic_names)
        self.pref = np.tile(np.asarray(status_quo, dtype=float), (g, 1))
        self.base = np.zeros((g, t))
        self.active = np.zeros(t, dtype=bool)
        region_eff = spec.region_sd * rng.standard_normal((nr, t))
        noise = rng.standard_normal((g, t))
        rural = ~self.urban
        russian = self.language == RUSSIAN
        for k, name in enumerate(topic_names):
            view = spec.topics.get(name)
            if view is None:
                continue
            self.active[k] = True
            p = view.mean + view.rural * rural + view.oldest * oldness + view.russian * russian
            self.pref[:, k] = np.clip(p + region_eff[self.region, k] + view.sd * noise[:, k], -1.0, 1.0)
            self.base[:, k] = np.clip(view.salience + view.rural_salience * rural, 0.0, 1.0)
        # Topic-major copies (one contiguous row per topic): what a channel reads for one topic.
        self.pref_by_topic = np.ascontiguousarray(self.pref.T)
        # The daily step works in place on flat group-major arrays (pair (g, k) at g * T + k: the
        # order of the draws, and of the demands of a day), two of each swapped daily.
        self._pref_flat = self.pref.ravel()
        self._threshold = np.float32(spec.salience.threshold)
        self._base32 = self.base.astype(np.float32)  # (groups x topics)
        self._flat = self._base32.ravel().copy()
        self._spare = np.empty_like(self._flat)  # yesterday's salience, then tomorrow's
        # Each pair's threshold while it is open (on a topic citizens hold views on, no live demand),
        # infinite while it is not: one comparison tells an open pair at or above the threshold.
        open_ = np.tile(self.active, g)
        self._bar = np.where(open_, self._threshold, _NEVER).astype(np.float32)
        self._high = self._flat >= self._bar  # open and at or above the threshold
        self._high_spare = np.empty_like(self._high)
        self._cross = np.empty_like(self._high)
        # A day's increment: a uniform of width ``volatility * sqrt(12)`` centred on 0 (see
        # ``_draw``) plus the pull towards the long-run mean.
        width = spec.salience.volatility * np.sqrt(12.0)
        self._step_size = np.float32(width / _STEPS)
        pull = (spec.salience.reversion * self.base).astype(np.float32).ravel()
        self._offset = pull + np.float32(width * (0.5 / _STEPS - 0.5))
        self._keep = np.array(1.0 - spec.salience.reversion, dtype=np.float32)
        self._refractory = float(spec.salience.refractory_days)
        self._satisfaction = np.float32(spec.salience.satisfaction)
        self.ideal = self.pref[:, self.active].mean(axis=1) if self.active.any() else np.zeros(g)
        self._last = np.full(g * t, -np.inf)  # day of each (group, topic) pair's last demand
        self._topics = t
        self._days = max(1, min(BLOCK, BLOCK_DRAWS // max(1, g * t)))
        self._block = 0
        self._inc = np.empty((0, g * t), dtype=np.float32)

    @property
    def size(self) -> int:
        return int(self.weight.size)

    @property
    def people(self) -> float:
        return float(self.weight.sum())

    def able(self, languages: list[str], unsupported_use: float, digital: bool = True) -> np.ndarray:
        """Per group, the share able to use a channel: online (if it is digital) and reading one of
        its languages (groups whose language it lacks use it at ``unsupported_use`` the rate)."""
        names = np.array(GROUP_LANGUAGES)[self.language]
        lang = np.where(np.isin(names, list(languages)), 1.0, float(unsupported_use))
        return (self.access if digital else 1.0) * lang

    def mean_pref(self) -> np.ndarray:
        """Population-weighted mean preferred position per topic."""
        return self.weight @ self.pref / self.weight.sum()

    def _draw(self, rng: np.random.Generator) -> None:
        """The next block of days' salience increments (up to ``BLOCK`` days, as float32).

        Daily innovations are uniform with sd ``volatility`` (cheaper than Gaussian draws; their sums
        over days are near-Gaussian), drawn as 16-bit integers: the midpoints of 65,536 equal steps,
        so the mean is exactly 0 and the sd is ``volatility`` to 1e-10 (four draws per 64-bit word:
        the population's main cost). A nationwide shock on a topic adds an exponential jump scaled
        by each group's base salience.
        """
        s = self.spec.salience
        g, t = self.pref.shape
        days = self._days
        if self._inc.shape[0] != days:
            self._inc = np.empty((days, g * t), dtype=np.float32)
        words = rng.bit_generator.random_raw(-(-days * g * t // 4))
        steps = words.view(np.uint16)[: days * g * t].reshape(days, g * t)
        inc = self._inc
        np.multiply(steps, self._step_size, out=inc)
        inc += self._offset
        hit = rng.random((days, t)) < s.shock_prob
        size = rng.exponential(s.shock_size, (days, t))
        view = inc.reshape(days, g, t)
        for d, k in zip(*np.nonzero(hit), strict=True):
            view[d, :, k] += np.float32(size[d, k]) * self._base32[:, k]
        self._block = 0

    def step(self, now: float, rng: np.random.Generator) -> Emerged:
        """Move salience one day; return the (group, topic, position, intensity) of the demands that
        emerge (the position a group wants is its preferred one, the intensity its salience), by
        group, then topic. The lists are new, except the shared empty answer of a quiet day.

        A demand emerges where salience crosses the threshold upwards on an open pair (see
        ``reopen``) out of its refractory period. Each step is a few in-place operations over all
        pairs; only the pairs that cross (a few a day) are looked at further, one by one.
        """
        if self._block >= len(self._inc):
            self._draw(rng)
        i = self._block
        self._block = i + 1
        before, after = self._flat, self._spare
        np.multiply(before, self._keep, out=after)
        np.add(after, self._inc[i], out=after)
        _clip(after, _ZERO, _ONE, out=after)  # to [0, 1]: one call (and one pass over memory)
        high, was_high = self._high_spare, self._high
        np.greater_equal(after, self._bar, out=high)
        self._flat, self._spare, self._high, self._high_spare = after, before, high, was_high
        cand = np.greater(high, was_high, out=self._cross).nonzero()[0]
        if not cand.size:
            return _NO_DEMANDS
        if cand.size > FEW:
            return self._emerge(now, cand, after)
        last, refractory = self._last, self._refractory
        pairs = [c for c in cand.tolist() if now - last.item(c) >= refractory]
        if not pairs:
            return _NO_DEMANDS
        bar = self._bar
        for c in pairs:
            last[c] = now
            bar[c] = _NEVER
        n, pref = self._topics, self._pref_flat
        return (  # by group, then topic: the order of the pairs
            [c // n for c in pairs],
            [c % n for c in pairs],
            [pref.item(c) for c in pairs],
            [after.item(c) for c in pairs],
        )

    def _emerge(self, now: float, cand: np.ndarray, after: np.ndarray) -> Emerged:
        """:meth:`step`'s demands from many crossing pairs (a large population), in numpy."""
        last = self._last
        cand = cand[now - last[cand] >= self._refractory]
        if not cand.size:
            return _NO_DEMANDS
        last[cand] = now
        self._bar[cand] = _NEVER
        g, t = np.divmod(cand, self._topics)  # by group, then topic: the order of the pairs
        return g.tolist(), t.tolist(), self._pref_flat[cand].tolist(), after[cand].astype(float).tolist()

    def reopen(self, groups: np.ndarray, topics: np.ndarray | int) -> None:
        """These pairs' demands left the live set (a law answered them, or they lapsed): the pairs
        may raise a new demand (after the refractory period), when their salience next crosses the
        threshold from below."""
        idx = groups * self._topics + topics
        self._bar[idx] = self._threshold
        self._high[idx] = self._flat[idx] >= self._threshold

    @property
    def salience(self) -> np.ndarray:
        """(groups x topics) salience in [0, 1] (a view of today's values)."""
        return self._flat.reshape(-1, self._topics)

    def salience_on(self, topic: int) -> np.ndarray:
        """Today's salience of ``topic`` in every group (a strided view)."""
        return self._flat[topic :: self._topics]

    def satisfy(self, groups: np.ndarray, topic: int) -> None:
        """A law answered these groups' demands on ``topic``: the pairs may raise a new demand (see
        ``reopen``), and they care less for a while."""
        idx = groups * self._topics + topic
        salience = self._flat[idx] * self._satisfaction
        self._flat[idx] = salience
        self._bar[idx] = self._threshold
        self._high[idx] = salience >= self._threshold
