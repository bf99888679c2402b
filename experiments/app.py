"""The Hydra application: one job runs one scenario and writes its results into the run folder."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from experiments.errors import fail
from experiments.files import remove_empty_dirs, write_json
from experiments.registry import runner
from experiments.table import fmt, render, summary_table
from scenarios import ConfigError, register, simulate, validate

log = logging.getLogger(__name__)
register()


def run_job(cfg: DictConfig) -> dict[str, Any]:
    """Validate, run one replication, write ``summary.json`` and print the summary table."""
    out = Path(HydraConfig.get().runtime.output_dir)
    try:
        conf = validate(cfg)
    except ConfigError as e:
        remove_empty_dirs(out, Path.cwd())  # nothing half-written: not even the empty run folder
        fail(str(e))
    if cfg.get("experiment") is not None:
        return runner(cfg.experiment.kind)(cfg, out)
    result = simulate(conf)
    write_json(out / "summary.json", result.summary)
    if not conf.quiet:
        title = f"{conf.parliament.name}, seed {conf.seed}, {conf.years:g} years"
        print(sectioned_table(result.summary, title))
        print(f"summary: {out / 'summary.json'}", file=sys.stderr)
    return result.summary


#: Channel metrics shown per channel, in this order.
CHANNEL_METRICS = ("submissions", "listed", "threshold_reached", "answered", "answered_late")


def sectioned_table(summary: dict[str, Any], title: str) -> str:
    """Throughput, responsiveness and inclusion side by side, then one row per channel.

    Without citizen metrics (no citizens preset) this is the plain summary table.
    """
    channels = {k: v for k, v in summary.items() if k.startswith("channel_")}
    inclusion = {k: v for k, v in summary.items() if k.startswith("inclusion_") or k == "congruence"}
    respond = {
        k: v
        for k, v in summary.items()
        if k.startswith(("demand", "council_", "deputy_bills")) and k not in inclusion
    }
    if not respond:
        return summary_table(summary, title)
    rest = {k: v for k, v in summary.items() if k not in channels | inclusion | respond}
    sections = [("throughput", rest), ("responsiveness", respond), ("inclusion", inclusion)]
    cols = [[(k, fmt(v)) for k, v in items.items()] for _, items in sections]
    widths = [
        (max(len(h), *(len(k) for k, _ in c)), max([0, *(len(v) for _, v in c)]))
        for c, (h, _) in zip(cols, sections, strict=True)
    ]
    head = "   ".join(f"{h:<{w + v + 2}}" for (h, _), (w, v) in zip(sections, widths, strict=True))
    lines = [title, head.rstrip()]
    lines.append("   ".join("-" * (w + v + 2) for w, v in widths))
    for i in range(max(len(c) for c in cols)):
        cells = [
            f"{c[i][0]:<{w}}  {c[i][1]:>{v}}" if i < len(c) else " " * (w + v + 2)
            for c, (w, v) in zip(cols, widths, strict=True)
        ]
        lines.append("   ".join(cells).rstrip())
    names = [k[len("channel_") : -len("_submissions")] for k in channels if k.endswith("_submissions")]
    extra = list(
        dict.fromkeys(
            k[len(f"channel_{n}_") :]
            for n in names
            for k in channels
            if k.startswith(f"channel_{n}_") and k[len(f"channel_{n}_") :] not in CHANNEL_METRICS
        )
    )
    metrics = (*CHANNEL_METRICS, *extra)
    rows = [[n, *(summary.get(f"channel_{n}_{m}") for m in metrics)] for n in names]
    if rows:
        lines += ["", render(rows, header=("channel", *metrics))]
    return "\n".join(lines)


@hydra.main(version_base="1.3", config_path="../configs", config_name="config")
def app(cfg: DictConfig) -> dict[str, Any]:
    return run_job(cfg)
