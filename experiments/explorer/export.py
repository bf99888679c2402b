"""A scenario of the explorer as files and a command that reproduce it without the app.

The YAML is a ``scenario/`` config: put it in ``DIR/scenario/NAME.yaml`` and run
``parltwin --config-dir DIR +scenario=NAME experiment=compare``. It holds the whole resolved
parliament, citizens and channels (the presets are switched off with ``override ...: null``), so it
reproduces the scenario even if the shipped presets change; its fingerprint is the app's. Exported
beside its baseline, a scenario declares what it changes (``reform.changes``: the presets it swaps
and the levers moved on it alone), so that the command's report groups the differences by them.
"""

from __future__ import annotations

import hashlib
import shlex
from collections.abc import Mapping
from typing import TYPE_CHECKING

import yaml

from experiments.explorer.scenario import Scenario, changed, exact, resolved_config
from experiments.explorer.shared import shared
from experiments.manifest import model_code, versions
from scenarios.diff import differences
from scenarios.parameters import PARAMETERS

if TYPE_CHECKING:
    import pandas as pd

#: The config groups the exported file carries in full.
GROUPS = ("parliament", "citizens", "channels")


#: The longest file name stem: a name of 255 bytes is the most most file systems take.
MAX_NAME = 120


def file_name(s: Scenario) -> str:
    """A file name for the scenario: its presets and changed levers, in letters, digits and ``_``;
    past :data:`MAX_NAME` characters, the presets and a digest of the levers moved."""
    parts = [s.parliament, s.channels, *(f"{k}_{v:g}" for k, v in sorted(changed(s).items()))]
    name = _plain("_".join(parts))
    if len(name) > MAX_NAME:
        digest = hashlib.sha256(name.encode()).hexdigest()[:10]
        name = _plain(f"{s.parliament}_{s.channels}_{len(parts) - 2}_levers_{digest}")
    return name


def baseline_file_name(base: Scenario, scen: Scenario) -> str:
    """The baseline's file name beside the scenario's: its own, or with ``_baseline`` where the two
    would share one (the same presets and levers: the assumptions moved hold for both)."""
    name = file_name(base)
    return f"{name}_baseline" if name == file_name(scen) else name


def _plain(text: str) -> str:
    text = "".join(c if c.isascii() and (c.isalnum() or c == "_") else "_" for c in text)
    return "_".join(p for p in text.split("_") if p)


def scenario_yaml(s: Scenario, name: str | None = None, against: Scenario | None = None) -> str:
    """The scenario as a self-contained ``scenario/`` config for ``--config-dir``, to be saved as
    ``name`` (its :func:`file_name` by default; made once per scenario: the page shows two at every
    rerun, about 0.06 s each); compared ``against`` a baseline, with what it changes declared."""
    reform = None if against is None else _reform(against, s)
    return _scenario_yaml(
        s.parliament,
        s.channels,
        tuple(sorted(s.levers.items())),
        s.years,
        s.seed,
        s.replications,
        name,
        reform,
    )


def _keys(path: str) -> list[str]:
    return path.replace("[", ".[").split(".")


def _under(path: str, pattern: str) -> bool:
    """Whether ``path`` lies at or under ``pattern`` (dotted keys, ``*`` for any key)."""
    keys, want = _keys(path), pattern.split(".")
    return len(keys) >= len(want) and all(w in ("*", k) for w, k in zip(want, keys, strict=False))


def _joined(keys: list[str]) -> str:
    return ".".join(keys).replace(".[", "[")


def _reform(base: Scenario, scen: Scenario) -> str:
    """``scen``'s ``reform`` against ``base`` as YAML text: a label, and each setting that differs
    declared by what changed it: a preset swapped, or a lever moved (one declaration per lever, at
    the deepest path that holds every setting it moved; levers that share it share the reason)."""
    swapped = {
        g: f"the {b} preset in place of {a}"
        for g, a, b in (
            ("parliament", base.parliament, scen.parliament),
            ("channels", base.channels, scen.channels),
        )
        if a != b
    }
    ours, theirs = changed(scen), changed(base)
    moved = {k: ours.get(k) for k in sorted({*ours, *theirs}) if base.levers.get(k) != scen.levers.get(k)}
    by_lever: dict[str, list[list[str]]] = {}
    in_swapped: dict[str, str] = {}  # a lever moved inside a swapped preset -> that preset's group
    other: list[str] = []
    for d in differences(resolved_config(base), resolved_config(scen)):
        group = next((g for g in swapped if d.path == g or d.path.startswith(f"{g}.")), None)
        for name in moved:
            p = PARAMETERS[name]
            patterns = ("parliament.stages",) if p.mode == "readings" else p.paths
            if any(_under(d.path, pat) for pat in patterns):
                if group is None:
                    by_lever.setdefault(name, []).append(_keys(d.path))
                else:
                    in_swapped.setdefault(name, group)
                break
        else:
            if group is None:
                other.append(d.path)
    changes = dict(swapped)
    for name, group in in_swapped.items():  # said with the swap that covers its settings
        value = moved[name]
        if value is not None:
            changes[group] += f"; moved in the explorer: {name}={value:g}"
    for name, paths in by_lever.items():
        first, n = paths[0], 0
        while all(len(p) > n and p[n] == first[n] for p in paths):  # their deepest common path
            n += 1
        at = _joined(first[:n])
        value = moved[name]
        said = (
            f"{name}={value:g}"
            if value is not None
            else f"{name} at the presets' value (moved on the baseline)"
        )
        changes[at] = f"{changes[at]}; {said}" if at in changes else f"moved in the explorer: {said}"
    for path in other:  # none where the page made both sides: its levers and presets are all above
        changes.setdefault(path, "differs from the baseline's presets")
    label = " + ".join((scen.parliament, scen.channels))
    if moved:
        label += ", " + ", ".join(f"{k}={v:g}" for k, v in moved.items() if v is not None)
    return yaml.safe_dump({"reform": {"label": label, "changes": changes}}, sort_keys=False, width=100)


@shared(maxsize=64)
def _scenario_yaml(
    parliament: str,
    channels: str,
    levers: tuple[tuple[str, float], ...],
    years: float,
    seed: int,
    replications: int,
    name: str | None = None,
    reform: str | None = None,
) -> str:
    s = Scenario(parliament, channels, dict(levers), years, seed, replications)
    name = name or file_name(s)
    data = resolved_config(s)
    moved = ", ".join(f"{k}={v:g}" for k, v in sorted(changed(s).items())) or "none"
    head = [
        "# @package _global_",
        f"# Scenario from the parltwin explorer: parliament={s.parliament}, channels={s.channels},",
        f"# changed levers: {moved}. The presets' values in full, with those changes applied.",
        f"# Run: parltwin --config-dir DIR +scenario={name} experiment=compare"
        f" experiment.replications={s.replications}",
        f"#   with this file at DIR/scenario/{name}.yaml",
    ]
    body = {
        "defaults": [{f"override /{g}": None} for g in GROUPS],
        "seed": data["seed"],
        "years": data["years"],
        **{g: data[g] for g in GROUPS},
    }
    text = "\n".join(head) + "\n" + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100)
    return text + (reform or "")


def command(s: Scenario, config_dir: str = "my_configs") -> str:
    """The ``parltwin`` command that runs the exported scenario as the app did (same seeds)."""
    return shlex.join(
        [
            "parltwin",
            "--config-dir",
            config_dir,
            f"+scenario={file_name(s)}",
            "experiment=compare",
            f"experiment.replications={s.replications}",
        ]
    )


def comparison_command(base: Scenario, scen: Scenario, config_dir: str = "my_configs") -> str:
    """The ``parltwin`` sweep that compares the exported baseline and scenario as the app does (the
    same seeds, so the same replications and numbers), with the command's report: the baseline is
    the sweep's first job."""
    return shlex.join(
        [
            "parltwin",
            "-m",
            "--config-dir",
            config_dir,
            "experiment=compare",
            f"+scenario={baseline_file_name(base, scen)},{file_name(scen)}",
            f"experiment.replications={scen.replications}",
        ]
    )


#: What every column of settings that a downloaded CSV carries starts with (its tables have a
#: ``scenario`` and a ``seed`` of their own).
SETTING = "setting_"


def moved_levers(s: Scenario) -> str:
    """The levers moved from the presets' values, as ``name=value; ...`` (``none`` if none)."""
    return "; ".join(f"{k}={exact(v)}" for k, v in sorted(changed(s).items())) or "none"


def run_settings(base: Scenario, scen: Scenario, address: str) -> dict[str, str]:
    """What made a comparison's numbers, by column: both sides' presets and levers, the horizon,
    seed and replications, the model's version and code, and the page's address (after its host)
    that shows the comparison again."""
    fields = {
        "baseline_parliament": base.parliament,
        "baseline_channels": base.channels,
        "baseline_levers": moved_levers(base),
        "scenario_parliament": scen.parliament,
        "scenario_channels": scen.channels,
        "scenario_levers": moved_levers(scen),
        "years": exact(scen.years),
        "seed": str(scen.seed),
        "replications": str(scen.replications),
        "parltwin_version": versions()["parltwin"] or "unknown",
        "model_code": model_code(),
        "page_address": address,
    }
    return {SETTING + k: v for k, v in fields.items()}


def with_settings(table: pd.DataFrame, settings: Mapping[str, str]) -> str:
    """``table`` as CSV with the settings that made it as its last columns, the same on every row:
    a file that says what produced it, still one table for pandas or a spreadsheet, however its
    rows are later filtered or sorted."""
    return table.assign(**settings).to_csv(index=False)
