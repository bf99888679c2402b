"""Where a comparison's figures are drawn: in side processes, or here.

Drawing needs matplotlib and seaborn (:mod:`experiments.plots`, about 0.3 s to import). When a
command's workers' server imported them ahead, the figures are drawn by processes forked from it
(:func:`experiments.pool.side_processes`), each a share of them, and the process that compares
never imports them; otherwise here. The same PNG bytes either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from experiments.figure import ORDER, Figure, FigureData

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from experiments.i18n import Translator

#: The figures each of two side processes draws: about equal times to lay out (differences alone is
#: about as long as the stages' and the demands' figures together; `docs/performance.md`).
HALVES = (("differences", "laws_per_year"), ("stage_time", "lead_time_ecdf", "responsiveness"))


def shares(sides: int) -> tuple[tuple[str, ...], ...]:
    """The figures each of ``sides`` processes draws (two halves, or all in one)."""
    return HALVES if sides >= 2 else (ORDER,)


def draw(names: Sequence[str], data: FigureData, lang: str) -> dict[str, Figure | None]:
    """Some of the figures (None: one the data does not allow), as another process returns them:
    the matplotlib figures stay where they were drawn."""
    from experiments import plots
    from experiments.i18n import translator

    made = plots.drawn(names, data, translator(lang))
    return {n: None if f is None else replace(f, drawn=None) for n, f in zip(names, made, strict=True)}


def figures(data: FigureData, tr: Translator, sides: Sequence[Executor] = ()) -> list[Figure]:
    """Every figure the data allows, in reading order: drawn by ``sides`` (each a share), or here."""
    if not sides:
        from experiments import plots

        made = dict(zip(ORDER, plots.drawn(ORDER, data, tr), strict=True))
    else:
        groups = shares(len(sides))
        pairs = zip(sides[: len(groups)], groups, strict=True)
        parts = [side.submit(draw, names, data, tr.lang) for side, names in pairs]
        made = {n: f for part in parts for n, f in part.result().items()}
    return [f for f in (made[n] for n in ORDER) if f is not None]
