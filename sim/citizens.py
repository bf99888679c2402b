"""The citizen population as arrays over groups: who they are, what they want, how much they care.

A group is one cell of region x settlement (urban, rural) x age band x main language, with a weight
(the number of people it stands for). Everything the daily update touches is a (groups x topics)
array, so a step costs the same for 20 million people as for 20 thousand: cost grows with the
number of groups only.

Salience (float32) follows a mean-reverting random walk with nationwide news shocks per topic; a demand
emerges when a group's salience on a topic crosses the threshold upwards, unless the group already
has a live demand on that topic or raised one recently.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: Days of noise drawn at once (fewer, larger draws; the same numbers whatever the horizon).
BLOCK = 64
URBAN, RURAL = 1, 0
_EMPTY = np.zeros(0, dtype=np.int64)
_NONE = np.zeros(0)
KAZAKH, RUSSIAN = 0, 1


class Population:
    """Citizen groups as numpy arrays (``G`` groups, ``T`` topics of the parliament).

    State variables: ``weight`` (people), ``region``, ``urban``, ``age`` (band index, 0 = youngest),
    ``language`` (0 Kazakh, 1 Russian), ``access`` (share online), ``pref`` (G x T preferred
    positions), ``salience`` (G x T in [0, 1]) and its long-run mean ``base``.
    """

    def __init__(
        self, spec: Any, topic_names: list[str], status_quo: np.ndarray, rng: np.random.Generator
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
        keep = weight > 0
        self.weight = weight[keep]
        self.region, self.urban, self.age, self.language = r[keep], u[keep] == URBAN, a[keep], lang[keep]
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
        self._flat = self.base.astype(np.float32).ravel()
        self._pull = (spec.salience.reversion * self.base).astype(np.float32).ravel()
        self._threshold = np.float32(spec.salience.threshold)
        self._keep = np.float32(1.0 - spec.salience.reversion)
        self._refractory = float(spec.salience.refractory_days)
        self._active_flat = np.tile(self.active, g)
        self.ideal = self.pref[:, self.active].mean(axis=1) if self.active.any() else np.zeros(g)
        self._last = np.full(g * t, -np.inf)  # day of each (group, topic) pair's last demand
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
        names = np.array(["kazakh", "russian"])[self.language]
        lang = np.where(np.isin(names, list(languages)), 1.0, float(unsupported_use))
        return (self.access if digital else 1.0) * lang

    def mean_pref(self) -> np.ndarray:
        """Population-weighted mean preferred position per topic."""
        return self.weight @ self.pref / self.weight.sum()

    def _increments(self, rng: np.random.Generator) -> np.ndarray:
        """The next day's salience increments (drawn ``BLOCK`` days at a time, as float32).

        Daily innovations are uniform with sd ``volatility`` (cheaper than Gaussian draws; their sums
        over days are near-Gaussian); a nationwide shock on a topic adds an exponential jump scaled
        by each group's base salience.
        """
        if self._block >= len(self._inc):
            s = self.spec.salience
            g, t = self.pref.shape
            inc = rng.random((BLOCK, g * t), dtype=np.float32)
            inc -= 0.5
            inc *= np.float32(s.volatility * np.sqrt(12.0))
            inc += self._pull
            hit = rng.random((BLOCK, t)) < s.shock_prob
            size = rng.exponential(s.shock_size, (BLOCK, t))
            view = inc.reshape(BLOCK, g, t)
            for d, k in zip(*np.nonzero(hit), strict=True):
                view[d, :, k] += np.float32(size[d, k]) * self.base[:, k].astype(np.float32)
            self._inc = inc
            self._block = 0
        i = self._block
        self._block += 1
        return self._inc[i]

    def step(
        self, now: float, live: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Move salience one day; return the (group, topic, intensity) of the demands that emerge.

        ``live`` holds the live demand id of each (group, topic) pair (-1: none). Only the few pairs
        that cross the threshold are looked at one by one.
        """
        before = self._flat
        after = before * self._keep
        after += self._increments(rng)
        np.minimum(after, 1.0, out=after)
        np.maximum(after, 0.0, out=after)
        self._flat = after
        cand = np.flatnonzero(after >= self._threshold)
        if cand.size:
            cand = cand[before[cand] < self._threshold]
        if cand.size:
            ok = live.reshape(-1)[cand] < 0
            ok &= now - self._last[cand] >= self._refractory
            ok &= self._active_flat[cand]
            cand = cand[ok]
        if not cand.size:
            return _EMPTY, _EMPTY, _NONE
        self._last[cand] = now
        g, t = np.divmod(cand, self.pref.shape[1])
        return g, t, after[cand].astype(float)

    @property
    def salience(self) -> np.ndarray:
        """(groups x topics) salience in [0, 1]."""
        return self._flat.reshape(self.pref.shape)

    def satisfy(self, groups: np.ndarray, topic: int) -> None:
        """A law answered these groups' demands on ``topic``: they care less for a while."""
        self._flat[groups * self.pref.shape[1] + topic] *= np.float32(self.spec.salience.satisfaction)
