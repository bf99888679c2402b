"""``experiment=pluchino2011``: the efficiency curve of Pluchino et al. (2011) against the number of
independents, with 95% intervals over legislatures, next to the paper's closed-form optimum.

Writes ``efficiency.csv`` (n_independents, efficiency_mean, ci_low, ci_high), ``components.csv``
(share of acts passed and mean social gain of passed acts) and ``figures/efficiency.png``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from omegaconf import DictConfig, OmegaConf

from agents.majority import RULES
from experiments.files import mark_kind, whole, write_text, write_with
from experiments.progress import Ticker
from experiments.stats import t_interval
from scenarios import Config
from scenarios.errors import ConfigError, counted
from sim.pluchino.model import Parliament, curve, golden_rule

#: Parameters of ``experiment.*`` and their defaults (the paper's values where it gives them).
DEFAULTS: dict[str, Any] = {
    "N": 500,
    "p": 0.6,
    "r": 0.1,
    "legislatures": 100,
    "acts": 1000,
    "step": 10,
    "n_independents": None,
    "rule": "absolute",
    "workers": 2,
    "confidence": 0.95,
}


def settings(cfg: DictConfig) -> dict[str, Any]:
    """The experiment's parameters, checked; ``ConfigError`` names the first bad one."""
    given = OmegaConf.to_container(cfg.experiment, resolve=True)
    assert isinstance(given, dict)
    given.pop("kind", None)
    unknown = sorted(set(given) - set(DEFAULTS))
    if unknown:
        raise ConfigError(f"experiment.{unknown[0]}", given[unknown[0]], f"one of {', '.join(DEFAULTS)}")
    s = {**DEFAULTS, **given}

    def need(key: str, ok: bool, allowed: str) -> None:
        if not ok:
            raise ConfigError(f"experiment.{key}", s[key], allowed)

    need("N", whole(s["N"]) and s["N"] >= 2, "an integer >= 2")
    need("p", isinstance(s["p"], float | int) and 0.0 <= s["p"] <= 1.0, "a share in [0, 1]")
    need("r", isinstance(s["r"], float | int) and 0.0 <= s["r"] <= 1.0, "a radius in [0, 1]")
    for key in ("legislatures", "acts", "step", "workers"):
        need(key, whole(s[key]) and s[key] >= 1, "a positive integer")
    need("legislatures", s["legislatures"] >= 2, "at least 2 legislatures (for an interval)")
    need("rule", s["rule"] in RULES, f"one of {', '.join(RULES)}")
    need("confidence", isinstance(s["confidence"], float) and 0 < s["confidence"] < 1, "a level in (0, 1)")
    grid = s["n_independents"]
    if grid is None:
        grid = list(range(0, s["N"] + 1, s["step"]))
        if grid[-1] != s["N"]:
            grid.append(s["N"])
    ok = isinstance(grid, list) and len(grid) >= 1 and all(whole(g) and 0 <= g <= s["N"] for g in grid)
    need("n_independents", ok, f"null or a list of integers in [0, N={s['N']}]")
    s["grid"] = sorted(set(grid))
    return s


def summarise(values: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean over legislatures (axis 1) and its t interval, per number of independents."""
    mean, low, high = np.array([t_interval(row, confidence) for row in values]).T
    return mean, low, high


def plot(table: pd.DataFrame, parts: pd.DataFrame, optimum: float, s: dict[str, Any], path: Path) -> None:
    """The efficiency curve with its band and the closed-form optimum; the two factors below it."""
    from experiments.figure import offscreen

    offscreen()
    import matplotlib.pyplot as plt
    import seaborn as sns

    sns.set_theme(style="whitegrid")
    fig, (top, low) = plt.subplots(2, 1, figsize=(7, 6.5), sharex=True, height_ratios=[2, 1])
    x = table["n_independents"]
    top.fill_between(x, table["ci_low"], table["ci_high"], alpha=0.3, label=f"{s['confidence']:.0%} CI")
    top.plot(x, table["efficiency_mean"], marker="o", ms=3, label="simulated")
    top.axvline(optimum, color="C3", ls="--", label=f"closed form N*_ind = {optimum:.1f}")
    top.set_ylabel("efficiency (passed share x mean social gain)")
    top.set_title(f"Pluchino et al. (2011): N={s['N']}, p={s['p']}, r={s['r']}")
    top.legend()
    low.plot(x, parts["passed_share_mean"], label="share of acts passed")
    low.plot(x, parts["social_gain_mean"], label="mean social gain of passed acts")
    low.set_xlabel("number of independents")
    low.legend()
    fig.tight_layout()
    write_with(path, lambda p: fig.savefig(p, format="png", dpi=120))
    plt.close(fig)


def run(cfg: DictConfig, conf: Config, out: Path) -> dict[str, Any]:
    """Run the curve, write the tables and the figure, print the peak next to the closed form."""
    s = settings(cfg)
    model = Parliament(n=s["N"], p=float(s["p"]), r=float(s["r"]), acts=s["acts"], rule=s["rule"])
    started = time.perf_counter()
    with Ticker(s["legislatures"], "pluchino2011", "legislatures", bool(cfg.get("quiet", False))) as ticker:
        res = curve(model, s["grid"], s["legislatures"], int(cfg.seed), s["workers"], ticker.update)
    seconds = time.perf_counter() - started
    mean, low, high = summarise(res["efficiency"], s["confidence"])
    table = pd.DataFrame(
        {"n_independents": s["grid"], "efficiency_mean": mean, "ci_low": low, "ci_high": high}
    )
    parts = pd.DataFrame(
        {
            "n_independents": s["grid"],
            "passed_share_mean": res["passed"].mean(axis=1),
            "social_gain_mean": res["social_gain"].mean(axis=1),
        }
    )
    mark_kind(out, "pluchino")
    write_text(out / "efficiency.csv", table.to_csv(index=False))
    write_text(out / "components.csv", parts.to_csv(index=False))
    optimum = golden_rule(s["N"], float(s["p"]))
    plot(table, parts, optimum, s, out / "figures" / "efficiency.png")
    k = int(np.argmax(mean))
    peak = int(s["grid"][k])
    cells = len(s["grid"]) * s["legislatures"] * s["acts"] * s["N"]
    if not cfg.get("quiet", False):
        print(
            f"Pluchino et al. (2011), N={s['N']}, p={s['p']}, r={s['r']}: "
            f"{counted(len(s['grid']), 'point')} x {counted(s['legislatures'], 'legislature')} x "
            f"{counted(s['acts'], 'act')} "
            f"({cells / 1e9:.2f} billion votes) in {seconds:.1f} s"
        )
        print(f"efficiency peaks at n_independents = {peak} (efficiency {mean[k]:.4f})")
        print(f"closed-form optimum (Pluchino et al. 2011, 'efficiency golden rule'): {optimum:.1f}")
        print(f"results: {out / 'efficiency.csv'}")
    return {
        "peak_n_independents": peak,
        "peak_efficiency": float(mean[k]),
        "closed_form_optimum": optimum,
        "seconds": seconds,
    }
