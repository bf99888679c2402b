"""ParliamentModel: a Mesa model whose clock is a SimPy environment.

Mesa holds the agents (deputies, committees, citizen groups); SimPy owns time, in days from the
calendar's start. The model does not read config files or write anything: it takes a validated
scenario and returns its ledger and metrics.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import mesa
import numpy as np
import pandas as pd
import simpy

from agents.committee import Committee
from sim import timeline
from sim.chamber import AgendaItem, Chamber
from sim.ledger import Bill, Ledger
from sim.metrics import summarize
from sim.procedure import Procedure, Stage
from sim.streams import Streams
from sim.voting import party_whip, spatial_gain, support, tally

logging.getLogger("mesa").setLevel(logging.WARNING)


@dataclass
class RunResult:
    """What one run returns: the ledger's frames and the summary metrics."""

    frames: dict[str, pd.DataFrame]
    summary: dict[str, float]
    seed: int
    events: int


class ParliamentModel(mesa.Model):
    """Bills arrive, move through the procedure and are voted by the deputies.

    ``spec`` is a validated parliament config (``scenarios.build`` makes one from YAML); ``procedure``
    its checked stage graph.
    """

    def __init__(self, spec: Any, procedure: Procedure, *, seed: int, years: float) -> None:
        super().__init__(rng=seed)
        self.spec = spec
        self.procedure = procedure
        self.seed = int(seed)
        self.horizon = float(years) * 365.0
        self.env = simpy.Environment()
        self.streams = Streams(seed)
        self.ledger = Ledger()
        self.events = 0

        self.topic_names = list(spec.topics)
        self.topic_index = {t: i for i, t in enumerate(self.topic_names)}
        weights = np.array([t.weight for t in spec.topics.values()], dtype=float)
        self.topic_cum_weights = np.cumsum(weights)
        self.status_quo = np.array([t.status_quo for t in spec.topics.values()], dtype=float)
        self.complexity_sd = float(spec.complexity_sd)
        self.head = spec.head_of_state

        self.chambers = {
            name: Chamber.build(
                self, name, conf, spec.calendar, self.horizon, self.streams[f"composition/{name}"]
            )
            for name, conf in spec.chambers.items()
        }
        self.committees: dict[str, Committee] = {}
        self._committee_of: dict[tuple[str, int], Committee] = {}
        for name, c in spec.committees.items():
            rng = self.streams[f"composition/{c.chamber}/committees"]
            size = min(int(c.size), self.chambers[c.chamber].seats)
            members = np.sort(rng.choice(self.chambers[c.chamber].seats, size, replace=False))
            com = Committee(self, name, c.chamber, c.topics, members, int(c.capacity), self.env)
            self.committees[name] = com
            for t in c.topics:
                self._committee_of[(c.chamber, self.topic_index[t])] = com
        self._desks = {
            s.name: simpy.Resource(self.env, capacity=int(s.spec.capacity))
            for s in procedure.stages.values()
            if s.kind == "work" and not s.spec.committee and s.spec.capacity is not None
        }

        # Hooks for the citizen and channel layers: once-a-day steps, a signal deputies attend to,
        # and modifiers of stage durations and failure.
        self.daily_hooks: list[Callable[[float], None]] = []
        self.signal: Callable[[Chamber, np.ndarray, np.ndarray], np.ndarray | None] | None = None
        self.duration_factor: Callable[[Stage, Bill], float] | None = None
        self.fail_factor: Callable[[Stage, Bill], float] | None = None
        self.on_finish: list[Callable[[Bill], None]] = []
        # A new bill before it enters the procedure (may reshape its topic or position), a factor on
        # the head of state's veto tolerance, and reporters that add frames and metrics at the end.
        self.on_introduce: list[Callable[[Bill], None]] = []
        self.veto_factor: Callable[[Bill], float] | None = None
        self.reporters: list[Callable[[dict[str, pd.DataFrame], dict[str, Any]], None]] = []

        self.in_system = 0
        self._area = 0.0
        self._last_change = 0.0
        self._next_id = 0

        rates = {w: i.rate_per_year / 365.0 for w, i in spec.initiators.items()}
        if spec.arrival_rate is not None:
            total = sum(rates.values())
            rates = {w: spec.arrival_rate * r / total for w, r in rates.items()}
        for who, conf in spec.initiators.items():
            if getattr(conf, "from_demands", False):
                continue  # its bills come from citizen demands, not from a Poisson stream
            self.env.process(timeline.arrivals(self, who, conf, rates[who]))
        for name in self.chambers:
            self.env.process(timeline.sittings(self, name))

    # -- bills entering and leaving -----------------------------------------------------------
    def introduce(
        self,
        initiator: str,
        topic: int,
        position: float,
        complexity: float,
        government: bool,
        start: str,
    ) -> Bill:
        """Put a new bill into the procedure at stage ``start``."""
        self._count_change(+1)
        bill = Bill(
            self._next_id,
            initiator,
            topic,
            self.topic_names[topic],
            position,
            complexity,
            government,
            self.env.now,
            start,
        )
        self._next_id += 1
        for hook in self.on_introduce:
            hook(bill)
        self.ledger.introduce(bill)
        self.env.process(timeline.lifecycle(self, bill))
        return bill

    def finish(self, bill: Bill, state: str) -> None:
        self._count_change(-1)
        bill.state = state
        bill.finished = self.env.now
        for hook in self.on_finish:
            hook(bill)

    def _count_change(self, delta: int) -> None:
        now = self.env.now
        self._area += self.in_system * (now - self._last_change)
        self._last_change = now
        self.in_system += delta

    # -- what the stage handlers ask of the model ---------------------------------------------
    def desk(self, stage: Stage, bill: Bill) -> simpy.Resource | None:
        """The resource that serves ``bill`` at a work stage (its committee's, the stage's, none)."""
        if stage.spec.committee:
            return self._committee_of[(stage.spec.chamber, bill.topic)].desk
        return self._desks.get(stage.name)

    def duration(self, stage: Stage, bill: Bill) -> float:
        """A draw of the stage's duration in days, scaled by the bill's complexity."""
        d = stage.spec.duration
        scale = bill.complexity if stage.spec.scale_by_complexity else 1.0
        if self.duration_factor is not None:
            scale *= self.duration_factor(stage, bill)
        mean = d.mean * scale
        if d.dist == "fixed" or mean <= 0:
            return mean
        rng = self.streams[f"durations/{stage.name}"]
        if d.dist == "exponential":
            return float(rng.exponential(mean))
        cv = d.sd / d.mean
        if d.dist == "lognormal":
            s2 = np.log1p(cv * cv)
            return float(rng.lognormal(np.log(mean) - s2 / 2, np.sqrt(s2)))
        shape = 1.0 / (cv * cv)
        return float(rng.gamma(shape, mean / shape))

    def draw_complexity(self, rng: np.random.Generator, size: int | None = None) -> Any:
        """Bills' complexity: lognormal with mean 1 and sd ``complexity_sd`` (one value, or ``size``)."""
        sigma = np.sqrt(np.log1p(self.complexity_sd**2))
        return np.exp(sigma * rng.standard_normal(size) - sigma**2 / 2)

    def fail_prob(self, stage: Stage, bill: Bill) -> float:
        p = stage.spec.fail_prob
        if self.fail_factor is not None and p > 0:
            p = min(1.0, p * self.fail_factor(stage, bill))
        return p

    def head_vetoes(self, bill: Bill) -> bool:
        """The head of state returns a law far from their own position (plus noise)."""
        h = self.head
        noise = self.streams["head_of_state"].normal(0.0, h.noise_sd) if h.noise_sd > 0 else 0.0
        tolerance = h.veto_tolerance * (self.veto_factor(bill) if self.veto_factor is not None else 1.0)
        return abs(bill.position - h.position) + noise > tolerance

    def vote(self, chamber: Chamber, items: list[AgendaItem]) -> None:
        """Vote every item of a sitting at once: all deputies x all bills in one kernel call."""
        bills = [it.bill for it in items]
        pos = np.array([b.position for b in bills])
        topic = np.array([b.topic for b in bills], dtype=np.int64)
        gov = np.array([b.government for b in bills], dtype=bool)
        sq = self.status_quo[topic]
        rng = self.streams[f"votes/{chamber.name}"]
        gain = spatial_gain(chamber.ideal, pos, sq)
        whip = party_whip(chamber.party_position, pos, sq, gov, chamber.government_party)
        signal = self.signal(chamber, pos, topic) if self.signal is not None else None
        yes = support(
            ideal=chamber.ideal,
            loyalty=chamber.loyalty,
            party=chamber.party,
            whip=whip,
            gain=gain,
            signal=signal,
            attention=chamber.attention,
            noise_sd=self.spec.vote_noise,
            rng=rng,
        )
        present = rng.random(yes.shape) < chamber.attendance
        now = self.env.now
        by_rule: dict[tuple[str, float], list[int]] = {}
        for j, it in enumerate(items):
            q = it.stage.spec.quorum if it.stage.spec.quorum is not None else chamber.quorum
            by_rule.setdefault((it.stage.spec.rule, q), []).append(j)
        for (rule, quorum), cols in by_rule.items():
            t = tally(yes[:, cols], present[:, cols], chamber.seats, rule, quorum)
            for k, j in enumerate(cols):
                it = items[j]
                passed = bool(t.passed[k])
                self.ledger.vote(
                    it.bill.id,
                    it.stage.name,
                    chamber.name,
                    now,
                    int(t.yes[k]),
                    int(t.no[k]),
                    int(t.present[k]),
                    passed,
                )
                it.event.succeed("pass" if passed else "fail")

    # -- running ------------------------------------------------------------------------------
    def run(self) -> RunResult:
        """Run to the horizon and return the ledger and the summary."""
        if self.daily_hooks:
            self.env.process(timeline.daily(self, self.daily_hooks))
        env = self.env
        horizon = self.horizon
        step = env.step
        n = 0
        while env.peek() < horizon:
            step()
            n += 1
        env.run(until=horizon)  # nothing is left before the horizon: this only sets the clock
        self._count_change(0)
        self.events = n
        frames = self.ledger.frames()
        summary = summarize(
            frames,
            self.horizon,
            self._area,
            override_stages={s.name for s in self.procedure.stages.values() if s.spec.override},
        )
        for report in self.reporters:
            report(frames, summary)
        return RunResult(frames=frames, summary=summary, seed=self.seed, events=n)
