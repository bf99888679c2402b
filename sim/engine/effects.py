"""What the parts around the legislative core do to it, composed explicitly.

The citizen and channel layer acts on the procedure in a few declared ways: once a day it steps;
it hears of bills introduced and finished; it adds a signal to deputies' votes; and its mechanisms
reshape drafts (how long a stage takes, how often it fails, how tolerant the head of state is).
Several parts may act on the same thing: their factors multiply and their signals add, in the order
they were attached. Nothing is a single slot that a later part could overwrite.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

if TYPE_CHECKING:
    from agents.deputies import Deputies
    from sim.engine.ledger import Bill, Schema, Table
    from sim.engine.parliament import StageConf
    from sim.metrics import Metric


class DraftEffect(Protocol):
    """A mechanism that changes how a draft fares (public consultation, impact analytics)."""

    def duration_factor(self, stage: StageConf, bill: Bill) -> float:
        """Factor on the stage's duration for this bill (1 = no effect)."""
        ...

    def fail_factor(self, stage: StageConf, bill: Bill) -> float:
        """Factor on the stage's failure probability for this bill (1 = no effect)."""
        ...

    def veto_factor(self, bill: Bill) -> float:
        """Factor on the head of state's tolerance for this law (1 = no effect)."""
        ...


class SignalSource(Protocol):
    def __call__(self, deputies: Deputies, position: np.ndarray, topic: np.ndarray) -> np.ndarray | None:
        """(members x bills) pressure on the members' votes, or None when there is none."""
        ...


class Report(Protocol):
    def __call__(
        self,
        tables: dict[str, Table],
        schemas: dict[str, Schema],
        summary: dict[str, Any],
        metrics: dict[str, Metric],
    ) -> None:
        """Add tables (with their schemas) and summary metrics (with their descriptions) to a run."""
        ...


@dataclass
class Effects:
    """The parts attached to a model, by the way they act on it."""

    drafts: list[DraftEffect] = field(default_factory=list)
    signals: list[SignalSource] = field(default_factory=list)
    daily: list[Callable[[float], None]] = field(default_factory=list)
    introduced: list[Callable[[Bill], None]] = field(default_factory=list)
    finished: list[Callable[[Bill], None]] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)

    def duration_factor(self, stage: StageConf, bill: Bill) -> float:
        f = 1.0
        for d in self.drafts:
            f *= d.duration_factor(stage, bill)
        return f

    def fail_factor(self, stage: StageConf, bill: Bill) -> float:
        f = 1.0
        for d in self.drafts:
            f *= d.fail_factor(stage, bill)
        return f

    def veto_factor(self, bill: Bill) -> float:
        f = 1.0
        for d in self.drafts:
            f *= d.veto_factor(bill)
        return f

    def signal(self, deputies: Deputies, position: np.ndarray, topic: np.ndarray) -> np.ndarray | None:
        total = None
        for source in self.signals:
            s = source(deputies, position, topic)
            if s is not None:
                total = s if total is None else total + s
        return total
