"""What a command will cost, estimated before it runs, and the limits it must stay under.

A run's cost grows with the bills it simulates times the stages each goes through (SimPy events,
votes, ledger rows held in memory), with the citizen groups times the policy topics times the days
(the citizens' daily step), and with the days themselves; a command multiplies it by its runs
(replications x scenarios, or design points x replications). The limits below are far above the
presets' needs (the main job is about 1/1,000 of each) and stop what would otherwise run for days or
exhaust memory. Each refusal is one line with the estimate and the limit (``CostError``). The
seconds are a rough guide from the reference machine (``docs/performance.md``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scenarios.errors import ConfigError, CostError, counted
from scenarios.procedure import expand_readings, visits_per_bill
from scenarios.schema import Config

#: Members of one chamber (the largest real chamber, China's NPC, has about 3,000).
MAX_SEATS = 10_000
#: Citizen groups of one run (the benchmark's largest case has 99,900).
MAX_GROUPS = 200_000
#: Bill-stage visits of one run: its ledger is held in memory until the run ends.
MAX_RUN_VISITS = 5_000_000
#: Bill-stage visits of a whole command (the main job: about 9.1e5, each stage and reading once).
MAX_VISITS = 1e9
#: Group-topic-days of a whole command (the main job: about 3.7e8).
MAX_GROUP_DAYS = 1e11
#: Jobs of one sweep, and values of each of its sweeps.
MAX_JOBS = 1_000
#: Design points of a sensitivity analysis or candidates of a calibration.
MAX_POINTS = 100_000
#: Pluchino et al.: votes of the whole curve (points x legislatures x acts x members; the paper's
#: curve is 2.6e9), and members x acts of one legislature (its draws are held in memory).
MAX_VOTES = 1e12
MAX_LEGISLATURE = 2e7

#: Seconds per unit on the reference machine (2-core AMD EPYC, docs/performance.md): a rough guide.
SECONDS = {"run": 0.02, "visit": 1e-5, "group_day": 4e-8, "day": 5e-6, "vote": 1.2e-9}


def _n(x: float) -> str:
    """A count for a message: digits up to a million, then scientific notation."""
    return f"{x:,.0f}" if x < 1e6 else f"{x:.3g}"


def duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.0f} days"


@dataclass
class Estimate:
    """The work of a command, summed over its runs."""

    runs: int = 0
    visits: float = 0.0
    group_days: float = 0.0
    days: float = 0.0
    votes: float = 0.0
    what: list[str] = field(default_factory=list)  # one phrase per part, for messages

    @property
    def seconds(self) -> float:
        s = SECONDS
        return (
            self.runs * s["run"]
            + self.visits * s["visit"]
            + self.group_days * s["group_day"]
            + self.days * s["day"]
            + self.votes * s["vote"]
        )

    def __add__(self, other: Estimate) -> Estimate:
        return Estimate(
            self.runs + other.runs,
            self.visits + other.visits,
            self.group_days + other.group_days,
            self.days + other.days,
            self.votes + other.votes,
            self.what + other.what,
        )


def bills_per_year(conf: Config) -> float:
    """Bills a run introduces a year: the initiators' rates (scaled to ``arrival_rate`` when set)."""
    p = conf.parliament
    if p.arrival_rate is not None:
        return p.arrival_rate * 365.0
    return sum(i.rate_per_year for i in p.initiators.values())  # with those fed by demands, at most


def citizen_groups(conf: Config) -> int:
    """Groups a run has at most: region x settlement x age band x language cells, x subgroups."""
    c = conf.citizens
    if c is None or not set(c.topics) & set(conf.parliament.topics):
        return 0
    return len(c.regions) * 2 * len(c.age_bands) * 2 * int(c.subgroups)


def check_run(conf: Config, years: float) -> int:
    """Limits of one run: members of a chamber, citizen groups, bill-stage visits in memory. Returns how
    many stages the procedure has with every reading a stage of its own."""
    for name, ch in conf.parliament.chambers.items():
        if ch.seats > MAX_SEATS:
            raise ConfigError(
                f"parliament.chambers.{name}.seats", ch.seats, f"at most {MAX_SEATS:,} members in a chamber"
            )
    groups = citizen_groups(conf)
    if groups > MAX_GROUPS:
        raise CostError(
            "citizens.subgroups",
            f"{_n(groups)} citizen groups ({_n(groups // conf.citizens.subgroups)} cells x "
            f"{conf.citizens.subgroups} subgroups)",
            f"at most {MAX_GROUPS:,} groups",
        )
    bills = bills_per_year(conf) * years
    # every reading a stage of its own, every way back taken as often as it may be
    stages = expand_readings(conf.parliament.stages)
    each = visits_per_bill(stages)
    visits = bills * each
    if visits > MAX_RUN_VISITS:
        raise CostError(
            "years",
            f"one run could make {_n(visits)} bill-stage visits ({counted(_n(bills), 'bill')} in "
            f"{counted(years, 'year', 'g')} x up to {counted(each, 'visit')} each)",
            f"at most {MAX_RUN_VISITS:.0e} in one run (its ledger is held in memory); "
            "lower years or the bills' rates",
        )
    return len(stages)


def estimate(conf: Config, runs: int, years: float | None = None, what: str = "") -> Estimate:
    """The work of ``runs`` runs of ``conf`` over ``years`` (the config's own by default)."""
    years = conf.years if years is None else years
    stages = check_run(conf, years)
    days = years * 365.0
    bills = bills_per_year(conf) * years
    topics = len(conf.parliament.topics)
    return Estimate(
        runs=runs,
        visits=runs * bills * stages,  # each stage once, readings too
        group_days=runs * citizen_groups(conf) * topics * days,
        days=runs * days,
        what=[what or f"{counted(runs, 'run')} of {counted(years, 'year', 'g')}"],
    )


def _parts(est: Estimate) -> str:
    counts: dict[str, int] = {}
    for w in est.what:
        counts[w] = counts.get(w, 0) + 1
    parts = [f"{n} jobs x ({w})" if n > 1 else w for w, n in counts.items()]
    return "; ".join(parts[:3]) + ("; ..." if len(parts) > 3 else "")


def check_total(est: Estimate) -> None:
    """Refuse a command whose whole work is over a limit; the line gives the estimate and the limit."""
    about = f"about {duration(est.seconds)} on the reference machine"
    if est.visits > MAX_VISITS:
        raise CostError(
            "cost",
            f"{_n(est.visits)} bill-stage visits ({_parts(est)}; {about})",
            f"at most {MAX_VISITS:.0e} in one command; lower the replications, years or bills' rates",
        )
    if est.group_days > MAX_GROUP_DAYS:
        raise CostError(
            "cost",
            f"{_n(est.group_days)} citizen group-topic-days ({_parts(est)}; {about})",
            f"at most {MAX_GROUP_DAYS:.0e} in one command; "
            "lower the replications, years or citizens.subgroups",
        )
    if est.votes > MAX_VOTES:
        raise CostError(
            "cost",
            f"{_n(est.votes)} votes ({_parts(est)}; {about})",
            f"at most {MAX_VOTES:.0e} in one command; lower experiment.N, legislatures, acts or the grid",
        )


def check_jobs(jobs: float) -> None:
    if jobs > MAX_JOBS:
        raise CostError("sweep", f"{_n(jobs)} jobs", f"at most {MAX_JOBS:,} jobs in one sweep")


def check_values(key: str, values: float) -> None:
    """One sweep's values: Hydra's sweeper lists each sweep whole, one that a later override of the
    same key replaces (and so runs no job) included."""
    if values > MAX_JOBS:
        raise CostError(
            "sweep",
            f"{_n(values)} values of {key}",
            f"at most {MAX_JOBS:,} values in one sweep, one that a later override replaces included",
        )


def check_points(field_: str, points: float, what: str) -> None:
    """A design (sensitivity) or a search (calibration) of ``points`` runs of the model each."""
    if points > MAX_POINTS:
        raise CostError(field_, f"{_n(points)} {what}", f"at most {MAX_POINTS:,}")


def pluchino(n: int, acts: int, legislatures: int, points: int) -> Estimate:
    """The work of a Pluchino et al. curve; refuses a legislature too large to hold in memory."""
    if n * acts > MAX_LEGISLATURE:
        raise CostError(
            "experiment.N",
            f"{_n(n * acts)} draws per legislature ({counted(n, 'member')} x {counted(acts, 'act')})",
            f"at most {MAX_LEGISLATURE:.0e} (held in memory)",
        )
    votes = float(points) * legislatures * acts * n
    parts = (counted(points, "point"), counted(legislatures, "legislature"), counted(acts, "act"))
    return Estimate(votes=votes, what=[" x ".join((*parts, counted(n, "member")))])
