"""A hostile or careless user: nothing of theirs is instantiated, inputs are bounded, nothing is lost
or left half-written when a command is refused or fails."""

from __future__ import annotations

import errno
import json
import os
import shutil
import warnings
from pathlib import Path

import pytest

from experiments import preflight
from experiments.errors import EXIT_BAD_INPUT, EXIT_IO, InputError
from scenarios import ConfigError
from scenarios.errors import CostError
from tests.conftest import ROOT, run_cli
from tests.parltwin_cli import parltwin, refused, snapshot
from tests.test_experiments import main_job

SHORT = ["years=0.1", "quiet=true"]


def _preset(root: Path, group: str, name: str, text: str) -> None:
    (root / group).mkdir(parents=True, exist_ok=True)
    (root / group / f"{name}.yaml").write_text(text)


# -- 1. nothing a user writes is instantiated ------------------------------------------------------
TOUCH = "hydra:\n  callbacks:\n    x:\n      _target_: pathlib.Path.touch\n      self: {target}\n"
COPY_HANDLER = (
    "version: 1\nhandlers:\n  h:\n    (): shutil.copyfile\n    src: {source}\n    dst: {target}\n"
    "root:\n  handlers: [h]\n"
)


def _vectors(mine: Path, target: Path, source: Path) -> dict[str, list[str]]:
    """Each way a config could make Hydra or logging call code, as ``parltwin`` arguments."""
    touch = TOUCH.format(target=target)
    copy_handler = COPY_HANDLER.format(source=source, target=target)
    _preset(mine, "experiment", "touch", "# @package _global_\nexperiment:\n  kind: compare\n" + touch)
    _preset(mine, "parliament", "touch", "# @package _global_\n" + touch)
    _preset(mine, "hydra/job_logging", "copy", copy_handler)
    _preset(mine, "hydra/hydra_logging", "copy", copy_handler)
    _preset(
        mine,
        "hydra/job_logging",
        "makedirs",
        f"version: 1\nhandlers:\n  h:\n    class: os.makedirs\n    name: {target}\n",
    )
    indented = "\n".join("    " + line for line in copy_handler.splitlines())
    _preset(mine, "experiment", "logging", f"# @package _global_\nhydra:\n  job_logging:\n{indented}\n")
    cd = ["--config-dir", str(mine)]
    cb = "+hydra.callbacks.x"
    return {
        "experiment preset, _global_ callback": [*cd, "experiment=touch"],
        "parliament preset, _global_ callback": [*cd, "parliament=touch"],
        "override: Path.touch": [f"{cb}._target_=pathlib.Path.touch", f"{cb}.self={target}"],
        "override: shutil.copyfile": [
            f"{cb}._target_=shutil.copyfile",
            f"{cb}.src={source}",
            f"{cb}.dst={target}",
        ],
        "override: os.makedirs, with years=-1": [
            f"{cb}._target_=os.makedirs",
            f"{cb}.name={target}",
            "years=-1",
        ],
        "override of the sweep's own callback": [
            "experiment=compare",
            "hydra.callbacks.compare._target_=os.makedirs",
            f"+hydra.callbacks.compare.name={target}",
        ],
        "job_logging file with ()": [*cd, "hydra/job_logging=copy"],
        "hydra_logging file with ()": [*cd, "hydra/hydra_logging=copy"],
        "job_logging file with class": [*cd, "hydra/job_logging=makedirs"],
        "_global_ preset with a logging handler ()": [*cd, "experiment=logging"],
        "oc.create makes a callback out of a string": [
            f"+hydra.callbacks.x=${{oc.create:'{{_target_: os.makedirs, name: {target}}}'}}"
        ],
        "oc.select's default makes a callback": [
            f"+hydra.callbacks.x='${{oc.select:nope,{{_target_:pathlib.Path.touch,self:{target}}}}}'"
        ],
        "a resolver's name made by another interpolation": [
            "+parliament.x=create",
            f"+hydra.callbacks.x='${{oc.${{parliament.x}}:{{_target_:os.makedirs,name:{target}}}}}'",
        ],
        "oc.select's default makes a file handler": [
            f"+hydra.job_logging.handlers.f='${{oc.select:nope,{{class:logging.FileHandler,filename:{target}}}}}'"
        ],
        "a handler referred to from elsewhere": [
            f"+hydra.help.h={{class:logging.FileHandler,filename:{target}}}",
            "+hydra.job_logging.handlers.f='${hydra.help.h}'",
        ],
        "a node selected from elsewhere, through a reference": [
            f"+hydra.help.h={{class:logging.FileHandler,filename:{target}}}",
            "+hydra.help.g='${oc.select:hydra.help.h}'",
            "+hydra.job_logging.handlers.f='${hydra.help.g}'",
        ],
        "a quoted brace hides oc.select's default from a reader that ignores quotes": [
            f"+hydra.help.l=['${{oc.select:\"}}\",{{_target_:pathlib.Path.touch,self:{target}}}}}']",
            "+hydra.callbacks.x='${hydra.help.l.0}'",
        ],
        "logging's cfg:// makes a handler of another mapping": [
            f"+hydra.job_logging.foo={{class:logging.FileHandler,filename:{target}}}",
            "hydra.job_logging.handlers.console=cfg://foo",
        ],
        "a handler through a reference to a string that refers on": [
            f"+hydra.help.h={{class:logging.FileHandler,filename:{target}}}",
            "+hydra.hydra_help.a='${hydra.help}'",
            "hydra.job_logging.handlers.console='${hydra.hydra_help.a.h}'",
        ],
        "an ext:// stream made by an environment variable's default": [
            "hydra.job_logging.handlers.console.stream='${oc.env:PARLTWIN_NOPE,\"ext://this.s\"}'"
        ],
        "a launcher of one's own": ["hydra.launcher._target_=os.makedirs", f"+hydra.launcher.name={target}"],
        "a launcher the project does not have (Ray's)": [
            "hydra.launcher._target_=hydra_plugins.hydra_ray_launcher.ray_launcher.RayLauncher"
        ],
        "PYTHONPATH for worker processes": [f"+hydra.job.env_set.PYTHONPATH={target}"],
    }


VECTORS = list(_vectors(Path("/nonexistent"), Path("/t"), Path("/s")))


@pytest.mark.parametrize("vector", VECTORS)
def test_no_code_named_in_a_config_runs(
    vector: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    mine, target, source = tmp_path / "mine", tmp_path / "target", tmp_path / "source"
    args = _vectors(mine, target, source)[vector]
    source.write_text("secret")
    before = snapshot(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    ended = parltwin([*args, *SHORT, f"hydra.run.dir={tmp_path / 'run'}"], work, monkeypatch, capsys)
    assert ended.code == EXIT_BAD_INPUT
    line = ended.one_line
    assert any(
        k in line for k in ("_target_", "()", "class", "env_set", "interpolation", "handler", "cfg://")
    ), line
    assert not target.exists()  # the function named was never called
    assert list(work.iterdir()) == [] and snapshot(tmp_path) == {**before, "work": None}


def test_the_command_line_binary_refuses_a_callback_too(tmp_path: Path) -> None:
    target = tmp_path / "touched"
    res = run_cli(
        "+hydra.callbacks.x._target_=pathlib.Path.touch", f"+hydra.callbacks.x.self={target}", cwd=tmp_path
    )
    assert res.returncode == EXIT_BAD_INPUT and res.stdout == ""
    assert (
        res.stderr.strip().splitlines() == [res.stderr.strip()] and "hydra.callbacks.x._target_" in res.stderr
    )
    assert not target.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "args",
    [
        ["experiment=reform_comparison"],  # the project's callback
        ["experiment=reform_comparison", "hydra/launcher=joblib"],
        ["experiment=reform_comparison", "hydra/launcher=submitit_local"],
        ["experiment=reform_comparison", "hydra/launcher=slurm", "hydra.launcher.partition=short"],
        ["+hydra.job.env_set.OMP_NUM_THREADS=1"],
        ["hydra/job_logging=none"],
    ],
)
def test_what_the_project_documents_passes(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    which = shutil.which
    monkeypatch.setattr(
        shutil, "which", lambda cmd, *a, **k: "/usr/bin/srun" if cmd == "srun" else which(cmd, *a, **k)
    )
    knob = "experiment.replications=1" if "reform" in args[0] else "seed=1"
    folders = [f"hydra.sweep.dir={tmp_path / 's'}", f"hydra.run.dir={tmp_path / 'r'}"]
    checked = preflight.plan([*args, knob, *SHORT, *folders])
    assert checked.runs and checked.jobs
    assert not (tmp_path / "s").exists() and not (tmp_path / "r").exists()  # a plan writes nothing


@pytest.mark.parametrize(
    "flag", [["--experimental-rerun", "x.pickle"], ["--config-name", "evil"], ["--config-path", "/tmp"]]
)
def test_flags_that_load_other_code_or_configs_are_refused(
    flag: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ended = parltwin(flag, tmp_path, monkeypatch, capsys)
    assert ended.code == EXIT_BAD_INPUT and flag[0] in ended.one_line
    assert list(tmp_path.iterdir()) == []


# -- 2. bounded inputs ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "field", "says"),
    [
        (
            ["parliament.initiators.government.rate_per_year=inf"],
            "parliament.initiators.government.rate_per_year",
            "finite",
        ),
        (["parliament=single_queue", "parliament.arrival_rate=inf"], "parliament.arrival_rate", "finite"),
        (["parliament=single_queue", "parliament.service_mean=inf"], "parliament.service_mean", "finite"),
        (["years=inf"], "years", "finite"),
        (["years=nan"], "years", "finite"),
        (["experiment=sensitivity", "experiment.years=inf"], "experiment.years", "finite"),
        (["years=1e6"], "years", "at most 1000"),
        (["parliament.chambers.mazhilis.seats=1000000000"], "parliament.chambers.mazhilis.parties", "seats"),
        (
            [
                "parliament.chambers.mazhilis.seats=1000000000",
                "parliament.chambers.mazhilis.parties.amanat.seats=999999964",
            ],
            "parliament.chambers.mazhilis.seats",
            "at most 10,000 members",
        ),
        (["parliament=single_queue", "parliament.arrival_rate=1e9"], "years", "at most 5e+06"),
        (["citizens.subgroups=100000"], "citizens.subgroups", "at most 200,000"),
        (["experiment=compare", "experiment.replications=1000000"], "cost", "at most 1e+09"),
        (["experiment=pluchino2011", "experiment.N=1000000000"], "experiment.N", "at most 2e+07"),
        (["experiment=pluchino2011", "experiment.legislatures=100000000"], "cost", "at most 1e+12"),
        (["experiment=sensitivity", "experiment.trajectories=10000000"], "experiment", "at most 100,000"),
        (  # the top of a parameter's range multiplies the bills a run makes: the worst case counts
            [
                "experiment=sensitivity",
                "~experiment.parameters",
                "+experiment.parameters={arrival_rate:[0.5,1e5]}",
            ],
            "years",
            "at most 5e+06",
        ),
        (["experiment=calibrate", "experiment.max_evals=1000000000"], "experiment", "at most 100,000"),
        (["-m", "seed=range(0,2000)"], "sweep", "at most 1,000 jobs"),
        (
            ["experiment=compare", "experiment.workers=100000"],
            "experiment.workers",
            "from 0 (one per core) to 256",
        ),
        (  # its seeds were drawn first: 10 million replications ran out of memory before any refusal
            ["experiment=robustness", "experiment.replications=10000000"],
            "experiment.replications",
            "at most 100,000",
        ),
        (
            ["experiment=robustness", "experiment.workers=257"],
            "experiment.workers",
            "from 0 (one per core) to 256",
        ),
    ],
)
def test_unbounded_inputs_are_refused_before_anything_runs(args: list[str], field: str, says: str) -> None:
    with pytest.raises(ConfigError) as err:
        preflight.plan([*args, "quiet=true"])
    line = str(err.value)
    assert line.startswith(field) and says in line and "\n" not in line
    if isinstance(err.value, CostError):  # the estimate and the limit
        assert "is over the limit" in line and "at most" in line


def test_a_cost_refusal_gives_the_estimate_and_the_limit_on_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ended = parltwin(
        ["experiment=reform_comparison", "experiment.replications=100000"], tmp_path, monkeypatch, capsys
    )
    assert ended.code == EXIT_BAD_INPUT
    assert "bill-stage visits (4 jobs x (100000 replications of 5 years)" in ended.one_line
    assert "on the reference machine" in ended.one_line and "at most 1e+09 in one command" in ended.one_line
    assert list(tmp_path.iterdir()) == []


TERA = 10**12
OVER = "sweep: 1e+12 jobs is over the limit: at most 1,000 jobs in one sweep"
REPLACED = "sweep: 1e+12 values of seed is over the limit: at most 1,000 values in one sweep"


@pytest.mark.parametrize(
    ("sweep", "says"),
    [
        ([f"seed=shuffle(range(0,{TERA}))"], OVER),
        ([f"seed=shuffle(sweep=range(0,{TERA}))"], OVER),
        ([f"seed=tag(many,shuffle(range(0,{TERA})))"], OVER),
        ([f"seed=sort(shuffle(range({TERA},0,-1)))"], OVER),
        ([f"seed=sort(range(0,{TERA}))"], OVER),
        ([f"seed=sort(range(0,{TERA}),reverse=true)"], OVER),
        ([f"years=shuffle(range(0.5,{TERA}.5,1.0))"], OVER),
        ([f"seed=range(0,{TERA})", "seed=1"], REPLACED),  # Hydra's sweeper lists it all the same
        ([f"seed=range(0,{TERA})", "years=range(5,1)"], REPLACED),  # no job, and listed all the same
        (["years=range(0.5,inf)"], "sweep: inf jobs is over the limit"),
        ([f"seed=shuffle(range(0,{TERA}))", "years=0.1,0.2"], "sweep: 2e+12 jobs is over the limit"),
    ],
)
def test_a_sweep_hydra_would_list_whole_is_refused_by_its_count_before_it_is_listed(
    sweep: list[str],
    says: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Hydra lists a shuffled range whole before its first value, and its sweeper lists every sweep
    whole, one that a later override replaces included: such a sweep of 10**12 values ran out of
    memory with a traceback (or, sorted, was said to be 1,001 jobs); each is counted from its bounds."""
    line = refused(["-m", *SHORT, "hydra.sweep.dir=sweep", *sweep], tmp_path, monkeypatch, capsys)
    assert line.startswith(f"parltwin: error: {says}")


@pytest.mark.parametrize(
    "sweep",
    [
        "range(0,7)",
        "range(7)",
        "range(10,0,-3)",
        "range(0,10,3)",
        "range(5,0)",
        "range(-5,5,2)",
        "range(true,5)",
        "sort(range(10,0,-3))",
        "sort(range(0,10,3),reverse=true)",
        "shuffle(range(0,9))",
        "int(range(0,5.5))",
        "float(range(0,5))",
        "range(0.1,0.5,0.1)",
        "range(0.5,0.1,0.1)",
        "range(0.5,0.1,-0.1)",
        "range(1,2,0.001)",
        "range(1,2.001,0.001)",
        "range(0.1,1,inf)",
        "range(-1e300,1e300,1e298)",
        "shuffle(1,2,3)",
        "sort(3,1,2)",
        "choice(1,2,3)",
        "1,2,3,4",
    ],
)
def test_a_sweep_is_counted_as_many_values_as_hydra_lists(sweep: str) -> None:
    from hydra.core.override_parser.overrides_parser import OverridesParser

    (override,) = OverridesParser.create().parse_overrides([f"years={sweep}"])
    assert preflight._count(override) == len(list(override.sweep_string_iterator()))


@pytest.mark.parametrize("amanat", [10, 500])  # party seats adding up to 46 and 536 in a 98-seat chamber
def test_party_seats_must_add_up_to_the_chamber(amanat: int) -> None:
    with pytest.raises(ConfigError) as err:
        preflight.plan([f"parliament.chambers.mazhilis.parties.amanat.seats={amanat}"])
    total = 98 - 62 + amanat
    assert str(err.value) == (
        f"parliament.chambers.mazhilis.parties={total} is not allowed: "
        f"party seats adding up to the chamber's 98 seats (they add up to {total})"
    )


@pytest.mark.parametrize(
    ("override", "says"),
    [("+yeras=5", "did you mean years?"), ("+parliament.chambers.mazhilis.seat=5", "did you mean seats?")],
)
def test_misspelled_appended_keys_are_refused(override: str, says: str) -> None:
    with pytest.raises(
        ConfigError, match=f"^{override[1:].split('=')[0]}=5 is not allowed: a key of the schema"
    ) as err:
        preflight.plan([override])
    assert says in str(err.value)


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ("experiment.baseline=kz_bicameral_2032", "experiment.baseline='kz_bicameral_2032'"),
        ("experiment.metrics=[laws_per_year,laws_per_yer]", "experiment.metrics='laws_per_yer'"),
        ("+scenario=kz_bicameral_2023,atlantis", "atlantis"),
    ],
)
def test_a_sweep_is_checked_across_its_jobs_before_the_first_one(
    override: str,
    field: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = [
        "experiment=reform_comparison",
        "experiment.replications=1",
        *SHORT,
        override,
        "hydra.sweep.dir=sweep",
    ]
    ended = parltwin(args, tmp_path, monkeypatch, capsys)
    assert ended.code == EXIT_BAD_INPUT and field in ended.one_line
    assert list(tmp_path.iterdir()) == []  # no sweep folder, no multirun.yaml, no job ran


# -- 3. nothing lost, nothing half-written ---------------------------------------------------------
@pytest.fixture(scope="module")
def finished_sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return main_job(tmp_path_factory)


@pytest.mark.parametrize(
    "change",
    [
        ["seed=1"],
        ["years=1.6"],
        ["+scenario=kz_kurultai_2026,kz_bicameral_2023"],
        ["parliament.vote_noise=0.4"],
    ],
)
def test_a_refused_resume_leaves_the_finished_sweep_as_it_was(
    change: list[str],
    finished_sweep: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tests.test_experiments import MAIN

    run = tmp_path / "run"
    shutil.copytree(finished_sweep, run)
    before = snapshot(run)
    assert {"report.html", "summary.csv", "comparison.csv", "manifest.json", "multirun.yaml"} <= set(before)
    assert any(k.startswith("figures/") for k in before)
    ended = parltwin([*MAIN, f"hydra.sweep.dir={run}", *change], tmp_path, monkeypatch, capsys)
    assert ended.code == EXIT_BAD_INPUT, ended.err
    assert "run folder" in ended.one_line or "hydra.sweep.dir" in ended.one_line
    assert snapshot(run) == before  # byte for byte


def test_a_refused_run_creates_no_folder_and_touches_none_that_existed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "existed_empty"
    empty.mkdir()
    for cwd in (Path("/"), empty):
        ended = parltwin(["years=-1", f"hydra.run.dir={empty / 'a' / 'b'}"], cwd, monkeypatch, capsys)
        assert ended.code == EXIT_BAD_INPUT and "years=-1" in ended.one_line
        assert empty.is_dir() and list(empty.iterdir()) == []


def _full_disk_after(monkeypatch: pytest.MonkeyPatch, writes: int) -> list[str]:
    """From the ``writes``-th file on, writing fails as on a full disk (ENOSPC)."""
    done: list[str] = []
    fsync = os.fsync

    def full(fd: int) -> None:
        if len(done) >= writes:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        done.append(str(fd))
        fsync(fd)

    monkeypatch.setattr(os, "fsync", full)
    return done


def test_a_full_disk_at_the_first_write_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    parent = tmp_path / "existed_empty"
    parent.mkdir()
    _full_disk_after(monkeypatch, 0)
    args = ["experiment=compare", "experiment.replications=2", *SHORT, f"hydra.run.dir={parent / 'run'}"]
    ended = parltwin(args, Path("/"), monkeypatch, capsys)
    assert ended.code == EXIT_IO
    first = parent / "run" / "scenario.json"  # a job's first file: its manifest (then its config)
    assert ended.one_line == f"parltwin: error: {first}: No space left on device"
    assert (
        parent.is_dir() and list(parent.iterdir()) == []
    )  # the run folder it made is gone, its parent stays


def test_a_full_disk_half_way_keeps_only_whole_files_and_the_run_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import pyarrow.parquet as pq

    run = tmp_path / "run"
    args = [
        "experiment=compare",
        "experiment.replications=3",
        "experiment.ledger=true",
        "experiment.workers=1",  # every write in this process, where the disk fills up
        *SHORT,
        f"hydra.run.dir={run}",
    ]
    written = _full_disk_after(monkeypatch, 20)  # scenario.json, metrics.json, a replication's files...
    ended = parltwin(args, tmp_path, monkeypatch, capsys)
    assert ended.code == EXIT_IO and "No space left on device" in ended.one_line and len(written) == 20
    files = [p for p in run.rglob("*") if p.is_file()]
    assert not [p for p in files if p.name.startswith(".tmp-")]
    for p in files:  # every file there is whole
        if p.suffix == ".json":
            json.loads(p.read_text())
        elif p.suffix == ".parquet":
            pq.read_table(p)
    assert not (run / "report.html").exists()
    finished = sorted(p.name for p in (run / "replications").glob("r*.json"))
    assert 1 <= len(finished) < 3
    monkeypatch.undo()
    again = parltwin(args, tmp_path, monkeypatch, capsys)
    assert again.code == 0, again.err
    assert sorted(p.name for p in (run / "replications").glob("r*.json")) == [
        "r0000.json",
        "r0001.json",
        "r0002.json",
    ]
    assert (run / "report.html").exists()


def test_a_read_only_output_folder_is_one_line_with_the_io_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    real = os.access

    def access(path: object, mode: int, **kw: object) -> bool:  # root may write anywhere: say it cannot
        return False if Path(str(path)) == locked and mode & os.W_OK else real(path, mode, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)
    for run in (locked / "run", locked):
        ended = parltwin([*SHORT, f"hydra.run.dir={run}"], tmp_path, monkeypatch, capsys)
        assert ended.code == EXIT_IO
        assert ended.one_line.startswith(f"parltwin: error: {locked}: Permission denied")
    locked.chmod(0o755)
    assert list(locked.iterdir()) == []


def test_a_run_folder_that_is_a_symbolic_link_is_refused_before_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(OSError, match="a symbolic link"):  # at the check, not once the run has run
        preflight.plan([*SHORT, f"hydra.run.dir={tmp_path / 'link'}"])
    ended = parltwin([*SHORT, "hydra.run.dir=link"], tmp_path, monkeypatch, capsys)
    assert ended.code == EXIT_IO and "link: a symbolic link, not a folder of the run's own" in ended.one_line
    assert list((tmp_path / "elsewhere").iterdir()) == []


@pytest.mark.parametrize(
    "value",
    [
        "${...servers}",
        "${..servers}",
        "\\${not one}",
        "${oc.env:HOME,'{x}'}",
        "${parliament.${parliament.name}}",
    ],
)
def test_interpolations_omegaconf_reads_as_plain_values_pass_the_allow_list(value: str) -> None:
    r"""A relative reference, an escaped ``\${``, braces in a quoted argument, a key made by another
    interpolation: plain values, which a strict reader of its own had refused."""
    from scenarios.allowlist import check_instantiable

    check_instantiable({"parliament": {"stages": {"x": {"capacity": value}}}})


def test_a_mapping_merged_into_a_null_node_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """OmegaConf raised an AttributeError (a traceback) merging a mapping into a null node."""
    args = ["-m", "experiment=compare", "hydra.sweeper.params={years: '1,2'}", "hydra.sweep.dir=x"]
    ended = parltwin(args, tmp_path, monkeypatch, capsys)
    assert (
        ended.code == EXIT_BAD_INPUT and "hydra.sweeper.params: a mapping cannot be merged" in ended.one_line
    )
    assert list(tmp_path.iterdir()) == []


def test_removing_a_field_of_the_schema_says_how_to_set_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ended = parltwin(["~parliament.committees"], tmp_path, monkeypatch, capsys)
    assert ended.code == EXIT_BAD_INPUT
    assert ended.one_line.endswith("(a field of the schema is set, not removed: 'parliament.committees=...')")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("where", ["preset", "override"])
def test_a_misspelt_key_is_named_with_the_keys_allowed(
    where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """In a preset file and on the command line alike (OmegaConf's own words were shown, without
    the keys allowed)."""
    from tests.conftest import CONFIGS

    text = (CONFIGS / "parliament" / "kz_bicameral_2023.yaml").read_text()
    _preset(
        tmp_path / "mine",
        "parliament",
        "typo",
        text.replace("    on_pass: mazhilis\n", "    on_pas: mazhilis\n"),
    )
    args = {
        "preset": ["--config-dir", "mine", "parliament=typo"],
        "override": ["parliament.stages.committee.on_pas=mazhilis"],
    }[where]
    ended = parltwin(args, tmp_path, monkeypatch, capsys)
    assert ended.code == EXIT_BAD_INPUT
    assert ended.one_line.startswith("parltwin: error: parliament.stages.committee.on_pas is not allowed: ")
    assert ", on_pass, " in ended.one_line and ended.one_line.endswith("(did you mean on_pass?)")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]


def test_a_yaml_syntax_error_names_the_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _preset(tmp_path / "mine", "parliament", "broken", "name: broken\nchambers:\n  a: {seats: 5\n  b: 3\n")
    ended = parltwin(["--config-dir", "mine", "parliament=broken"], tmp_path, monkeypatch, capsys)
    assert ended.code == EXIT_BAD_INPUT
    assert f"{tmp_path / 'mine' / 'parliament' / 'broken.yaml'}, line 4" in ended.one_line
    assert "YAML" in ended.one_line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]


def test_a_broken_record_or_sweep_file_is_one_line(
    finished_sweep: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from experiments.cli import report_main
    from tests.test_experiments import MAIN

    run = tmp_path / "run"
    shutil.copytree(finished_sweep, run)
    record = run / "1" / "replications" / "r0001.json"
    record.write_text('{"replication": 1,\n  "seed": ')
    ended = parltwin([*MAIN, f"hydra.sweep.dir={run}"], tmp_path, monkeypatch, capsys)
    assert ended.code == EXIT_BAD_INPUT and f"{record}, line 2" in ended.one_line
    (run / "multirun.yaml").write_text("hydra:\n  overrides: [\n")
    shutil.copy(finished_sweep / "1" / "replications" / "r0001.json", record)
    with pytest.raises(SystemExit) as stop:
        report_main([str(run), "-q"])
    assert stop.value.code == EXIT_BAD_INPUT
    err = capsys.readouterr().err.strip()
    assert err.splitlines() == [err] and f"{run / 'multirun.yaml'}, line" in err
    for text in ("- 1\n", "hydra:\n  overrides:\n    task: 5\n    hydra: []\n"):  # YAML, not a sweep's
        (run / "multirun.yaml").write_text(text)
        with pytest.raises(SystemExit) as stop:
            report_main([str(run), "-q"])
        err = capsys.readouterr().err.strip()
        assert (
            stop.value.code == EXIT_BAD_INPUT
            and err.splitlines() == [err]
            and "not a sweep's multirun.yaml" in err
        )


def test_a_folder_that_turns_out_read_only_while_writing_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import tempfile

    from experiments import files

    run = tmp_path / "run"
    mkstemp = tempfile.mkstemp

    def refuse(*args: object, dir: object = None, **kw: object) -> tuple[int, str]:
        if Path(str(dir)).is_relative_to(run):  # a read-only mount: root cannot write either
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(dir))
        return mkstemp(*args, dir=dir, **kw)  # type: ignore[call-overload, no-any-return]

    monkeypatch.setattr(files.tempfile, "mkstemp", refuse)
    ended = parltwin([*SHORT, f"hydra.run.dir={run}"], tmp_path, monkeypatch, capsys)
    assert ended.code == EXIT_IO
    assert ended.one_line == f"parltwin: error: {run / 'config.yaml'}: Read-only file system"  # its first
    assert not run.exists()


def test_a_comparison_that_fails_half_way_leaves_the_previous_outputs(
    finished_sweep: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from experiments import comparison, plots

    run = tmp_path / "run"
    shutil.copytree(finished_sweep, run)
    before = snapshot(run)

    def broken(*args: object, **kw: object) -> None:
        raise RuntimeError("a figure could not be drawn")

    monkeypatch.setattr(plots, "drawn", broken)
    with pytest.raises(RuntimeError):
        comparison.finish(run, quiet=True)
    assert snapshot(run) == before  # nothing replaced before the new version was complete


def test_a_mapping_for_a_presets_list_is_refused_with_the_way_to_give_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    given = "experiment.parameters={attendance: [0.8, 1.0]}"
    ended = parltwin(["experiment=sensitivity", given], tmp_path, monkeypatch, capsys)
    assert ended.code == EXIT_BAD_INPUT and list(tmp_path.iterdir()) == []
    assert ended.one_line.endswith("remove it first, '~experiment.parameters' '+experiment.parameters=...')")
    # The way it names is accepted.
    assert preflight.plan(["experiment=sensitivity", "~experiment.parameters", f"+{given}"]).runs


@pytest.mark.parametrize(
    "given",
    [
        "+parliament.chambers.mazhilis.parties.greens={seats: 2, position: -0.2}",
        "+parliament.chambers.mazhilis.parties.greens.seats=2",
    ],
)
def test_an_entry_added_under_its_own_path_is_refused_with_the_way_to_add_it(
    given: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ended = parltwin(["parliament.chambers.mazhilis.seats=100", given], tmp_path, monkeypatch, capsys)
    assert ended.code == EXIT_BAD_INPUT and list(tmp_path.iterdir()) == []
    assert ended.one_line == (
        "parltwin: error: parliament.chambers.mazhilis.parties.greens: a new entry is added with its "
        "mapping, all its settings at once: '+parliament.chambers.mazhilis.parties={greens: {...}}'"
    )
    # The way it names is accepted, and adds the entry.
    party = "{seats: 2, position: -0.2, spread: 0.1, discipline: 0.8}"
    added = f"+parliament.chambers.mazhilis.parties={{greens: {party}}}"
    (job,) = preflight.plan(["parliament.chambers.mazhilis.seats=100", added]).jobs
    assert job.conf.parliament.chambers["mazhilis"].parties["greens"].seats == 2


@pytest.mark.parametrize(
    ("given", "said"),
    [
        (
            "parliament.topics.law=5",
            "parliament.topics.law=5 is not allowed: a mapping of settings (weight, status_quo): set one "
            "('parliament.topics.law.weight=...') or all ('parliament.topics.law={...}')",
        ),
        (
            "parliament.stages.committee.duration=fixed",
            "parliament.stages.committee.duration='fixed' is not allowed: a mapping of settings (dist, mean, "
            "sd): set one ('parliament.stages.committee.duration.dist=...') or all "
            "('parliament.stages.committee.duration={...}')",
        ),
        (
            "parliament.chambers.mazhilis.sitting_weekdays=2",
            "parliament.chambers.mazhilis.sitting_weekdays=2 is not allowed: a list, e.g. [2]",
        ),
    ],
)
def test_a_value_of_the_wrong_shape_is_refused_with_the_shape_allowed(
    given: str, said: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ended = parltwin([given], tmp_path, monkeypatch, capsys)
    assert ended.code == EXIT_BAD_INPUT and list(tmp_path.iterdir()) == []
    assert ended.one_line == f"parltwin: error: {said}"


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        (
            "chambers:\n  mazhilis:\n    sitting_weekdays: 2\n",
            "parliament/mine: parliament.chambers.mazhilis.sitting_weekdays: a single value is not allowed: "
            "a list, e.g. [1, 2]",
        ),
        (
            "topics:\n  law: 5\n",
            "parliament/mine: 5 is not allowed where the schema has a mapping of settings "
            "(weight, status_quo)",
        ),
    ],
)
def test_a_presets_value_of_the_wrong_shape_is_refused_naming_the_preset(
    setting: str,
    said: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "conf" / "parliament"
    folder.mkdir(parents=True)
    (folder / "mine.yaml").write_text(f"defaults:\n  - kz_bicameral_2023\n  - _self_\nname: mine\n{setting}")
    before = snapshot(tmp_path)
    ended = parltwin(
        ["--config-dir", str(tmp_path / "conf"), "parliament=mine"], tmp_path, monkeypatch, capsys
    )
    assert ended.code == EXIT_BAD_INPUT and snapshot(tmp_path) == before
    assert ended.one_line == f"parltwin: error: {said}"


@pytest.mark.parametrize(
    "subdir",
    [
        "same",
        "../outside/j${hydra.job.num}",
        ".",
        # a launcher's own job id (the joblib launcher's is not the number this check would give it)
        "j${hydra.job.id}",
        "'${oc.select:hydra.help.app_${hydra.job.id},${hydra.job.num}}'",
    ],
)
def test_each_job_of_a_sweep_writes_a_folder_of_its_own_inside_the_sweeps(
    subdir: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["-m", "experiment=compare", "experiment.replications=2", "years=0.5", "quiet=true"]
    args += [
        "+scenario=kz_bicameral_2023,kz_kurultai_2026",
        "hydra.sweep.dir=m",
        f"hydra.sweep.subdir={subdir}",
    ]
    ended = parltwin(args, tmp_path, monkeypatch, capsys)
    assert ended.code == EXIT_BAD_INPUT and "hydra.sweep.subdir=" in ended.one_line
    assert list(tmp_path.iterdir()) == []  # nothing written, inside the sweep's folder or out


def test_a_sweeps_job_folders_may_be_named_from_the_jobs_number_and_overrides(tmp_path: Path) -> None:
    args = ["-m", "experiment=compare", "experiment.replications=2", "years=0.5", "quiet=true"]
    subdir = "hydra.sweep.subdir=s_${hydra.job.override_dirname}_${hydra.job.name}_${hydra.job.num}"
    plan = preflight.plan([*args, "seed=1,2", f"hydra.sweep.dir={tmp_path / 'm'}", subdir])
    assert [j.out.name.split("_", 1)[0] for j in plan.jobs] == ["s", "s"]
    assert [j.out.name.rsplit("_", 1)[1] for j in plan.jobs] == ["0", "1"]
    assert "seed=2" in plan.jobs[1].out.name


def test_a_run_is_never_written_over_another_run_or_a_users_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def run(*args: str) -> int:
        return parltwin([*args, "years=0.5", "quiet=true"], tmp_path, monkeypatch, capsys).code

    assert run("seed=3", "hydra.run.dir=one") == 0
    before = snapshot(tmp_path)
    assert run("seed=3", "hydra.run.dir=one") == 0  # the same run again: the same bytes
    assert snapshot(tmp_path) == before
    assert run("seed=4", "hydra.run.dir=one") == EXIT_BAD_INPUT  # another seed's run
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("the user's own")
    assert run("hydra.run.dir=mine") == EXIT_BAD_INPUT
    assert run("experiment=compare", "experiment.replications=2", "hydra.run.dir=mine") == EXIT_BAD_INPUT
    assert run("experiment=compare", "experiment.replications=2", "hydra.run.dir=cmp") == 0
    before = snapshot(tmp_path)
    for other in (["seed=5"], ["parliament=kz_kurultai_2026"]):  # another scenario, another seed
        assert run("experiment=compare", "experiment.replications=2", "hydra.run.dir=cmp", *other) == 2
    assert run("hydra.run.dir=cmp") == EXIT_BAD_INPUT  # a single run in a comparison's folder
    assert snapshot(tmp_path) == before
    for again in range(2):  # Hydra's own record of a run (hidden) is not the user's: run again
        assert run("hydra.run.dir=kept", "hydra.output_subdir=.hydra") == 0, again
    # a sweep into a folder of the user's that holds files named as a sweep's outputs
    (tmp_path / "theirs").mkdir()
    for name in ("summary.csv", "report.html", "multirun.yaml"):
        (tmp_path / "theirs" / name).write_text("the user's own")
    before = snapshot(tmp_path)
    sweep = ["-m", "experiment=compare", "experiment.replications=2", "experiment.workers=1"]
    assert run(*sweep, "hydra.sweep.dir=theirs") == EXIT_BAD_INPUT
    assert snapshot(tmp_path) == before
    assert run(*sweep, "hydra.sweep.dir=sweep") == 0  # a sweep of its own resumes over its outputs
    assert run(*sweep, "hydra.sweep.dir=sweep") == 0
    # a folder of the user's holding only files named as a comparison's, or a sweep's Hydra file:
    # not a job's without its manifest, nor Hydra's without its node
    for folder, names, args in (
        ("own", ("summary.csv", "report.html", "config.yaml", "manifest.json"), ["hydra.run.dir=own"]),
        ("notes", ("multirun.yaml",), ["-m", "hydra.sweep.dir=notes"]),
    ):
        (tmp_path / folder).mkdir()
        for name in names:
            (tmp_path / folder / name).write_text("the user's own")
        before = snapshot(tmp_path)
        assert run("experiment=compare", "experiment.replications=2", *args) == EXIT_BAD_INPUT, folder
        assert snapshot(tmp_path) == before
    # a single run's summary.json without the config.yaml a run writes first: refused before it runs
    (tmp_path / "alone").mkdir()
    (tmp_path / "alone" / "summary.json").write_text("{}")
    before = snapshot(tmp_path)
    assert run("hydra.run.dir=alone") == EXIT_BAD_INPUT
    assert snapshot(tmp_path) == before


BOMB = "a: &a [1,2,3,4,5,6,7,8,9]\n" + "".join(
    f"{n}: &{n} [{','.join(['*' + p] * 9)}]\n" for p, n in zip("abcde", "bcdef", strict=True)
)  # six lines that stand for 9**6 = 531,441 numbers


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (BOMB.encode(), "its aliases expand to over"),
        (b"a: &a [*a]\n", "its aliases expand to over"),  # an alias within itself
        (b"name: caf\xe9\n", "not UTF-8 text (byte 0xe9 at offset 9)"),
        # a shared preset copied the user's environment into the run's files and report
        (b"description: 'x ${oc.env: SECRET_TOKEN,none}'\n", "reads an environment variable (oc.env)"),
        # the same, spelt with YAML's escapes, which the file's text does not show
        (b'description: "$\\x7boc.env:SECRET_TOKEN,none}"\n', "reads an environment variable (oc.env)"),
        (b'description: "\\u0024{oc.\\x65nv:SECRET_TOKEN,none}"\n', "reads an environment variable (oc.env)"),
    ],
)
def test_a_users_yaml_is_read_only_when_it_is_text_of_a_presets_size(
    text: bytes,
    said: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "mine" / "parliament").mkdir(parents=True)
    (tmp_path / "mine" / "parliament" / "odd.yaml").write_bytes(text)
    before = snapshot(tmp_path)
    ended = parltwin(["--config-dir", "mine", "parliament=odd"], tmp_path, monkeypatch, capsys)
    assert ended.code == EXIT_BAD_INPUT and "odd.yaml: " + said in ended.one_line
    assert snapshot(tmp_path) == before
    # the same file found through hydra.searchpath (read unchecked: the bomb ran out of memory)
    for path in (f"file://{tmp_path / 'mine'}", "mine"):
        searched = [f"hydra.searchpath=[{path}]", "+parliament@_global_=odd"]
        ended = parltwin(searched, tmp_path, monkeypatch, capsys)
        assert ended.code == EXIT_BAD_INPUT and "odd.yaml: " + said in ended.one_line, path
        assert snapshot(tmp_path) == before


def test_a_config_folders_file_named_as_the_schema_is_refused_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Hydra read it as the schema, and warned of that in five lines before any refusal."""
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "schema.yaml").write_text("years: 2\n")
    before = snapshot(tmp_path)
    ended = parltwin(["--config-dir", "mine", "years=1"], tmp_path, monkeypatch, capsys)
    assert (
        ended.code == EXIT_BAD_INPUT and "schema.yaml: the name of parltwin's config schema" in ended.one_line
    )
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    ("override", "said"),
    [
        ("hydra.job_logging.root.level=BOGUS", "hydra.job_logging.root.level='BOGUS' is not allowed"),
        ("hydra.hydra_logging.root.level=BOGUS", "hydra.hydra_logging.root.level='BOGUS' is not allowed"),
        ("+hydra.job_logging.handlers.h={class:logging.StreamHandler,level:LOUD}", "handlers.h.level='LOUD'"),
        ("+hydra.hydra_logging.formatters.f={class:logging.Formatter}", "formatters.f.class="),
        ("+hydra.job_logging.formatters.g={format:x}", "Invalid format 'x'"),  # Python's logging says why
    ],
)
def test_a_logging_configuration_python_would_refuse_is_refused_in_one_line(
    override: str,
    said: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ended = parltwin([override, "years=0.5", "hydra.run.dir=run"], tmp_path, monkeypatch, capsys)
    assert ended.code == EXIT_BAD_INPUT and said in ended.one_line
    assert list(tmp_path.iterdir()) == []


def test_a_record_or_manifest_that_is_not_one_is_named_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from experiments.cli import report_main

    args = ["experiment=compare", "experiment.replications=2", "years=0.5", "quiet=true", "hydra.run.dir=run"]
    assert parltwin(args, tmp_path, monkeypatch, capsys).code == 0
    record = tmp_path / "run" / "replications" / "r0000.json"
    record.write_text('{"seed": 1}')  # JSON, but not a record
    before = snapshot(tmp_path)
    ended = parltwin(args, tmp_path, monkeypatch, capsys)  # resumed
    assert (
        ended.code == EXIT_BAD_INPUT
        and "r0000.json: not a replication's record (no 'replication')" in ended.one_line
    )
    assert snapshot(tmp_path) == before

    (tmp_path / "fake" / "0").mkdir(parents=True)
    (tmp_path / "fake" / "0" / "scenario.json").write_text("{}")
    with pytest.raises(SystemExit) as ended_report:
        report_main([str(tmp_path / "fake")])
    assert ended_report.value.code == EXIT_BAD_INPUT
    assert "scenario.json: not a job's manifest (no 'name')" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("file", "change", "says"),
    [
        (
            "replications/r0001.json",
            {"summary": {"laws_per_year": "abc"}},
            "'summary' is not an object of numbers",
        ),
        (
            "replications/r0001.json",
            {"summary": {"laws_per_year": [1, 2]}},
            "'summary' is not an object of numbers",
        ),
        ("replications/r0001.json", {"replication": -1}, "'replication' is not a whole number >= 0"),
        ("scenario.json", {"seeds": ["a", "b"]}, "'seeds' is not a list of whole numbers"),
        ("scenario.json", {"replications": 10**12}, "as many seeds as replications"),  # it ran for ever
        ("scenario.json", {"replications": True}, "'replications' is not a whole number >= 1"),
    ],
)
def test_a_crafted_record_or_manifest_is_one_line_not_a_traceback_or_a_hang(
    file: str, change: dict, says: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    from experiments.cli import report_main

    args = ["experiment=compare", "experiment.replications=2", "years=0.5", "quiet=true", "hydra.run.dir=run"]
    assert parltwin(args, tmp_path, monkeypatch, capsys).code == 0
    path = tmp_path / "run" / file
    path.write_text(json.dumps({**json.loads(path.read_text()), **change}))
    capsys.readouterr()
    with pytest.raises(SystemExit) as ended:
        report_main(["-q", str(tmp_path / "run")])
    err = capsys.readouterr().err
    assert ended.value.code == EXIT_BAD_INPUT and says in err and len(err.strip().splitlines()) == 1


def test_a_run_folders_own_robustness_table_is_checked_as_a_given_one_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The report reads a robustness.csv in the run folder: it was read through a link to any file,
    and a table of another shape, or a malformed one, was a traceback after the tables were written."""
    from experiments.cli import report_main
    from experiments.compare_spec import ROBUSTNESS_COLUMNS

    args = ["experiment=compare", "experiment.replications=2", "years=0.5", "quiet=true", "hydra.run.dir=run"]
    assert parltwin(args, tmp_path, monkeypatch, capsys).code == 0
    run, elsewhere = tmp_path / "run", tmp_path / "elsewhere.csv"
    elsewhere.write_text(",".join(ROBUSTNESS_COLUMNS) + "\n")
    table = run / "robustness.csv"
    before = snapshot(run)
    for make, says in (
        (lambda: table.symlink_to(elsewhere), "not a link"),
        (lambda: table.write_text("hello,world\n1,2\n"), "with the columns metric, scenario"),
        (lambda: table.write_text(",".join(ROBUSTNESS_COLUMNS) + '\n"unclosed\n'), "a table pandas can read"),
    ):
        table.unlink(missing_ok=True)
        make()
        capsys.readouterr()
        with pytest.raises(SystemExit) as ended:
            report_main(["-q", str(run)])
        err = capsys.readouterr().err
        assert ended.value.code == EXIT_BAD_INPUT and says in err and len(err.strip().splitlines()) == 1, err
        table.unlink()
        assert snapshot(run) == before  # nothing rewritten


def test_names_read_back_from_a_run_folder_cannot_drive_the_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A scenario's name in a crafted run folder held escape sequences (set the terminal's title,
    clear the screen), printed as they were by the report's table: they are written out."""
    from experiments.cli import report_main

    args = ["experiment=compare", "experiment.replications=2", "years=0.5", "quiet=true", "hydra.run.dir=run"]
    assert parltwin(args, tmp_path, monkeypatch, capsys).code == 0
    path = tmp_path / "run" / "scenario.json"
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, "name": "x\x1b]0;TITLE\x07\x1b[2J\u202eevil"}))
    capsys.readouterr()
    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        report_main([str(tmp_path / "run")])
    out = capsys.readouterr().out
    # nor do the figures draw them (each was a missing glyph, and a warning)
    assert not [w for w in warned if "missing from font" in str(w.message)]
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "x\\x1b]0;TITLE\\x07\\x1b[2J\\u202eevil" in out  # shown, written out


def test_a_run_folder_too_deep_too_large_or_linked_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A manifest of lists within lists was a RecursionError, a record of 400 MB took a gigabyte
    before its refusal, and a sweep's job folder made a link was read where it pointed."""
    from experiments import files
    from experiments.cli import report_main

    args = ["experiment=compare", "experiment.replications=2", "years=0.5", "quiet=true", "hydra.run.dir=run"]
    assert parltwin(args, tmp_path, monkeypatch, capsys).code == 0
    run = tmp_path / "run"
    manifest = run / "scenario.json"
    kept = manifest.read_text()

    def refused(folder: Path) -> str:
        capsys.readouterr()
        with pytest.raises(SystemExit) as ended:
            report_main(["-q", str(folder)])
        err = capsys.readouterr().err
        assert ended.value.code == EXIT_BAD_INPUT and len(err.strip().splitlines()) == 1, err
        return err

    manifest.write_text("[" * 100_000)
    assert "not a job's manifest (nested too deeply)" in refused(run)
    manifest.write_text(kept)
    monkeypatch.setattr(files, "MAX_JSON_BYTES", len(kept) - 1)
    assert f"{len(kept):,} bytes, over the {len(kept) - 1:,}" in refused(run)
    monkeypatch.undo()
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    (sweep / "0").symlink_to(run)
    assert "a job's folder that is a symbolic link" in refused(sweep)


def test_a_run_does_not_move_into_its_folder_so_the_paths_it_is_given_stay_the_users(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "rec.csv").write_text("a file the user gave by a relative path\n")
    args = ["experiment=fit", "data=rec.csv", "hydra.job.chdir=true", "hydra.run.dir=run"]
    ended = parltwin(args, tmp_path, monkeypatch, capsys)
    assert ended.code == EXIT_BAD_INPUT and ended.one_line.startswith("parltwin: error: hydra.job.chdir=True")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rec.csv"]


def test_a_slurm_launcher_needs_slurm_here_and_runs_no_shell_lines_of_a_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    sweep = ["-m", "experiment=compare", "+scenario=kz_bicameral_2023,kz_kurultai_2026", "hydra.sweep.dir=s"]
    monkeypatch.setattr(shutil, "which", lambda cmd, *a, **k: None)  # no SLURM on this machine
    ended = parltwin([*sweep, "hydra/launcher=slurm"], tmp_path, monkeypatch, capsys)
    assert ended.code == EXIT_BAD_INPUT and "srun is not on PATH" in ended.one_line
    monkeypatch.setattr(shutil, "which", lambda cmd, *a, **k: f"/usr/bin/{cmd}")
    for bad, field in (
        ("hydra.launcher.setup=[touch x]", "hydra.launcher.setup="),
        ("hydra.launcher.timeout_min=-5", "hydra.launcher.timeout_min=-5"),
    ):
        ended = parltwin([*sweep, "hydra/launcher=slurm", bad], tmp_path, monkeypatch, capsys)
        assert ended.code == EXIT_BAD_INPUT and field in ended.one_line
    assert list(tmp_path.iterdir()) == []
    # submitit writes every field into the job's script as #SBATCH --key='value': a line break in a
    # value, or a key of a preset's own, started a shell line there
    mine = tmp_path.parent / "slurm_presets" / "evil"
    mine.mkdir(parents=True, exist_ok=True)
    for name, launcher, field in (
        ("value", 'partition: "short\\ntouch /tmp/pwned #"', "hydra.launcher.partition="),
        (
            "key",
            'additional_parameters: {"x\\ntouch /tmp/pwned #": v}',
            "hydra.launcher.additional_parameters[",
        ),
        # shell lines after srun, srun's own options, and #SBATCH options with an environment or a
        # folder ran or loaded what the preset said on every node
        ("teardown", "teardown: [touch /tmp/pwned]", "hydra.launcher.teardown"),
        ("srun", "srun_args: [--export=ALL,LD_PRELOAD=/tmp/x.so]", "hydra.launcher.srun_args"),
        (
            "export",
            "additional_parameters: {export: 'ALL,PYTHONPATH=/tmp/x'}",
            "additional_parameters['export']",
        ),
        ("chdir", "additional_parameters: {chdir: /tmp}", "additional_parameters['chdir']"),
    ):
        (mine / f"{name}.yaml").write_text(
            "# @package _global_\ndefaults:\n  - override /hydra/launcher: slurm\n"
            f"hydra:\n  launcher:\n    {launcher}\n"
        )
        args = ["-m", "--config-dir", str(mine.parent), f"+evil={name}", *sweep[1:]]
        ended = parltwin(args, tmp_path, monkeypatch, capsys)
        assert ended.code == EXIT_BAD_INPUT and field in ended.one_line, ended.one_line
    assert list(tmp_path.iterdir()) == []
    # a launcher file of the user's own, not built on the shipped one: no schema closes its keys
    (mine.parent / "hydra" / "launcher").mkdir(parents=True, exist_ok=True)
    (mine.parent / "hydra" / "launcher" / "cluster.yaml").write_text(
        "_target_: hydra_plugins.hydra_submitit_launcher.submitit_launcher.SlurmLauncher\n"
        "submitit_folder: ${hydra.sweep.dir}/.submitit/%j\ntimeout_min: 60\nteardown: [touch /tmp/pwned]\n"
    )
    args = ["-m", "--config-dir", str(mine.parent), "hydra/launcher=cluster", *sweep[1:]]
    ended = parltwin(args, tmp_path, monkeypatch, capsys)
    assert (
        ended.code == EXIT_BAD_INPUT
        and "hydra.launcher.teardown=['touch /tmp/pwned'] is not" in ended.one_line
    )
    assert list(tmp_path.iterdir()) == []
    for bad in (
        "+hydra.launcher.teardown=[touch x]",
        "+hydra.launcher.additional_parameters={output: /tmp/x}",
    ):
        ended = parltwin([*sweep, "hydra/launcher=slurm", bad], tmp_path, monkeypatch, capsys)
        assert ended.code == EXIT_BAD_INPUT and bad.split("=")[0].lstrip("+") in ended.one_line
    ended = parltwin(["hydra/launcher=slurm", "+hydra.launcher.additional_parameters={mail_type: END}",
                      "--cfg", "hydra"], tmp_path, monkeypatch, capsys)  # fmt: skip
    assert ended.code == 0 and "mail_type: END" in ended.out


@pytest.mark.parametrize(
    "setting", ["hydra.searchpath: '[pkg://parltwin_planted]'", "hydra.sweep.dir: elsewhere"]
)
def test_a_sweeps_parameters_set_nothing_of_hydras_own(
    setting: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A preset's ``hydra.sweeper.params`` are applied by Hydra to each job after every check: a search
    path there imported a package (``pkg://``), and a folder there wrote the jobs over a user's
    files elsewhere, left behind after the exit code 2."""
    planted = tmp_path / "code" / "parltwin_planted"
    planted.mkdir(parents=True)
    (planted / "__init__.py").write_text("import pathlib\npathlib.Path(__file__).with_name('RAN').touch()\n")
    monkeypatch.syspath_prepend(str(tmp_path / "code"))
    mine = tmp_path / "mine" / "experiment"
    mine.mkdir(parents=True)
    (mine / "shared.yaml").write_text(
        "# @package _global_\ndefaults:\n  - compare\n  - _self_\nhydra:\n  mode: MULTIRUN\n  sweeper:\n"
        f"    params:\n      +scenario: kz_bicameral_2023,kz_kurultai_2026\n      {setting}\n"
    )
    (tmp_path / "elsewhere" / "0").mkdir(parents=True)
    (tmp_path / "elsewhere" / "0" / "config.yaml").write_text("the user's own\n")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    args = ["--config-dir", str(tmp_path / "mine"), "experiment=shared", *SHORT, "hydra.sweep.dir=sweep"]
    ended = parltwin(args, tmp_path, monkeypatch, capsys)
    assert ended.code == EXIT_BAD_INPUT, ended.err
    assert ended.one_line.startswith(f"parltwin: error: hydra.sweeper.params.{setting.split(':')[0]}=")
    assert not (planted / "RAN").exists()
    assert (
        sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if "__pycache__" not in p.parts) == before
    )
    assert (tmp_path / "elsewhere" / "0" / "config.yaml").read_text() == "the user's own\n"


def test_the_observed_figures_command_imports_no_package_named_as_a_search_path(tmp_path: Path) -> None:
    """``python -m experiments.observed 'hydra.searchpath=[pkg://X]'`` imported X (the working folder
    is on the path of ``python -m``)."""
    import subprocess
    import sys

    (tmp_path / "planted").mkdir()
    (tmp_path / "planted" / "__init__.py").write_text("open('RAN', 'w').close()\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "experiments.observed", "hydra.searchpath=[pkg://planted]",
         "--replications", "1"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert done.returncode == EXIT_BAD_INPUT and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "hydra.searchpath='pkg://planted' is not allowed" in done.stderr
    assert not (tmp_path / "RAN").exists()


@pytest.mark.parametrize(
    ("entry", "name"),
    [
        ("initiators", "public.office"),  # a dot: a path of two keys (experiment=fit failed with a traceback)
        ("topics", '=HYPERLINK("http://x.example","t")'),  # a spreadsheet's formula in records.csv
        ("committees", "-cmd"),
        ("stages", "a/b"),
    ],
)
def test_every_name_in_a_preset_is_a_plain_name(
    entry: str, name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Names of a preset's entries become paths, columns, file names and CSV cells: only a
    parliament's own name was held to letters, digits, '_' and '-'."""
    import yaml

    mine = tmp_path / "mine" / "parliament"
    mine.mkdir(parents=True)
    (mine / "odd.yaml").write_text(
        yaml.safe_dump({"defaults": ["single_queue", "_self_"], entry: {name: None}})
    )
    args = [
        "--config-dir",
        str(tmp_path / "mine"),
        "parliament=odd",
        "~citizens",
        "~channels",
        "hydra.run.dir=run",
    ]
    ended = parltwin(args, tmp_path, monkeypatch, capsys)
    assert ended.code == EXIT_BAD_INPUT
    assert (
        ended.one_line
        == f"parltwin: error: parliament.{entry}={name!r} is not allowed: names of letters, "
        + ("digits, '_' and '-' (not first): they name columns, files and paths")
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]


@pytest.mark.parametrize(
    ("override", "line"),
    [
        ("years=five", "years='five' is not allowed: a number"),
        ("seed=1.5", "seed='1.5' is not allowed: an integer"),
        ("quiet=maybe", "quiet='maybe' is not allowed: true or false"),
        # A whole number the schema reads as a float is echoed as it was written.
        ("years=0", "years=0 is not allowed: a positive number"),
        ("years=-2.5", "years=-2.5 is not allowed: a positive number of years, at most 1000"),
    ],
)
def test_a_value_of_the_wrong_type_is_refused_with_what_is_allowed(
    override: str,
    line: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ended = parltwin([override, "hydra.run.dir=run"], tmp_path, monkeypatch, capsys)
    assert ended.code == EXIT_BAD_INPUT and ended.one_line == f"parltwin: error: {line}"
    assert list(tmp_path.iterdir()) == []


def test_an_interpolation_of_hydras_own_values_resolves_as_in_the_job(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["parliament.description=${hydra:runtime.cwd}", "years=0.5", "quiet=true", "hydra.run.dir=run"]
    ended = parltwin(args, tmp_path, monkeypatch, capsys)  # the hydra resolver is on the allow-list
    assert ended.code == 0, ended.err
    assert (tmp_path / "run" / "summary.json").is_file()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            [
                "experiment=sensitivity",
                "~experiment.parameters",
                "+experiment.parameters={attendance: [0.8, 5]}",
            ],
            "experiment.parameters.attendance=[0.8, 5.0] is not allowed: a range that keeps",
        ),
        (
            [
                "experiment=calibrate",
                "~experiment.parameters",
                "+experiment.parameters={government_rate: [-100, 100]}",
            ],
            "experiment.parameters.government_rate=[-100.0, 100.0] is not allowed",
        ),
        (["experiment=calibrate", "experiment.warmup_years=1e9"], "experiment.warmup_years=1000000000"),
        (["experiment=sensitivity", "experiment.trajectories=1"], "experiment.trajectories=1 is not allowed"),
        (
            ["experiment=compare", "experiment.metrics=[]"],
            "experiment.metrics=[] is not allowed: a non-empty",
        ),
        (  # a metric given twice: two rows, and one more comparison in Holm's family
            ["experiment=compare", "experiment.metrics=[laws_per_year,laws_per_year]"],
            "is not allowed: a non-empty list of distinct metric names",
        ),
        (
            ["experiment=robustness", "experiment.metrics=[passage_rate,passage_rate]"],
            "is not allowed: a non-empty list of distinct metric names",
        ),
        (
            ["experiment=sensitivity", "experiment.outputs=[passage_rate,passage_rate]"],
            "is not allowed: a non-empty list of distinct summary keys",
        ),
        (
            ["experiment=fit", "data=DATA", "experiment.replications=100000000", "experiment.rounds=1"],
            "cost: 5.16e+11 bill-stage visits (100000008 runs of the records' 2.99 years",
        ),
    ],
)
def test_an_experiments_own_settings_keep_every_run_valid_and_within_the_limits(
    args: list[str],
    said: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tests.conftest import ROOT

    data = str(ROOT / "data" / "example_records_kz_bicameral_2023.csv")
    args = [a.replace("DATA", data) for a in args]
    ended = parltwin([*args, "~citizens", "~channels", "hydra.run.dir=run"], tmp_path, monkeypatch, capsys)
    assert ended.code == EXIT_BAD_INPUT and said in ended.one_line
    assert list(tmp_path.iterdir()) == []


def test_the_report_of_a_run_stopped_half_way_is_refused(
    finished_sweep: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder whose jobs have not all finished their replications gets no report (one was written
    that compared scenarios over different replications and looked complete)."""
    from experiments.cli import report_main
    from tests.parltwin_cli import snapshot

    run = tmp_path / "run"
    shutil.copytree(finished_sweep, run)
    (run / "2" / "replications" / "r0001.json").unlink()
    before = snapshot(run)
    with pytest.raises(SystemExit) as stop:
        report_main([str(run), "-q"])
    assert stop.value.code == EXIT_BAD_INPUT
    err = capsys.readouterr().err.strip()
    assert err.splitlines() == [err] and "job 2" in err and "has 1 of 2 replications" in err
    assert snapshot(run) == before


def test_a_run_is_not_resumed_by_another_version_of_the_model(
    finished_sweep: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A replication's record carries the digest of the model's code: a run stopped under one
    version and resumed under another compared the two versions' replications as one scenario."""
    import experiments.replicate as replicate
    from tests.test_experiments import MAIN

    run = tmp_path / "run"
    shutil.copytree(finished_sweep, run)
    (run / "2" / "replications" / "r0001.json").unlink()  # stopped before its last replication
    before = snapshot(run)
    made = json.loads((run / "0" / "replications" / "r0000.json").read_text())["model"]
    assert made == replicate.model_code()
    monkeypatch.setattr(replicate, "model_code", lambda: "0123456789abcdef")
    ended = parltwin([*MAIN, f"hydra.sweep.dir={run}"], tmp_path, monkeypatch, capsys)
    assert ended.code == EXIT_BAD_INPUT, ended.err
    assert f"model code 0123456789abcdef; these were made by {made}" in ended.one_line
    assert snapshot(run) == before


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["hydra.output_subdir=OUTSIDE"], "hydra.output_subdir"),  # Hydra wrote its config files there
        (["hydra.output_subdir=.."], "hydra.output_subdir"),
        (["hydra.output_subdir=a/b"], "hydra.output_subdir"),
        # a name the run writes became Hydra's folder: the run and every rerun failed over it
        (["hydra.output_subdir=config.yaml"], "hydra.output_subdir"),
        (["experiment=compare", "hydra.output_subdir=replications"], "hydra.output_subdir"),
        (["parliament.name=OUTSIDE/x"], "parliament.name"),  # a fit wrote OUTSIDE/x_fitted.yaml
        (["parliament.name=../x"], "parliament.name"),
        (  # submitit kept its pickles there, and its workers read them back
            ["-m", "hydra/launcher=submitit_local", "hydra.launcher.submitit_folder=OUTSIDE/%j"],
            "hydra.launcher.submitit_folder",
        ),
    ],
)
def test_a_run_writes_nothing_outside_its_folder(
    args: list[str],
    field: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "config.yaml").write_text("mine")
    args = [a.replace("OUTSIDE", str(outside)) for a in args]
    work = tmp_path / "work"
    work.mkdir()
    before = snapshot(tmp_path)
    ended = parltwin([*args, *SHORT, f"hydra.run.dir={tmp_path / 'run'}"], work, monkeypatch, capsys)
    assert ended.code == EXIT_BAD_INPUT and ended.one_line.startswith(f"parltwin: error: {field}=")
    assert snapshot(tmp_path) == before


def test_hydras_own_folder_of_a_plain_name_is_kept_inside_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ended = parltwin(
        ["hydra.output_subdir=.meta", *SHORT, "hydra.run.dir=run"], tmp_path, monkeypatch, capsys
    )
    assert ended.code == 0, ended.err
    assert (tmp_path / "run" / ".meta" / "config.yaml").is_file() and sorted(os.listdir(tmp_path)) == ["run"]


def test_every_composition_hydra_makes_itself_is_checked(tmp_path: Path) -> None:
    """Hydra composes anew what the check cannot hand over (a --config-dir's runs, a sweep's jobs):
    those compositions are checked too, so that a config that composes differently the second time
    cannot run what the first check never saw."""
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from hydra.types import RunMode

    from experiments.composition import compose_once
    from tests.conftest import CONFIGS

    target = tmp_path / "made"
    bad = ["+hydra.callbacks.x._target_=os.makedirs", f"+hydra.callbacks.x.name={target}"]
    with initialize_config_dir(version_base="1.3", config_dir=str(CONFIGS)), compose_once():
        hydra = GlobalHydra.instance().hydra
        assert hydra is not None
        with pytest.raises(ConfigError, match=r"hydra\.callbacks\.x\._target_"):
            hydra.compose_config("config", bad, run_mode=RunMode.RUN)
        assert hydra.compose_config("config", ["seed=3"], run_mode=RunMode.RUN).seed == 3
    assert not target.exists()


def test_a_presets_defaults_name_their_choices_outright(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``- /pick: s${now:%S}``: Hydra resolves it at each composition, so the config it ran was not
    the one checked (a file handler and a connection in one run of eight)."""
    mine = tmp_path / "mine"
    (mine / "evil").mkdir(parents=True)
    (mine / "pick").mkdir()
    (mine / "evil" / "x.yaml").write_text("# @package _global_\ndefaults:\n  - /pick: s${now:%S}\n")
    for second in range(60):
        (mine / "pick" / f"s{second:02d}.yaml").write_text("# @package _global_\nseed: 7\n")
    args = ["--config-dir", str(mine), "+evil=x", *SHORT, "hydra.run.dir=run"]
    assert "defaults: 's${now:%S}' is not allowed" in refused(args, tmp_path, monkeypatch, capsys)
    # the same list merged in with a YAML merge key ('<<'), which the check did not look into
    (mine / "evil" / "x.yaml").write_text(
        "# @package _global_\n<<: {defaults: [{/pick: 's${now:%S}'}, _self_]}\n"
    )
    assert "defaults: 's${now:%S}' is not allowed" in refused(args, tmp_path, monkeypatch, capsys)


@pytest.mark.parametrize("kind", ["device", "pipe", "folder"])
def test_a_table_of_figures_is_a_regular_file(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``experiment.observed=/dev/zero`` filled the memory; a named pipe waited for ever."""
    path = {"device": Path("/dev/zero"), "pipe": tmp_path / "pipe", "folder": tmp_path}[kind]
    if kind == "pipe":
        os.mkfifo(path)
    args = ["experiment=calibrate", f"experiment.observed={path}", *SHORT, "hydra.run.dir=run"]
    assert "not a regular file" in refused(args, tmp_path, monkeypatch, capsys)


@pytest.mark.parametrize(
    ("end", "warmup", "said"),
    [
        ("2998-12-01", 1, "experiment.warmup_years=1"),
        ("2999-11-01", 1, "line 2"),
        ("2999-01-20", 0, "experiment.observed="),  # no warm-up can help: the periods are named
    ],
)
def test_a_fit_runs_no_longer_than_a_run_may_last(
    end: str,
    warmup: int,
    said: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Recorded periods spanning 999 years and a year's warm-up made runs of 1,000.9 years (past a
    run's longest), and the table's own bound counted years of 365.25 days, the model's of 365; with
    no warm-up at all the refusal still blamed the warm-up."""
    head = "period,start,end,body,measure,value,source,note\n"
    rows = (f"p,2000-01-01,{end},parliament,{m},100,s,n\n" for m in ("laws_passed", "bills_considered"))
    (tmp_path / "figures.csv").write_text(head + "".join(rows))
    args = ["experiment=calibrate", f"experiment.observed={tmp_path / 'figures.csv'}", "quiet=true"]
    args += [
        f"experiment.warmup_years={warmup}",
        "experiment.parameters=[government_rate]",
        "hydra.run.dir=run",
    ]
    line = refused(args, tmp_path, monkeypatch, capsys)
    assert said in line and "1,000 years" in line


def test_a_run_folder_with_a_symbolic_link_is_not_resumed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run folder's ledger/ made a link: resumed, the run wrote its files wherever it pointed."""
    args = ["experiment=compare", "experiment.replications=2", *SHORT, "hydra.run.dir=run"]
    assert parltwin(args, tmp_path, monkeypatch, capsys).code == 0
    (tmp_path / "run" / "replications" / "r0001.json").unlink()
    elsewhere = tmp_path / "elsewhere"
    (tmp_path / "run" / "ledger").rename(elsewhere)
    (tmp_path / "run" / "ledger").symlink_to(elsewhere)
    assert "a symbolic link" in refused(args, tmp_path, monkeypatch, capsys)


def test_a_robustness_table_of_another_shape_is_refused_before_the_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """It failed the comparison after its runs, with a traceback and the runs' files left."""
    (tmp_path / "rob").mkdir()
    (tmp_path / "rob" / "robustness.csv").write_text("a,b\n1,2\n")
    args = ["experiment=compare", f"experiment.robustness={tmp_path / 'rob'}", *SHORT, "hydra.run.dir=run"]
    assert "with the columns metric, scenario" in refused(args, tmp_path, monkeypatch, capsys)
    # its assumptions.csv too: a KeyError after the runs, their replications left without a report
    from experiments.compare_spec import ROBUSTNESS_COLUMNS

    (tmp_path / "rob" / "robustness.csv").write_text(",".join(ROBUSTNESS_COLUMNS) + "\n")
    (tmp_path / "rob" / "assumptions.csv").write_text("a,b\n1,2\n")
    assert "assumptions.csv has the columns path, low" in refused(args, tmp_path, monkeypatch, capsys)


def test_a_bad_progress_interval_in_the_environment_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PARLTWIN_PROGRESS_SECONDS", "abc")
    line = refused([*SHORT, "hydra.run.dir=run"], tmp_path, monkeypatch, capsys)
    assert "PARLTWIN_PROGRESS_SECONDS='abc'" in line and list(tmp_path.iterdir()) == []


def _secret(tmp_path: Path) -> Path:
    """A YAML file outside every config folder, as a user's own file elsewhere on the machine."""
    (tmp_path / "private").mkdir()
    secret = tmp_path / "private" / "keys.yaml"
    secret.write_text("api_key: SUPERSECRET123\n")
    return secret


@pytest.mark.parametrize("where", ["command line", "defaults", "absolute defaults", "linked folder"])
def test_no_config_is_read_from_outside_its_folder(
    where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``parliament=../../x`` (or the same in a preset's defaults) read any YAML file on the machine
    and showed it in an error or wrote it into a run's files; a linked folder of a --config-dir took
    its files past the checks of size and aliases."""
    secret = _secret(tmp_path)
    up = "../" * 30 + str(secret.with_suffix("")).lstrip("/")  # past the root of any config folder
    mine = tmp_path / "mine"
    (mine / "parliament").mkdir(parents=True)
    if where == "command line":
        args = [f"parliament={up}", *SHORT, "hydra.run.dir=run"]
    elif where in ("defaults", "absolute defaults"):  # '//DIR@pkg: name': Hydra asks for '/DIR/name'
        entry = (
            f"/parliament@description: {up}" if where == "defaults" else f"/{secret.parent}@description: keys"
        )
        (mine / "parliament" / "mine.yaml").write_text(
            f"defaults:\n  - kz_bicameral_2023\n  - {entry}\n  - _self_\nname: mine\n"
        )
        args = ["--config-dir", str(mine), "parliament=mine", *SHORT, "hydra.run.dir=run"]
    else:
        (mine / "citizens").symlink_to(secret.parent, target_is_directory=True)
        args = ["--config-dir", str(mine), "citizens=keys", *SHORT, "hydra.run.dir=run"]
    line = refused(args, tmp_path, monkeypatch, capsys)
    assert "SUPERSECRET123" not in line and "api_key" not in line
    assert "'..'" in line or "a link out of" in line


@pytest.mark.parametrize("name", ["/tmp/private/keys", "parliament/../../x", "parliament\\x"])
def test_hydra_is_asked_for_no_config_outside_its_folders(name: str) -> None:
    """However a name reaches Hydra's repository (a file's defaults not walked by the check, a
    launcher's own composition), it is refused there: a missing one listed the files of any folder."""
    from hydra._internal.config_repository import ConfigRepository
    from hydra._internal.utils import create_config_search_path

    from experiments.config_files import confined
    from experiments.errors import InputError

    repo = ConfigRepository(create_config_search_path("pkg://configs"))
    with confined():
        for ask in (repo.load_config, repo.config_exists, repo.group_exists, repo.get_group_options):
            with pytest.raises(InputError, match="a config is named by its group and name"):
                ask(name)
        assert repo.config_exists("parliament/kz_bicameral_2023")  # a plain name is asked as before
    assert repo.config_exists("parliament/kz_bicameral_2023")


def test_a_label_with_dollar_signs_is_drawn_as_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A swept description ``$}$`` reached the figures' legends, where matplotlib read it as
    mathtext: a parse error ended the finished sweep with a traceback and no report."""
    args = ["-m", "experiment=compare", "experiment.replications=2", "experiment.workers=1", *SHORT]
    args += ["parliament.description=a,'$}$'", "hydra.sweep.dir=sweep"]
    ended = parltwin(args, tmp_path, monkeypatch, capsys)
    assert ended.code == 0, ended.err[-2000:]
    assert (tmp_path / "sweep" / "report.html").is_file()
    assert "$}$" in (tmp_path / "sweep" / "summary.csv").read_text()


def test_a_fitted_presets_comments_stay_on_their_lines() -> None:
    """A records file named ``r\\nvote_noise: 0.99\\n#.csv`` wrote a line of YAML of its own into the
    fitted preset, a value outside its plausible range with no source beside it."""
    import yaml

    from experiments.presets import PresetText

    text = PresetText("kz_bicameral_2023", "mine", ["Records: r\nvote_noise: 0.99\n#.csv: 3 bills"])
    text.set("loyalty_sd", "0.05", "fitted to r\r\ncomplexity_sd: 9\u2028x")
    text.range("loyalty_sd", 0.0, 0.1)
    data = yaml.safe_load(text.text("95% intervals\nhead_of_state: 1"))
    assert data == {
        "defaults": ["kz_bicameral_2023", "_self_"],
        "name": "mine",
        "loyalty_sd": 0.05,
        "ranges": {"loyalty_sd": [0.0, 0.1]},
    }


def test_the_observed_figures_command_reads_configs_as_parltwin_does(tmp_path: Path) -> None:
    """``python -m experiments.observed`` composed its overrides with no check: a '..' choice read any
    YAML file and printed it in a traceback."""
    import subprocess
    import sys

    secret = _secret(tmp_path)
    choice = "../" * 30 + str(secret.with_suffix("")).lstrip("/")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "experiments.observed", f"+parliament@parliament.description={choice}"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert done.returncode == EXIT_BAD_INPUT and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "SUPERSECRET123" not in done.stderr + done.stdout and "'..'" in done.stderr


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (["--replications", "0"], "--replications=0 is not allowed: an integer from 1 to 100,000"),
        (["--replications", "-3"], "--replications=-3 is not allowed: an integer from 1 to 100,000"),
        (["--replications", "100000000"], "--replications=100000000 is not allowed"),
        (["--replications", "x"], "argument --replications: invalid int value: 'x'"),
        (["--replications", "100000"], "cost: 2.66e+11 citizen group-topic-days (100000 runs of 4.34 years"),
    ],
)
def test_the_observed_figures_command_refuses_a_count_of_runs_in_one_line(
    args: list[str],
    match: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``--replications 0`` ended in an IndexError traceback, ``-3`` in a ValueError, and 100000000
    started runs with no limit; each is refused before any run (here, a run fails the test)."""
    from experiments import observed

    def no_runs(*_: object, **__: object) -> None:
        raise AssertionError("the runs started")

    monkeypatch.setattr(observed, "held_to_records", no_runs)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stop:
        observed.main([*args, "--csv", "figures.csv"])
    err = capsys.readouterr().err.strip().splitlines()
    assert stop.value.code == EXIT_BAD_INPUT and len(err) == 1 and match in err[0], err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("depth", [600, 20_000])
def test_a_preset_nested_too_deeply_is_one_line(
    depth: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A list 600 deep passes libyaml's own limit and ended the check that counts a file's nodes in a
    RecursionError traceback; 20,000 deep is libyaml's own one-line error."""
    mine = tmp_path / "mine" / "parliament"
    mine.mkdir(parents=True)
    (mine / "deep.yaml").write_text("x: " + "[" * depth + "]" * depth + "\n")
    args = ["--config-dir", str(tmp_path / "mine"), "parliament=deep", *SHORT, "hydra.run.dir=run"]
    line = refused(args, tmp_path, monkeypatch, capsys)
    assert "nested too deeply" in line or "nesting depth" in line


DEEP_INTERPOLATION = "${a." * 400 + "b" + "}" * 400


@pytest.mark.parametrize(
    "text",
    [
        f"x: '{DEEP_INTERPOLATION}'\n",  # OmegaConf's grammar: a RecursionError traceback
        "x: " + "{a: " * 150 + "1" + "}" * 150 + "\n",  # OmegaConf's nodes: a traceback
        "x:\n" + "".join("  " * i + "a:\n" for i in range(1, 40)) + "  " * 40 + "a: 1\n",
        "x: &d " + "[" * 20 + "]" * 20 + "\ny: " + "[" * 15 + "*d" + "]" * 15 + "\n",  # 35 with its alias
    ],
    ids=["interpolation", "flow", "block", "alias"],
)
def test_a_preset_nested_past_the_limit_is_one_line(
    text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Within Python's recursion limit for YAML but not for OmegaConf (an interpolation 400 deep, a
    mapping 150 deep ended in tracebacks), or hidden by an alias: refused before Hydra reads it."""
    mine = tmp_path / "mine" / "parliament"
    mine.mkdir(parents=True)
    (mine / "deep.yaml").write_text(text)
    args = ["--config-dir", str(tmp_path / "mine"), "parliament=deep", *SHORT, "hydra.run.dir=run"]
    line = refused(args, tmp_path, monkeypatch, capsys)
    assert line.endswith(
        "deep.yaml: nested too deeply: over 32 levels of lists, dicts, calls and "
        "interpolations within one another"
    ), line


@pytest.mark.parametrize(
    "override",
    [f"+x='{DEEP_INTERPOLATION}'", "+x=" + "[" * 400 + "]" * 400, "+x=" + "{a:" * 400 + "1" + "}" * 400],
)
def test_an_override_nested_past_the_limit_is_one_line(
    override: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An interpolation 400 deep ended in a RecursionError in OmegaConf's grammar, a list 400 deep in
    OmegaConf's nodes (Hydra's own grammar read both)."""
    line = refused([override, *SHORT, "hydra.run.dir=run"], tmp_path, monkeypatch, capsys)
    assert "+x: an override nested too deeply: over 32 levels" in line, line


def test_the_nesting_limit_leaves_room_above_what_presets_use() -> None:
    """32 levels pass the count, 33 do not; the shipped presets and their values stay far below."""
    import yaml

    from experiments.config_files import _expanded
    from experiments.errors import MAX_NESTING, nesting

    assert nesting("[" * 32 + "]" * 32) == 32 == MAX_NESTING
    assert nesting("${a.${b}}(x)[y]{z}é") == 2 and nesting("]]]" + "[" * 33) == 33
    for path in sorted((ROOT / "configs").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        values: list[str] = []
        root = yaml.compose(text)
        levels = 0 if root is None else _expanded(root, {}, values)[1]
        assert levels <= 8 and max(map(nesting, [text, *values])) <= 8, path


@pytest.mark.parametrize(
    ("launcher", "change"),
    [("joblib", "calls code"), ("joblib", "another level"), ("submitit_local", "another level")],
)
def test_a_launchers_worker_runs_only_the_config_the_check_approved(
    launcher: str,
    change: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The joblib and submitit launchers compose each job again in their workers: a user's file
    changed after the command's compositions (here as the launcher starts) configured the worker's
    logging, calling code, before the job could refuse it. A worker's composition is checked as the
    command's are, and must be the config the check approved."""
    from hydra.core.plugins import Plugins
    from hydra_plugins.hydra_joblib_launcher import _core
    from hydra_plugins.hydra_submitit_launcher.submitit_launcher import BaseSubmititLauncher

    Plugins.instance()  # Hydra loads its plugins' modules once: the patch below is on the loaded ones
    source, target = tmp_path / "source.txt", tmp_path / "copied.txt"
    source.write_text("x")
    mine = tmp_path / "mine"
    _preset(mine, "hydra/job_logging", "mine", "version: 1\nroot:\n  level: WARNING\n")
    changed = COPY_HANDLER.format(source=source, target=target) if change == "calls code" else "version: 1\n"
    owner, name = (_core, "launch") if launcher == "joblib" else (BaseSubmititLauncher, "launch")
    launch = getattr(owner, name)

    def changed_then_launched(*args: object, **kwargs: object) -> object:
        _preset(mine, "hydra/job_logging", "mine", changed)
        return launch(*args, **kwargs)

    monkeypatch.setattr(owner, name, changed_then_launched)
    args = [
        "-m",
        "--config-dir",
        str(mine),
        "hydra/job_logging=mine",
        "seed=1,2",
        *SHORT,
        "hydra.sweep.dir=sweep",
    ]
    work = tmp_path / "work"  # left as it was (the user's folder is changed)
    work.mkdir()
    line = refused(
        [
            *args,
            f"hydra/launcher={launcher}",
            "hydra.launcher.n_jobs=2" if launcher == "joblib" else "hydra.launcher.timeout_min=5",
        ],
        work,
        monkeypatch,
        capsys,
    )
    says = "no factory" if change == "calls code" else "config files changed after the command was checked"
    assert says in line
    assert not target.exists()


def test_a_launchers_worker_runs_a_job_whose_folder_was_pinned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The check pins a timestamped sweep folder (quoted where it has a ':'); the approved
    fingerprint is taken with the pin set, as the worker composes the job: a digest taken otherwise
    would refuse every such job as changed."""
    args = ["-m", "seed=1,2", *SHORT, "hydra.sweep.dir=sweep/${now:%H:%M:%S}", "hydra/launcher=joblib"]
    ended = parltwin([*args, "hydra.launcher.n_jobs=2"], tmp_path, monkeypatch, capsys)
    assert ended.code == 0, ended.err
    (folder,) = (tmp_path / "sweep").iterdir()
    assert ":" in folder.name and sorted(p.name for p in folder.iterdir() if p.is_dir()) == ["0", "1"]


def test_the_approved_fingerprint_is_the_pinned_configs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fingerprint with the folders pinned is taken from the config as checked, not a copy with
    the overrides applied: the same digest, a plain and a quoted pin alike."""
    import copy

    from experiments.composition import fingerprint, libyaml, with_overrides
    from experiments.config_files import confined

    monkeypatch.chdir(tmp_path)
    for sweep, quoted in (("sweep/${now:%H-%M}", ""), ("sweep/${now:%H:%M}", "'")):
        argv = ["-m", "seed=1,2", *SHORT, f"hydra.sweep.dir={sweep}"]
        with libyaml(), confined():
            checked = preflight.plan(argv)
        (pin,) = checked.pinned
        assert pin.startswith(f"hydra.sweep.dir={quoted}sweep/")
        for job in checked.jobs:
            applied = fingerprint(with_overrides(copy.deepcopy(job.cfg), checked.pinned))
            assert fingerprint(job.cfg, checked.pinned) == applied != fingerprint(job.cfg)


def test_hydra_parses_the_text_of_a_users_file_that_was_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user's file was checked, then read again by Hydra: one swapped in between (an alias bomb)
    was parsed unchecked. Hydra now parses the very text checked."""
    from hydra._internal.config_repository import ConfigRepository
    from hydra._internal.utils import create_config_search_path

    from experiments import config_files

    mine = tmp_path / "mine"
    _preset(mine, "parliament", "mine", "name: checked\n")
    check = config_files._check

    def checked_then_swapped(path: Path, *args: object) -> None:
        check(path, *args)  # type: ignore[arg-type]
        path.write_text(BOMB)

    monkeypatch.setattr(config_files, "_check", checked_then_swapped)
    search = create_config_search_path(None)
    search.append("command-line", f"file://{mine}")
    with config_files.confined():
        result = ConfigRepository(search).load_config("parliament/mine")
    assert result is not None and dict(result.config) == {"name": "checked"}


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (  # the check read years=1 and its cost; the job, with the variable set, ran 1,000 years
            ["experiment=compare", "years=${oc.env:FOO_NUM_THREADS,1}",
             "+hydra.job.env_set.FOO_NUM_THREADS=1000"],
            "years='${oc.env:FOO_NUM_THREADS,1}' is not allowed: no value read from a variable the job sets",
        ),
        (  # a scheduler's address the check never saw: the job connected to it
            ["experiment=compare", "experiment.backend=dask",
             "experiment.scheduler=${oc.env:DASK_NUM_THREADS,null}", "+hydra.job.env_set.DASK_NUM_THREADS=4"],
            "experiment.scheduler='${oc.env:DASK_NUM_THREADS,null}' is not allowed",
        ),
        (
            ["+hydra.job.env_set.DASK_NUM_THREADS=tcp://127.0.0.1:9999"],
            "hydra.job.env_set.DASK_NUM_THREADS='tcp://127.0.0.1:9999' is not allowed: a thread count",
        ),
    ],
)  # fmt: skip
def test_the_check_reads_every_value_as_the_job_will(
    args: list[str],
    said: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Hydra sets ``hydra.job.env_set`` around the job only: a value read from such a variable was
    one thing to the checks before the run and another to the job."""
    monkeypatch.delenv("FOO_NUM_THREADS", raising=False)
    monkeypatch.delenv("DASK_NUM_THREADS", raising=False)
    given = dict(a.split("=", 1) for a in [*SHORT, *args])  # years from the case, where it gives them
    assert said in refused(
        [f"{k}={v}" for k, v in given.items()] + ["hydra.run.dir=run"], tmp_path, monkeypatch, capsys
    )


def test_a_thread_count_the_job_sets_still_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ended = parltwin(
        [*SHORT, "+hydra.job.env_set.OMP_NUM_THREADS=2", "hydra.run.dir=run"], tmp_path, monkeypatch, capsys
    )
    assert ended.code == 0, ended.err


def test_hydras_output_subdir_never_writes_over_a_users_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run folder's hidden entries are let be (a write cut short leaves one); Hydra's
    ``output_subdir`` named one of the user's and wrote its config.yaml over the user's."""
    (tmp_path / "proj" / ".settings").mkdir(parents=True)
    (tmp_path / "proj" / ".settings" / "config.yaml").write_text("user: important\n")
    args = [*SHORT, "hydra.run.dir=proj", "hydra.output_subdir=.settings"]
    assert "hydra.output_subdir='.settings' is not allowed" in refused(args, tmp_path, monkeypatch, capsys)
    again = [*SHORT, "hydra.run.dir=run", "hydra.output_subdir=.hy"]
    for _ in range(2):  # Hydra's own files of an earlier run are written again
        assert parltwin(again, tmp_path, monkeypatch, capsys).code == 0
    assert sorted(p.name for p in (tmp_path / "run" / ".hy").iterdir()) == [
        "config.yaml",
        "hydra.yaml",
        "overrides.yaml",
    ]


def test_a_timestamped_folder_of_any_name_is_the_one_checked_and_removed_on_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder whose name, resolved, held a ':' was not pinned: Hydra made another than the one
    checked, and left it on an error."""
    from experiments import app

    folder = "hydra.run.dir=runs/at:${now:%H%M%S%f}"
    (tmp_path / "runs").mkdir()  # the user's: kept, and what the command made in it removed
    with monkeypatch.context() as m:  # the disk full as the job starts: the folder made is removed
        m.setattr(app, "simulate", lambda conf: (_ for _ in ()).throw(OSError(errno.ENOSPC, "No space left")))
        assert parltwin([*SHORT, folder], tmp_path, monkeypatch, capsys).code == EXIT_IO
    assert not list((tmp_path / "runs").iterdir())
    assert parltwin([*SHORT, folder], tmp_path, monkeypatch, capsys).code == 0
    (made,) = (tmp_path / "runs").iterdir()
    assert made.name.startswith("at:") and (made / "summary.json").is_file()


def test_interpolations_that_name_each_other_over_and_over_are_refused_before_they_resolve(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Thirty lines each naming the one before twice take 2**30 resolutions: the check resolved
    them (hours of CPU) before it refused the unknown keys."""
    chain = "".join(f"l{n}: ${{.l{n - 1}}}${{.l{n - 1}}}\n" for n in range(1, 18))
    _preset(tmp_path / "mine", "experiment", "shared", "# @package _global_\nexperiment:\n  kind: compare\n"
            + "".join("  " + line + "\n" for line in ["l0: abcdefghij", *chain.splitlines()]))  # fmt: skip
    args = ["--config-dir", str(tmp_path / "mine"), "experiment=shared", *SHORT, "hydra.run.dir=run"]
    line = refused(args, tmp_path / "mine", monkeypatch, capsys)
    assert "experiment.l16=" in line and "interpolations that resolve at most 100,000 values" in line


def test_a_config_whose_interpolations_resolve_a_few_times_passes() -> None:
    from scenarios.allowlist import check_instantiable

    check_instantiable(
        {"a": "x", "b": "${a}${a}", "c": {"d": "${..b}${..b}", "e": "${.d}"}, "f": "${oc.env:HOME,${a}}"}
    )


@pytest.mark.parametrize("sweep", [False, True])
def test_a_preset_chosen_beside_a_scenario_that_chooses_another_is_refused(
    sweep: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``+scenario=kz_kurultai_2026 parliament=kz_bicameral_2023`` ran the bicameral Parliament, and
    a comparison so made compared two bicameral runs under the Kurultai's name ("no clear
    difference")."""
    args = (
        ["-m", "experiment=compare", "+scenario=kz_bicameral_2023,kz_kurultai_2026", "hydra.sweep.dir=sweep"]
        if sweep
        else ["+scenario=kz_kurultai_2026", "hydra.run.dir=run"]
    )
    line = refused([*args, "parliament=kz_bicameral_2023", *SHORT], tmp_path, monkeypatch, capsys)
    assert (
        "parliament='kz_bicameral_2023' is not allowed: kz_kurultai_2026, as +scenario=kz_kurultai_2026"
        in line
    )


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ["reform.changes=1"],
            "reform.changes='1' is not allowed: a value inside reform, which is null here",
        ),
        (["reform.changes=" + "[" * 800 + "]" * 800], "an override nested too deeply"),
        (["--cfg", "job", "-m", "years=1,2"], "--multirun and --cfg: one of --run, --multirun"),
        (["--info", "-m"], "--multirun and --info: one of"),
        (["--resolve"], "--resolve goes with --cfg"),
        (["-sc", "query=bash"], "--shell-completion is not offered"),
        (["-sc", "install=bash"], "--shell-completion is not offered"),
        (["-p", "hydra", "--cfg", "job"], "--package hydra: no such part of the config --cfg job shows"),
        (["-m", "hydra/launcher=joblib", "seed=1,2", "hydra.launcher.n_jobs=0"], "hydra.launcher.n_jobs=0"),
        (
            ["-m", "hydra/launcher=joblib", "seed=1,2", "hydra.launcher.prefer=nope"],
            "null, processes or threads",
        ),
        (["-m", "hydra/launcher=joblib", "seed=1,2", "hydra.launcher.batch_size=-1"], "auto or a positive"),
        (
            ["-m", "hydra/launcher=joblib", "seed=1,2", "hydra.launcher.pre_dispatch=foo"],
            "a multiple of n_jobs",
        ),
        (["-m", "hydra/launcher=joblib", "seed=1,2", "hydra.launcher.max_nbytes=lots"], "a size in bytes"),
        (
            ["-m", "hydra/launcher=joblib", "seed=1,2", "hydra.launcher.temp_folder=/tmp"],
            "temp_folder='/tmp'",
        ),
        (
            ["-m", "hydra/launcher=joblib", "seed=1,2", "+hydra.launcher.x=1"],
            "the joblib launcher takes n_jobs",
        ),
        (["hydra.job_logging.version=2"], "hydra.job_logging.version=2 is not allowed: 1"),
        (["hydra.hydra_logging.version=2"], "hydra.hydra_logging.version=2 is not allowed: 1"),
        (["experiment=compare", "experiment.replicatons=2"], "experiment.replicatons is not allowed: one of"),
        (["experiment=compare", "experiment.replicatons=2"], "did you mean replications?"),
        (
            ["parliament=kz_kurultai_2026", "parliament.chambers.mazhilis.seats=100"],
            "parliament.chambers.mazhilis is not allowed: one of kurultai",
        ),
        (["channels.petitions.epetition_kz.threshold=5"], "epetition_kz is not allowed: there is none"),
        (["parliament=kz_kurultai2026"], "did you mean parliament=kz_kurultai_2026? a parliament preset is"),
        (["experiment=comparre"], "did you mean experiment=compare? an experiment preset is the file"),
        (
            ["experiment=robustness", "parliament=kz_kurultai_2026", "experiment.worlds=2"],
            "parliament='kz_kurultai_2026' is not allowed: kz_bicameral_2023, as +scenario=kz_bicameral_2023",
        ),
        (["+scenario=kz_kurultai"], "did you mean +scenario=kz_kurultai_2026?"),
        (["reform.label=x"], "inside reform, which is null here: choose a preset that sets it (+scenario"),
        (["experiment.replications=3"], "choose an experiment preset that has it (experiment=NAME)"),
    ],
)
def test_what_hydra_or_omegaconf_would_refuse_with_a_traceback_is_one_line(
    args: list[str],
    said: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Hydra, OmegaConf or joblib refused these with a traceback; OmegaConf's "Key 'mazhilis' is not
    in struct" said neither what was there nor what was meant; a robustness run's scenarios were each
    run under a preset given beside them; a misspelt scenario's hint dropped its '+' (scenario=...
    fails), and a null setting's asked for what Hydra refuses."""
    where = ["hydra.run.dir=run", "hydra.sweep.dir=sweep"]
    assert said in refused([*args, *SHORT, *where], tmp_path, monkeypatch, capsys)


def test_an_environment_setting_of_unicode_digits_is_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``"²".isdigit()`` is true, and ``int("²")`` failed with a traceback or a line naming no setting."""
    from experiments.explorer import scenario

    monkeypatch.setenv("PARLTWIN_APP_CACHE_MB", "²")
    with pytest.raises(InputError, match="PARLTWIN_APP_CACHE_MB='²'"):
        scenario.cache_limit()
    monkeypatch.setenv(scenario.WORKERS, "²")
    with pytest.raises(ValueError, match="PARLTWIN_APP_WORKERS='²'"):
        scenario.workers()


def test_a_run_refused_for_its_folder_leaves_hydras_files_there_as_they_were(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Another run's folder was refused only after Hydra had written its own config over the first's."""
    args = [*SHORT, "hydra.output_subdir=.hydra", "hydra.run.dir=run"]
    assert parltwin(args, tmp_path, monkeypatch, capsys).code == 0
    assert "its config.yaml is another's" in refused([*args, "seed=7"], tmp_path, monkeypatch, capsys)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["parliament=null"], "parliament=null: a config group takes a preset's name"),
        (["hydra/launcher=null"], "hydra/launcher=null: a config group takes a preset's name"),
        (["parliament=1"], "parliament=1: a config group takes a preset's name"),
        (["-m", "seed=range(0,3,0)"], "seed=range(0,3,0): range() arg 3 must not be zero"),
        (["-m", "years=range(1,2,0.0)"], "years=range(1,2,0.0): range() arg 3 must not be zero"),
        (["-m", "years=range(0.5,nan)"], "years=range(0.5,nan): a range of numbers (not nan)"),
        (["-m", "years=range(0.5,2,nan)"], "years=range(0.5,2,nan): a range of numbers (not nan)"),
        (
            ["-m", "hydra.sweeper.max_batch_size=0", "seed=1,2"],
            "hydra.sweeper.max_batch_size=0 is not allowed",
        ),
    ],
)
def test_what_hydra_would_answer_with_a_traceback_is_one_line(args: list[str], said: str) -> None:
    """A group given null or a number, a range with no step and a sweeper's batch of no jobs were
    tracebacks of Hydra's (exit 1); each is now refused by the check, on one line."""
    with pytest.raises((InputError, ConfigError)) as err:
        preflight.plan([*args, "quiet=true"])
    assert str(err.value).startswith(said) and "\n" not in str(err.value)


def test_parltwin_report_refuses_an_unknown_option_on_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    """argparse printed its usage, then the error: two lines, where every refusal is one."""
    from experiments.cli import report_main

    with pytest.raises(SystemExit) as ended:
        report_main(["--bogus", "run"])
    err = capsys.readouterr().err
    assert ended.value.code == EXIT_BAD_INPUT and err == "parltwin: error: unrecognized arguments: --bogus\n"


def test_a_long_interpolation_that_names_no_node_is_refused_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A reference of 100,000 ``.a`` that is no node's path (``${a.a....a!}``) took the check's
    pattern a time that grew with the square of its length: the command ran for many minutes."""
    text = "${a" + ".a" * 100_000 + "!}"
    preset = f'defaults: [kz_bicameral_2023, _self_]\nname: slow\ndescription: "{text}"\n'
    _preset(tmp_path / "mine", "parliament", "slow", preset)
    args = ["--config-dir", str(tmp_path / "mine"), "parliament=slow", *SHORT, "hydra.run.dir=run"]
    line = refused(args, tmp_path, monkeypatch, capsys)
    assert line == (
        f"parltwin: error: parliament.description={text!r} is not allowed: interpolations with a "
        "reference to a node written out as its path"
    )


#: An integer of more digits than Python reads from text (4,300, ``sys.get_int_max_str_digits``).
LONG = "1" * 5_000
#: How such an integer is refused, wherever it is written.
TOO_LONG = "an integer of more than 4,300 digits is not allowed: at most 4,300 digits"


@pytest.mark.parametrize("given", ["override", "sweep", "preset"])
def test_an_integer_longer_than_python_reads_is_one_line_naming_where_it_is(
    given: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Python refuses to read an integer of over 4,300 digits with a ValueError, which an override or
    a preset holding one ended in as a traceback."""
    _preset(
        tmp_path / "mine",
        "parliament",
        "long",
        f"defaults: [kz_bicameral_2023, _self_]\nvote_noise: {LONG}\n",
    )
    args = {
        "override": [f"seed={LONG}"],
        "sweep": ["-m", f"seed=1,{LONG}"],
        "preset": ["--config-dir", str(tmp_path / "mine"), "parliament=long"],
    }[given]
    line = refused(
        [*args, *SHORT, "hydra.run.dir=run", "hydra.sweep.dir=sweep"], tmp_path, monkeypatch, capsys
    )
    named = str(tmp_path / "mine" / "parliament" / "long.yaml") if given == "preset" else "seed"
    assert line == f"parltwin: error: {named}: {TOO_LONG}"


def test_the_observed_figures_command_refuses_an_integer_longer_than_python_reads_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from experiments import observed

    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stop:
        observed.main([f"seed={LONG}"])
    assert stop.value.code == EXIT_BAD_INPUT
    assert capsys.readouterr().err == f"parltwin: error: seed: {TOO_LONG}\n"
    assert list(tmp_path.iterdir()) == []


def test_a_run_folder_holding_an_integer_too_long_or_a_mapping_too_deep_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A job's manifest or a sweep's multirun.yaml holding an integer of over 4,300 digits was a
    ValueError traceback; a mapping 900 deep in a manifest's config (5 KB) and lists 5,000 deep in
    multirun.yaml were RecursionError tracebacks."""
    from functools import partial

    from experiments import records
    from experiments.cli import report_main

    args = [
        "-m",
        "experiment=compare",
        "+scenario=kz_bicameral_2023,kz_kurultai_2026",
        "experiment.replications=2",
    ]
    assert parltwin([*args, *SHORT, "hydra.sweep.dir=sweep"], tmp_path, monkeypatch, capsys).code == 0
    sweep = tmp_path / "sweep"
    manifest, multirun = sweep / "0" / "scenario.json", sweep / "multirun.yaml"
    kept = {p: p.read_text() for p in (manifest, multirun)}

    def refused_by(command: partial[None]) -> str:
        before = snapshot(tmp_path)
        capsys.readouterr()
        with pytest.raises(SystemExit) as ended:
            command()
        err = capsys.readouterr().err
        assert ended.value.code == EXIT_BAD_INPUT and len(err.strip().splitlines()) == 1, err
        assert snapshot(tmp_path) == before
        return err

    report = partial(report_main, ["-q", str(sweep)])
    to_csv = partial(records.main, [str(sweep / "0"), "-o", str(tmp_path / "out.csv")])
    manifest.write_text(kept[manifest].replace("{", f'{{"long": {LONG}, ', 1))
    for command in (report, to_csv):
        assert f"{manifest}: not a job's manifest ({TOO_LONG})" in refused_by(command)
    data, deep = json.loads(kept[manifest]), {}
    for _ in range(900):
        deep = {"a": deep}
    data["config"]["reform"] = {"label": "deep", "changes": deep}
    manifest.write_text(json.dumps(data))
    assert f"{manifest}: not a job's manifest (nested too deeply" in refused_by(to_csv)
    manifest.write_text(kept[manifest])
    for inside, says in ((LONG, TOO_LONG), ("[" * 5_000 + "]" * 5_000, "nested too deeply")):
        multirun.write_text(kept[multirun].replace("hydra:\n", f"hydra:\n  x: {inside}\n", 1))
        assert f"{multirun}: not a sweep's multirun.yaml ({says})" in refused_by(report)
    multirun.write_text(kept[multirun])
    # A job's metric descriptions were read bare (a RecursionError, a TypeError traceback).
    metrics = sweep / "0" / "metrics.json"
    described = metrics.read_text()
    for inside, says in (("[" * 5_000 + "]" * 5_000, "nested too deeply"), ('{"x": 5}', "'x' is not one")):
        metrics.write_text(inside)
        assert f"{metrics}: not a job's metric descriptions ({says})" in refused_by(report)
    metrics.write_text(described)
    # The comparison's own manifest is read only for when it was first made: a damaged one is
    # rebuilt, made now (its RecursionError was a traceback).
    made = sweep / "manifest.json"
    made.write_text("[" * 5_000 + "]" * 5_000)
    report()
    assert json.loads(made.read_text())["created"] and "rebuilt" not in json.loads(made.read_text())


def test_a_job_folder_damaged_after_its_checks_is_refused_not_a_traceback(tmp_path: Path) -> None:
    """What a sweep reads back from its jobs' folders (their ``config.yaml`` when a launcher ran them
    in other processes, their scenario's name when it resumes) ended in RecursionError tracebacks."""
    from experiments.compare import scenario_config
    from experiments.replicate import scenario_of

    for text in ("x: " + "[" * 3_000 + "]" * 3_000, "x: [", f"x: {LONG}"):
        (tmp_path / "config.yaml").write_text(text)
        with pytest.raises(ConfigError, match=r"a config\.yaml and scenario\.json as the job wrote them"):
            scenario_config(tmp_path, {"fingerprint": "0"})
    (tmp_path / "scenario.json").write_text("[" * 5_000 + "]" * 5_000)
    with pytest.raises(InputError, match="not a job's manifest \\(nested too deeply\\)"):
        scenario_of(tmp_path)
    (tmp_path / "scenario.json").write_text("[]")  # no name to look up: was an AttributeError
    with pytest.raises(InputError, match="not a job's manifest \\(not a JSON object\\)"):
        scenario_of(tmp_path)


def test_a_folder_named_as_a_library_in_the_working_folder_runs_in_no_process_the_command_starts(
    tmp_path: Path,
) -> None:
    """The workers' server starts with ``python -c``, which looks for modules first in the folder it
    starts from: a ``multiprocessing`` folder there ran in it (and a ``hydra_plugins`` one in a
    launcher's jobs, started with ``python -m``)."""
    planted = tmp_path / "multiprocessing"
    planted.mkdir()
    (planted / "__init__.py").write_text("open(__file__ + '.RAN', 'w').close()\nraise ImportError\n")
    args = ["experiment=compare", "experiment.replications=4", "experiment.workers=2", "years=0.3"]
    done = run_cli(*args, "quiet=true", "hydra.run.dir=out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert not (planted / "__init__.py.RAN").exists()
    assert len(list((tmp_path / "out" / "replications").glob("*.json"))) == 4


@pytest.mark.parametrize("name", ["no\nsuch", "red\x1b[31mfolder"])
def test_a_refusal_writes_the_control_characters_of_a_name_as_escapes(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A config folder's name with a line break made the refusal two lines; one with an escape
    sequence drove the terminal."""
    line = refused(["-cd", str(tmp_path / name), *SHORT], tmp_path, monkeypatch, capsys)
    assert "\x1b" not in line and repr(name)[1:-1] in line


@pytest.mark.parametrize("given", [["--port", "abc"], ["--bogus"]])
def test_the_apps_refusal_of_an_argument_is_one_line(
    given: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """argparse printed its usage before the refusal: two lines."""
    import sys

    from experiments.explorer import serve

    monkeypatch.setattr(sys, "argv", ["parltwin-app", *given])
    with pytest.raises(SystemExit) as ended:
        serve.main()
    err = capsys.readouterr().err
    assert ended.value.code == EXIT_BAD_INPUT and len(err.strip().splitlines()) == 1, err
    assert err.startswith("parltwin-app: error: ") and given[0] in err


@pytest.mark.parametrize(
    ("preset", "field"),
    [  # written into a SLURM job's script: #SBATCH --job-name='...', --error=<sweep folder>/...
        ('hydra:\n  job:\n    name: "parltwin\\ntouch RAN #"\n', "hydra.job.name"),
        ('hydra:\n  sweep:\n    dir: "sweep\\ntouch RAN #"\n', "hydra.sweep.dir"),
        ('hydra:\n  run:\n    dir: "run\\rtouch RAN"\n', "hydra.run.dir"),
    ],
)
def test_a_jobs_name_or_folder_on_more_than_one_line_is_refused(
    preset: str,
    field: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``name: ${hydra.job.name}`` and ``${hydra.sweep.dir}/...`` are the submitit launcher's own
    interpolations: the launcher's values were checked for line breaks, what they name was not, and
    a shared preset's job name started a shell line in the job's script."""
    mine = tmp_path / "mine"
    _preset(
        mine, "experiment", "cluster", "# @package _global_\ndefaults:\n  - compare\n  - _self_\n" + preset
    )
    line = refused(["-cd", str(mine), "experiment=cluster", *SHORT], tmp_path, monkeypatch, capsys)
    assert line.startswith(f"parltwin: error: {field}=") and "without control characters" in line


@pytest.mark.parametrize(
    ("given", "allowed"),
    [
        ("+hydra.sweep.mode=777", "none: hydra.sweep takes dir and subdir"),  # submitit chmods the folder
        ("+hydra.sweep.mode=abc", "none: hydra.sweep takes dir and subdir"),  # a traceback
        ("+hydra.run.mode=777", "none: hydra.run takes dir"),
        ("hydra.verbose=5", "true, false, or the names of loggers"),  # Hydra's assertion, after the checks
        ("hydra.job.env_copy=[NOPE_PARLTWIN]", "names of variables set in this environment"),  # a KeyError
        ("hydra.job.env_copy=[PATH]", "only thread counts"),
    ],
)
def test_hydras_settings_of_folders_logging_and_environment_are_checked_first(
    given: str,
    allowed: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    line = refused([given, *SHORT], tmp_path, monkeypatch, capsys)
    assert f"{given.lstrip('+').split('=')[0]}=" in line and allowed in line


def test_a_required_setting_made_null_is_refused_in_one_line_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A preset's null for a number the schema requires gave OmegaConf's words (its reference and
    object types); on the command line, "field ... is not Optional"."""
    text = "defaults: [kz_bicameral_2023, _self_]\nname: mine\nchambers:\n  senate:\n    seats: null\n"
    _preset(tmp_path / "mine", "parliament", "mine", text)
    line = refused(["-cd", "mine", "parliament=mine", *SHORT], tmp_path, monkeypatch, capsys)
    assert line == (
        "parltwin: error: parliament/mine: parliament.chambers.senate.seats=null is not allowed: an integer "
        "(a preset must state it)"
    )
    line = refused(["parliament.chambers.senate.seats=null", *SHORT], tmp_path, monkeypatch, capsys)
    assert line.endswith(
        "parliament.chambers.senate.seats=null is not allowed: a value (this setting is never null)"
    )
