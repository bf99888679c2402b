"""Replications, resume after an interruption, refusals, and the comparison of a sweep's jobs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hydra import compose, initialize_config_dir
from hydra.core.hydra_config import HydraConfig
from omegaconf import open_dict, read_write

from experiments import manifest, replicate
from experiments.compare import run
from experiments.compare_spec import compare_spec
from experiments.labels import scenario_labels
from experiments.progress import interactive
from experiments.replicate import load_records, run_replications
from scenarios import ConfigError, validate
from sim.engine.streams import replication_seeds
from tests.conftest import CONFIGS, ROOT, compose_config, run_cli

#: The short main job: the four scenarios, 2 replications of 18 months (a year of answered demands).
MAIN = ["experiment=reform_comparison", "experiment.replications=2", "years=1.5", "quiet=true"]
#: Two of the main job's scenarios (the faster ones): one job per worker on two cores.
TWO = "+scenario=kz_bicameral_2023,kz_kurultai_2026"


def sweep(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    return run_cli(*MAIN, f"hydra.sweep.dir={tmp}", *args, cwd=tmp.parent)


def main_job(factory: pytest.TempPathFactory) -> Path:
    """The short main job on the basic launcher, run once per test session and shared by modules."""
    out = factory.getbasetemp() / "main-job"
    if not (out / "report.html").exists():
        res = sweep(out)
        assert res.returncode == 0, res.stderr
    return out


@pytest.fixture(scope="module")
def serial(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return main_job(tmp_path_factory)


def run_in_process(out: Path, *overrides: str) -> dict:
    """The ``compare`` runner as one ``parltwin`` job would call it, without a new process."""
    with initialize_config_dir(version_base="1.3", config_dir=str(CONFIGS)):
        cfg = compose("config", overrides=list(overrides), return_hydra_config=True)
    HydraConfig.instance().set_config(cfg)
    with read_write(cfg), open_dict(cfg):
        del cfg["hydra"]
    return run(cfg, validate(cfg), out)


def summary(run: Path) -> pd.DataFrame:
    return pd.read_csv(run / "summary.csv")


def same_results(serial: Path, run: Path) -> None:
    """``run``'s tables hold exactly the serial run's rows for the scenarios it ran."""
    for name in ("summary.csv", "comparison.csv"):
        got = pd.read_csv(run / name)
        want = pd.read_csv(serial / name)
        want = want[want.scenario.isin(["kz_bicameral_2023", "kz_kurultai_2026"])]
        if "metric" in want:  # metrics only the third scenario has (its channels) are not compared
            want = want[want.metric.isin(got.metric)]
        want = want.reset_index(drop=True)
        assert len(got) > 0
        # Holm's adjustment is over the comparisons of the run: fewer scenarios, another family
        got, want = (t.drop(columns=["p_holm", "holm_tests"], errors="ignore") for t in (got, want))
        pd.testing.assert_frame_equal(got.dropna(axis=1, how="all"), want.dropna(axis=1, how="all"))
    assert {p.name for p in (run / "figures").iterdir()} == {p.name for p in (serial / "figures").iterdir()}


def interrupted(args: list[str], after: int, cwd: Path) -> subprocess.CompletedProcess:
    """``parltwin *args`` stopped by Ctrl-C while writing the record of replication number ``after``
    (counting from 0 over the whole command): that replication's ledger is on disk, its record not."""
    code = f"""
import sys
import experiments.replicate as r
write, calls = r.write_text, [0]
def write_then_stop(path, text):
    if calls[0] == {after}:
        raise KeyboardInterrupt
    calls[0] += 1
    return write(path, text)
r.write_text = write_then_stop
from experiments.cli import main
sys.argv = ["parltwin", *{args!r}]
main()
"""
    env = {**os.environ, "CI": "true"}
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True)


def test_main_job_compares_the_scenarios_with_common_random_numbers(serial: Path) -> None:
    s = summary(serial)
    assert list(dict.fromkeys(s.scenario)) == [
        "kz_bicameral_2023",
        "kz_bicameral_2023 + kz_digital",
        "kz_kurultai_2026",
        "kz_kurultai_2026 + kz_digital",
    ]
    seeds = replication_seeds(0, 2)
    for _, g in s.groupby("scenario"):
        assert list(g.replication) == [0, 1] and list(g.seed) == seeds
    comp = pd.read_csv(serial / "comparison.csv")
    assert set(comp.baseline) == {"kz_bicameral_2023"}
    laws = comp[(comp.metric == "laws_per_year") & (comp.scenario == "kz_kurultai_2026")].iloc[0]
    diffs = s.pivot(index="seed", columns="scenario", values="laws_per_year")
    diff = diffs["kz_kurultai_2026"] - diffs["kz_bicameral_2023"]
    assert laws["diff"] == pytest.approx(diff.mean(), rel=1e-9) and laws["pairs"] == 2
    manifest = json.loads((serial / "manifest.json").read_text())
    assert manifest["seeds"] == seeds and manifest["baseline"] == "kz_bicameral_2023"
    assert manifest["versions"]["numpy"] and "parltwin" in manifest["command"]
    assert manifest["versions"]["numpy_kernels"] == "C library's exp and log"  # on every machine
    parliaments = [sc["config"]["parliament"]["name"] for sc in manifest["scenarios"]]
    assert parliaments == ["kz_bicameral_2023", "kz_bicameral_2023", "kz_kurultai_2026", "kz_kurultai_2026"]
    tables = [{p.name[6:] for p in (serial / "0" / "ledger").glob(f"r{i:04d}_*.parquet")} for i in (0, 1)]
    assert tables[0] == tables[1] >= {"bills.parquet", "stages.parquet", "votes.parquet"}
    bills = pd.read_parquet(serial / "0" / "ledger" / "r0001_bills.parquet")
    row = s[(s.scenario == "kz_bicameral_2023") & (s.replication == 1)].iloc[0]
    assert (bills.state == "enacted").sum() == pytest.approx(row.laws_per_year * 1.5)


def test_resume_after_interruption_neither_loses_nor_duplicates_rows(serial: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    args = [*MAIN, TWO, f"hydra.sweep.dir={run}"]
    res = interrupted(args, after=3, cwd=tmp_path)  # job 0 done, job 1 stopped in its second replication
    assert res.returncode != 0
    assert [r["replication"] for r in load_records(run / "0")] == [0, 1]
    assert [r["replication"] for r in load_records(run / "1")] == [0]
    assert (run / "1" / "ledger" / "r0001_bills.parquet").exists()  # written before the stop
    for name in ("report.html", "summary.csv", "comparison.csv", "manifest.json"):
        assert not (run / name).exists()
    mtime = (run / "0" / "replications" / "r0001.json").stat().st_mtime_ns
    killed = run / "1" / "replications" / ".tmp-r0001.json.x1y2"  # what a killed write leaves behind
    killed.write_text("{")
    res = sweep(run, TWO)
    assert res.returncode == 0, res.stderr
    assert (run / "0" / "replications" / "r0001.json").stat().st_mtime_ns == mtime  # skipped, not rerun
    same_results(serial, run)
    assert not killed.exists()
    assert (run / "report.html").exists()


def test_an_interrupted_rerun_removes_the_previous_report_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    run_dir = tmp_path / "single"
    args = ["experiment=compare", "years=0.5", "quiet=true"]
    run_in_process(run_dir, *args, "experiment.replications=1")
    assert (run_dir / "report.html").exists() and len(summary(run_dir)) == 1
    write = replicate.write_text

    def stop_at_second_record(path: Path, text: str) -> Path:
        if path.name == "r0002.json":
            raise KeyboardInterrupt
        return write(path, text)

    monkeypatch.setattr(replicate, "write_text", stop_at_second_record)
    with pytest.raises(KeyboardInterrupt):
        run_in_process(run_dir, *args, "experiment.replications=3")
    assert not (run_dir / "report.html").exists() and not (run_dir / "summary.csv").exists()
    assert [r["replication"] for r in load_records(run_dir)] == [0, 1]
    monkeypatch.setattr(replicate, "write_text", write)
    capsys.readouterr()
    result = run_in_process(run_dir, *args, "experiment.replications=3")
    assert result["ran"] == 1
    s = summary(run_dir)
    assert list(s.replication) == [0, 1, 2] and list(s.seed) == replication_seeds(0, 3)
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last == f"report: {(run_dir / 'report.html').resolve()}"


def test_replications_in_worker_processes_give_the_same_records(tmp_path: Path) -> None:
    conf = validate(compose_config(["years=0.5"]))
    seeds = replication_seeds(7, 3)
    for name, workers in (("serial", 1), ("parallel", 2)):
        assert run_replications(conf, seeds, tmp_path / name, "fp", workers=workers, ledger=False) == 3
    assert load_records(tmp_path / "serial") == load_records(tmp_path / "parallel")
    assert run_replications(conf, seeds, tmp_path / "serial", "fp") == 0  # all finished already


def test_a_folder_of_another_scenario_is_refused(tmp_path: Path) -> None:
    conf = validate(compose_config(["years=0.5"]))
    run_replications(conf, replication_seeds(0, 1), tmp_path, "fp-a", ledger=False)
    before = (tmp_path / "replications" / "r0000.json").read_text()
    with pytest.raises(ConfigError, match="run folder"):
        run_replications(conf, replication_seeds(0, 2), tmp_path, "fp-b", ledger=False)
    with pytest.raises(ConfigError, match="run folder"):
        run_replications(conf, replication_seeds(1, 2), tmp_path, "fp-a", ledger=False)
    assert (tmp_path / "replications" / "r0000.json").read_text() == before
    assert len(load_records(tmp_path)) == 1


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ("experiment.replications=0", "experiment.replications"),
        ("+experiment.hook._target_=os.system", "experiment.hook._target_"),
    ],
)
def test_bad_experiment_parameters_end_in_one_line_and_write_nothing(
    tmp_path: Path, override: str, field: str
) -> None:
    run = tmp_path / "run"
    res = sweep(run, override)
    assert res.returncode == 2
    assert res.stderr.strip().splitlines() == [res.stderr.strip()]
    assert res.stderr.startswith("parltwin: error: ") and field in res.stderr
    assert not run.exists()


def test_experiment_parameters_are_checked_by_name() -> None:
    spec = compare_spec({"kind": "compare", "replications": 5, "metrics": ["laws_per_year"]})
    assert (spec.replications, spec.workers, spec.metrics) == (5, 0, ("laws_per_year",))
    bad_values = (
        {"replications": True},
        {"replication": 3},
        {"workers": "two"},
        {"baseline": 3},
        {"metrics": "laws"},
        {"ledger": "yes"},
    )
    for bad in bad_values:
        with pytest.raises(ConfigError, match=next(iter(bad))):
            compare_spec({"kind": "compare", **bad})


def test_scenario_labels_name_what_sets_jobs_apart() -> None:
    def job(name: str, *overrides: str) -> dict:
        return {"name": name, "overrides": ["experiment=compare", *overrides]}

    assert scenario_labels([job("a", "parliament=a"), job("b", "parliament=b")]) == ["a", "b"]
    labels = scenario_labels(
        [job("a", "+scenario=a", "years=1"), job("a", "+scenario=a", "years=2"), job("b", "years=1")]
    )
    assert labels == ["a, years=1", "a, years=2", "b, years=1"]


def test_a_preset_that_inherits_its_name_is_named_by_its_file_too() -> None:
    """``mine.yaml`` built on the bicameral preset without a ``name`` of its own was reported as
    ``kz_bicameral_2023 #1`` beside the real one: its file's name now leads."""
    from experiments.labels import scenario_name

    assert scenario_name("kz_bicameral_2023", {"parliament": "mine"}) == "mine (kz_bicameral_2023)"
    assert (
        scenario_name("kz_bicameral_2023", {"parliament": "mine", "channels": "kz_digital"})
        == "mine (kz_bicameral_2023) + kz_digital"
    )
    assert scenario_name("kz_kurultai_2026", {"parliament": "kz_kurultai_2026"}) == "kz_kurultai_2026"
    assert scenario_name("x", {"parliament": None, "channels": "none"}) == "x"  # a scenario file's own


def test_a_sweep_over_scenario_files_labels_each_by_its_file() -> None:
    """Files of one parliament share its name; what each changed is in the file, not an override."""
    swept = {"my_uni": "my_uni", "my_uni_pet": "my_uni + my_petitions", "my_uni_undeclared": "my_uni"}
    manifests = [
        {"name": name, "job": i, "overrides": ["experiment=compare", f"+scenario={file}", "years=2"]}
        for i, (file, name) in enumerate(swept.items())
    ]
    labels = scenario_labels(manifests)
    assert len(set(labels)) == len(labels) and not any("#" in x for x in labels)
    for label, (file, name) in zip(labels, swept.items(), strict=True):
        assert label.startswith(file) and name in label
    assert labels[0] == "my_uni"  # the file's name says it already
    shipped = {
        "kz_bicameral_2023": "kz_bicameral_2023",
        "kz_kurultai_2026_digital": "kz_kurultai_2026 + kz_digital",
    }
    main = [
        {"name": name, "job": i, "overrides": [f"+scenario={file}"]}
        for i, (file, name) in enumerate(shipped.items())
    ]
    assert scenario_labels(main) == [m["name"] for m in main]  # the main job's labels stay its names


def test_one_run_without_an_experiment_writes_its_summary_and_what_made_it(tmp_path: Path) -> None:
    """A single run's folder held summary.json alone: nothing said which parliament, channels, seed
    or horizon made its numbers."""
    folder = f"hydra.run.dir={tmp_path / 'one'}"
    res = run_cli("years=0.5", "quiet=true", "channels=epetition_kz", "seed=4", folder, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert sorted(p.name for p in (tmp_path / "one").iterdir()) == ["config.yaml", "summary.json"]
    made = yaml.safe_load((tmp_path / "one" / "config.yaml").read_text())
    assert (
        made["parliament"]["name"] == "kz_bicameral_2023" and "epetition_kz" in made["channels"]["petitions"]
    )
    assert (made["seed"], made["years"]) == (4, 0.5) and "hydra" not in made
    again = run_cli(
        "years=0.5", "channels=epetition_kz", "seed=4", f"hydra.run.dir={tmp_path / 'one'}", cwd=tmp_path
    )
    assert again.returncode == 0, again.stderr  # the same run again: its own files, shown this time
    assert again.stdout.startswith("kz_bicameral_2023 + epetition_kz, seed 4, 0.5 years")
    other = run_cli("years=0.5", "quiet=true", "seed=5", f"hydra.run.dir={tmp_path / 'one'}", cwd=tmp_path)
    assert other.returncode == 2 and "its config.yaml is another's" in other.stderr


def test_progress_bars_stay_quiet_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.setenv("CI", "true")
    assert not interactive()
    monkeypatch.setenv("CI", "")
    assert interactive()


def test_the_main_job_is_what_make_run_runs() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "$(BIN)/parltwin experiment=reform_comparison $(ARGS)" in makefile


def test_the_revision_is_asked_of_git_once_a_process_and_each_manifest_gets_its_own_copy(monkeypatch) -> None:
    """Every job of a sweep records the revision: git runs for the first only (the code a process
    runs is the code it loaded), and no manifest shares its dict with another."""
    calls: list[tuple[str, ...]] = []

    def git(*args: str) -> str | None:
        calls.append(args)
        return "abc123" if args[0] == "rev-parse" else " M agents/deputies.py"

    monkeypatch.setattr(manifest, "_git", git)
    manifest._git_revision.cache_clear()
    try:
        first, second = manifest.git_revision(), manifest.git_revision()
        assert first == second == {"revision": "abc123", "dirty": True}
        assert len(calls) == 2 and first is not second
        first["dirty"] = False
        assert manifest.git_revision()["dirty"] is True
    finally:
        manifest._git_revision.cache_clear()


def test_a_scenarios_fingerprint_is_its_model_not_its_description() -> None:
    """A reform's label or reason does not change the numbers: editing it keeps the runs (a resume
    was refused as another scenario); a number does change them."""
    from experiments.compare import fingerprint_of
    from experiments.manifest import resolved

    data = resolved(compose_config(["+scenario=kz_kurultai_2026"]))
    assert "reform" in data
    relabelled = {**data, "reform": {"label": "another label"}, "lang": "kk", "quiet": True}
    assert fingerprint_of(relabelled) == fingerprint_of(data)
    other = {**data, "years": data["years"] + 1}
    assert fingerprint_of(other) != fingerprint_of(data)


def test_the_models_digest_follows_its_code_and_skips_an_editors_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An editor's lock file (a dangling link named ``.#x.py``) made every replication fail."""
    import experiments.manifest as manifest

    (tmp_path / "agents").mkdir()
    (tmp_path / "agents" / "a.py").write_text("x = 1\n")
    monkeypatch.setattr(manifest, "ROOT", tmp_path)
    monkeypatch.setattr(manifest, "MODEL_PACKAGES", ("agents",))
    digest = manifest.model_code.__wrapped__
    before = digest()
    (tmp_path / "agents" / ".#a.py").symlink_to(tmp_path / "nowhere")
    assert digest() == before
    (tmp_path / "agents" / "a.py").write_text("x = 2\n")
    assert digest() != before


@pytest.mark.parametrize("kind", ["single", "compare"])
def test_a_run_without_channels_is_named_and_compared(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``~channels`` switches the group off (no node at all): naming a scenario by its channels'
    own name read ``conf.channels.name`` and ended such a run, single or compared, in a traceback."""
    from tests.parltwin_cli import parltwin

    args = ["~citizens", "~channels", "years=0.5", "hydra.run.dir=run"]
    if kind == "compare":
        args += ["experiment=compare", "experiment.replications=2", "quiet=true"]
    ended = parltwin(args, tmp_path, monkeypatch, capsys)
    assert ended.code == 0, ended.err
    if kind == "single":
        assert "kz_bicameral_2023" in ended.out and "+" not in ended.out.splitlines()[0]
        assert (tmp_path / "run" / "summary.json").is_file()
    else:
        summary = pd.read_csv(tmp_path / "run" / "summary.csv")
        assert set(summary["scenario"]) == {"kz_bicameral_2023"} and len(summary) == 2
