"""``parltwin --help``: presets, experiments, metrics and where outputs go, on one screen.

Hydra's own help (options of Hydra, the whole composed config) stays at ``parltwin --hydra-help``
and ``parltwin --cfg job``. Presets are read from the config folders, so a new preset is listed
without a change here; the text is in the language of a ``lang=`` argument, if one is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import yaml

from configs import CONFIGS
from experiments.i18n import LANGUAGES, N_, Translator, translator
from sim.metrics import ENGINE, GROUPS

#: What each shipped experiment does (message ids); an experiment not listed shows its file's first line.
EXPERIMENTS = {
    "compare": N_(
        "replicate one scenario (30 runs) and write a report; with -m, compare the scenarios of a sweep"
    ),
    "reform_comparison": N_(
        "the main job: bicameral Parliament vs Kurultai, each without and with digital channels"
    ),
    "sensitivity": N_("which assumptions drive which results (Morris or Sobol)"),
    "calibrate": N_("fit a preset to observed numbers (simulated method of moments)"),
    "robustness": N_("does each finding hold across the plausible values of every assumed number?"),
    "pluchino2011": N_("reproduce Pluchino et al. (2011): efficiency against the number of independents"),
    "fit": N_("a twin from records: estimate a parliament's numbers from bill histories and replay them"),
}
DEFAULTS = {"parliament": "kz_bicameral_2023", "citizens": "kz_2026", "channels": "none"}
#: Families of metrics: one per stage, channel measure, citizen group (name patterns, message ids).
FAMILIES = (
    ("stage_<stage>_mean_days", N_("days a bill spends in each stage")),
    ("responsiveness_<dimension>_<group>", N_("demands answered within a year, by citizen group")),
    ("channel_<channel>_<measure>", N_("each channel's counts: submitted, answered, by a bill or a law...")),
)


def presets(group: str) -> list[str]:
    return sorted(p.stem for p in (CONFIGS / group).glob("*.yaml"))


def _first_comment(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") and "@package" not in line:
            return line.lstrip("# ").strip()
    return ""


def _described(group: str, tr: Translator) -> list[str]:
    rows = []
    for name in presets(group):
        data = yaml.safe_load((CONFIGS / group / f"{name}.yaml").read_text(encoding="utf-8")) or {}
        text = tr.name("description", data["description"]) if data.get("description") else ""
        mark = " *" if DEFAULTS.get(group) == name else ""
        rows.append(f"    {name + mark:<26} {text}".rstrip())
    return rows


def _wrap(names: Sequence[str], indent: str = "    ", width: int = 100) -> list[str]:
    lines, line = [], indent
    for n in names:
        if len(line) + len(n) + 2 > width and line.strip():
            lines.append(line.rstrip(", "))
            line = indent
        line += n + ", "
    return [*lines, line.rstrip(", ")]


def text(lang: str = "en") -> str:
    """The help page in ``lang``."""
    tr = translator(lang)
    _ = tr.gettext
    out = [
        _("parltwin: a parliamentary digital twin. Run a scenario, or compare scenarios with replications."),
        "",
        _("Usage:"),
        "  parltwin [key=value ...]                   " + _("one run of one scenario (the defaults: *)"),
        "  parltwin experiment=NAME [key=value ...]   "
        + _("an experiment, e.g. experiment=reform_comparison"),
        "  parltwin -m key=A,B [...]                  "
        + _("a sweep: one run per value (add experiment=compare to compare them)"),
        "  parltwin --config-dir DIR parliament=NAME  "
        + _("your own preset: the file DIR/parliament/NAME.yaml"),
        "  parltwin-report DIR                        "
        + _("rebuild a run folder's report (--lang kk|ru|en)"),
        "  parltwin-app                               "
        + _("the scenario explorer in the browser (127.0.0.1)"),
        "",
        _("Presets (parliament=NAME, channels=NAME, citizens=NAME):"),
    ]
    for group in ("parliament", "channels", "citizens"):
        out += [f"  {group}=", *_described(group, tr)]
    out += ["", _("Experiments (experiment=NAME):")]
    for name in presets("experiment"):
        what = (
            _(EXPERIMENTS[name])
            if name in EXPERIMENTS
            else _first_comment(CONFIGS / "experiment" / f"{name}.yaml")
        )
        out.append(f"    {name:<26} {what}")
    out += [
        "",
        _("Settings: years=5 (horizon), seed=0, lang=en|kk|ru (language of reports and tables), quiet=true;"),
        _("  any value of a preset, e.g. parliament.chambers.mazhilis.agenda_capacity=12;"),
        _("  an entry of your own, all its settings at once: '+parliament.committees={NAME: {...}}';"),
        _("  an experiment's too, e.g. experiment=compare experiment.replications=10"),
        "",
        _("Metrics (summary.json, summary.csv, comparison.csv), by group:"),
    ]
    for group in GROUPS:
        names = [m.name for m in ENGINE.values() if m.group == group]
        if names:
            out += [f"  {group}:", *_wrap(names)]
    out.append(
        "  " + _("with citizens: demands_answered_within_365d, demand_to_law_median_days, congruence, ...")
    )
    out += [f"    {pattern:<36} {_(what)}" for pattern, what in FAMILIES]
    out += [
        "",
        _("Outputs:"),
        "  " + _("a run: summary.json and config.yaml in outputs/DATE/TIME/ (hydra.run.dir=DIR to choose)"),
        "  "
        + _("an experiment: report.html, summary.csv, comparison.csv, channels.csv, figures/, manifest.json"),
        "  "
        + _(
            "  in outputs/DATE/TIME/, or multirun/DATE/TIME/ for a sweep such as reform_comparison "
            "(hydra.sweep.dir=DIR)"
        ),
        "",
        _("More: parltwin --hydra-help (Hydra's options), parltwin --cfg job (the whole config), README.md"),
        _("Languages: {languages}", languages=", ".join(f"{k} ({v})" for k, v in LANGUAGES.items())),
    ]
    return "\n".join(out)


def lang_of(argv: Sequence[str]) -> str:
    """The ``lang=`` among command-line arguments, if it is a known language; else English."""
    given = [a.split("=", 1)[1] for a in argv if a.startswith("lang=")]
    return given[-1] if given and given[-1] in LANGUAGES else "en"
