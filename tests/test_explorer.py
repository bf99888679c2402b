"""The scenario explorer: its logic through Streamlit's headless AppTest, its export through the
``parltwin`` command, and its real page in headless Chromium."""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import psutil
import pytest
import yaml

from experiments import report
from experiments.compare import fingerprint
from experiments.errors import InputError
from experiments.explorer import scenario
from experiments.explorer.export import command, file_name, scenario_yaml
from experiments.explorer.scenario import Scenario, config, levers, run
from experiments.explorer.serve import CHROMIUM, HOST, argv, free_port, serving
from experiments.pool import PoolSpec
from tests.conftest import PARLTWIN, ROOT, compose_config, is_worker, run_cli

PAGE = ROOT / "experiments" / "explorer" / "page.py"
#: Short runs: a year and a half (a year of answered demands), two replications.
SHORT = {"years": 1.5, "replications": 2}
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHARE = re.compile(r"answered by a bill or a law within a year\*\* — (.*)$")


@pytest.fixture(autouse=True)
def main_module(monkeypatch: pytest.MonkeyPatch) -> None:
    """AppTest runs the page as ``__main__`` and leaves it there; a process pool started later in the
    same test process would import the page in every worker. Put the real one back afterwards."""
    import sys

    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PARLTWIN_APP_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def offered(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The page's downloads, by file name: what each button would give the planner."""
    import streamlit

    got: dict[str, str] = {}
    real = streamlit.download_button

    def recorded(label: str, data: str, file_name: str, mime: str, **kwargs: Any) -> Any:
        got[file_name] = data
        return real(label, data, file_name, mime, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", recorded)
    return got


def _app(**state: object):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PAGE), default_timeout=600)
    for k, v in {**SHORT, **state}.items():
        at.session_state[k] = v
    return at


def _shares(at) -> str:
    found = [SHARE.search(m.value) for m in at.markdown]
    return next(m.group(1) for m in found if m)


def test_the_app_compares_with_the_clis_statistics_and_reacts_to_the_channels(cache: Path) -> None:
    at = _app()
    at.run()
    assert not at.exception
    before = _shares(at)
    assert "kz_bicameral_2023" in before and "kz_kurultai_2026" in before
    # the headline's values with their intervals, as every other number on the page
    assert len(re.findall(r"kz_\w+: [\d.,]+ % \[[\d.,]+ to [\d.,]+\]", before)) == 2, before
    folders = sorted(p for p in cache.iterdir() if p.is_dir())
    assert len(folders) == 2  # one folder per scenario, named by fingerprint and seeds
    at.selectbox(key="scen_channels").set_value("kz_digital").run()
    assert not at.exception
    after = _shares(at)
    assert "kz_kurultai_2026 + kz_digital" in after and after != before
    assert len([p for p in cache.iterdir() if p.is_dir()]) == 3  # the baseline came from the cache
    assert any("robustness.csv" in m.value for m in at.markdown)
    assert any("not yet computed" in i.value for i in at.info)  # the robustness tab, before any exists
    channels = next(t.value for t in at.table if "channel" in t.value.columns)  # the channels tab
    assert "median days to law (days)" in channels.columns  # each measure with its unit
    # no e-petition reaches its threshold with the presets' numbers: said, not left to be inferred
    assert any("No petition of" in w.value and "cannot act here" in w.value for w in at.warning)
    digital = channels[channels["channel"].str.contains("epetition")]
    assert (
        digital["submitted (items)"].str.contains(r"^[\d.,]+ \[[\d.,]+ to [\d.,]+\]$").all()
    )  # with its interval


def test_a_year_simulated_says_why_the_share_answered_within_a_year_is_not_shown(cache: Path) -> None:
    at = _app(years=1.0)
    at.run()
    assert not at.exception and not any(SHARE.search(m.value) for m in at.markdown)
    assert any("needs more than a year simulated" in i.value for i in at.info)
    at.number_input(key="years").set_value(1.5).run()
    assert _shares(at) and not any("needs more than a year" in i.value for i in at.info)
    # two replications cannot tell anything apart: the page says that few runs may hide a difference
    said = [i.value for i in at.info if "No key number differs clearly" in i.value]
    assert said and "with 2 replications of 1.5 years" in said[0] and "30 replications of 5 years" in said[0]
    # a whole number's preset is shown as one ("preset: 8.00" read as a share), and the levers whose
    # mechanisms may be idle say so
    helps = {s.label: s.help for s in at.slider}
    assert helps["Committee capacity (bills at once)"].endswith("; preset: 8"), helps
    assert any("may change nothing" in c.value for c in at.caption)


def test_the_app_speaks_kazakh(cache: Path) -> None:
    at = _app(lang="kk")
    at.run()
    assert not at.exception
    assert at.title[0].value != "parltwin: scenario explorer"
    assert re.search("[әғқңөұүһі]", at.title[0].value + " ".join(t.label for t in at.tabs))
    # the page says it is in Kazakh (Streamlit's says en), so that a screen reader reads it as such
    (said,) = [h.proto.body for h in at.sidebar.get("html")]
    assert said == '<script>document.documentElement.lang = "kk";</script>'
    alts = [i.proto.imgs[0].alt for i in at.tabs[0].get("image")]
    assert alts and all(re.search("[әғқңөұүһі]", a) for a in alts)


def _robustness_manifest(folder: Path, years: float, baseline: str) -> None:
    """A robustness run's manifest, as far as the page and the command read it."""
    (folder / "manifest.json").write_text(
        json.dumps({"kind": "robustness", "years": years, "baseline": baseline})
    )


def test_robustness_is_shown_when_the_file_is_there(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from experiments.explorer.page import named as from_named

    monkeypatch.chdir(tmp_path)  # no run folders here: the page asks for one
    at = _app()
    at.run()
    assert at.selectbox(key="robustness_pick").options == ["another folder…"]
    folder = tmp_path / "robust"
    folder.mkdir()
    _robustness_manifest(folder, SHORT["years"], "kz_bicameral_2023")  # the page's question
    (folder / "robustness.csv").write_text("finding,share_of_futures\nfewer days to law,0.93\n")
    at.text_input(key="robustness_dir").set_value(str(folder)).run()
    assert not at.exception
    tables = [t for t in at.dataframe if "fewer days to law" in str(t.value.to_numpy())]
    assert tables and not any("not yet computed" in i.value for i in at.info)
    assert any("is not a table that" in w.value and "finding_share" in w.value for w in at.warning)
    at.text_input(key="robustness_dir").set_value(str(tmp_path / "nowhere")).run()
    assert any("There is no folder" in w.value for w in at.warning)
    assert not any("not yet computed" in i.value for i in at.info)
    at.text_input(key="robustness_dir").set_value(str(folder)).run()

    head = "metric,scenario,baseline,share_better,share_worse,share_unclear,share_higher,share_lower,"
    head += "finding,finding_share,holds,deciding_assumptions\n"
    (folder / "robustness.csv").write_text(
        head + "laws_per_year,kz_kurultai_2026,kz_bicameral_2023,0.1,0.6,0.3,0.1,0.6,worse,0.6,False,\n"
        "passage_rate,kz_kurultai_2026,kz_bicameral_2023,,,0.7,0.05,0.25,unclear,0.7,False,\n"
    )
    at.run()
    table = next(t.value for t in at.dataframe if "verdict" in t.value.columns)
    assert table.iloc[0]["measure"].startswith("Laws enacted per year")  # by its name, not its id
    assert from_named("kz_kurultai_2026_digital") == "kz_kurultai_2026 + kz_digital"  # as the page names it
    assert from_named("mine") == "mine"
    assert list(table.columns[2:5]) == ["better / higher (%)", "indistinguishable (%)", "worse / lower (%)"]
    assert not table.isna().any().any()  # a measure without a better side fills the same columns
    assert table.iloc[1]["worse / lower (%)"] == "25.0"
    assert not at.warning  # the page's own scenarios
    # the page's own finding on each key number, read against the run as the report reads it
    (folder / "robustness.csv").write_text(
        head.replace("deciding_assumptions", "deciding_assumptions,worlds")
        + "laws_per_year,kz_kurultai_2026,kz_bicameral_2023,0.1,0.6,0.3,0.1,0.6,worse,0.6,False,,16\n"
        "passage_rate,kz_kurultai_2026,kz_bicameral_2023,,,0.7,0.05,0.25,unclear,0.7,False,,16\n"
    )
    at.run()
    own = next(t.value for t in at.dataframe if "this page's finding" in t.value.columns)
    key = next(t.value for t in at.table if "Difference from the baseline" in t.value.columns)
    page = dict(zip(key.index, key["Difference from the baseline"], strict=True))
    for _, r in own.iterrows():
        said = next(v for k, v in page.items() if k.startswith(r["measure"]))
        assert said.endswith(r["this page's finding"]), (said, r["this page's finding"])
        shares = {"Laws": {"worse": "60.0", "indistinguishable": "30.0", "better": "10.0"}}.get(
            r["measure"].split()[0], {"indistinguishable": "70.0", "higher": "5.0", "lower": "25.0"}
        )  # the rows above: each finding read in its own column
        assert f"{shares[r["this page's finding"]]}% of 16 worlds" in r["what the robustness run says of it"]
    assert len(own) >= 1
    from experiments.explorer.address import lever_key

    work = lever_key("scen", "work_time", Scenario("kz_kurultai_2026", "none"))
    at.slider(key=work).set_value(1.2).run()
    assert any("not the levers moved on this page" in w.value for w in at.warning)
    assert not [t for t in at.dataframe if "this page's finding" in t.value.columns]
    at.slider(key=work).set_value(1.0).run()
    for other in ("mine,theirs", "kz_kurultai_2026_digital,kz_bicameral_2023"):  # the baseline alone:
        (folder / "robustness.csv").write_text(  # another run's verdicts, said so
            head + f"laws_per_year,{other},0.1,0.6,0.3,0.1,0.6,worse,0.6,False,\n"
        )
        at.run()
        assert any("compared other scenarios" in w.value for w in at.warning), other
    at.selectbox(key="scen_channels").set_value("kz_digital").run()  # the run's scenario, by presets
    assert not any("compared other scenarios" in w.value for w in at.warning)

    # a run folder's files are read as text, never followed through a link nor read as Markdown
    (folder / "robustness.csv").write_text(
        head + "laws_per_year,![x](http://127.0.0.1:9/a.png),b,0.1,0.6,0.3,0.1,0.6,worse,0.6,False,\n"
    )
    at.run()
    assert not at.exception and not [m for m in at.markdown if "](http" in m.value]
    assert any("`![x](http://127.0.0.1:9/a.png)`" in w.value for w in at.warning)  # the name, in code
    (folder / "robustness.csv").write_text(  # ... on one line: a line break ended the code span
        head + 'laws_per_year,"a\n\n![x](http://127.0.0.1:9/f.png)",b,0.1,0.6,0.3,0.1,0.6,worse,0.6,False,\n'
    )
    at.run()
    assert not at.exception and not [w for w in at.warning if "\n" in w.value]
    assert any("`a\\n\\n![x](http://127.0.0.1:9/f.png)`" in w.value for w in at.warning)
    (folder / "robustness.csv").write_text(  # a share that is not a number: said, and the page goes on
        head.replace("deciding_assumptions", "deciding_assumptions,worlds,holds_at")
        + "laws_per_year,kz_kurultai_2026_digital,kz_bicameral_2023,"
        + "0.1,0.6,0.3,0.1,0.6,worse,0.6,False,,16,abc\n"
    )
    at.run()
    assert not at.exception
    assert any("robustness.csv` could not be read: " in w.value and "abc" in w.value for w in at.warning)
    secret = tmp_path / "secret.txt"
    secret.write_text("metric,scenario\nthe secret,x\n")
    (folder / "robustness.csv").unlink()
    (folder / "robustness.csv").symlink_to(secret)
    at.run()
    assert not any("the secret" in str(t.value.to_numpy()) for t in at.dataframe)
    assert any("a symbolic link" in w.value for w in at.warning)
    (folder / "robustness.csv").unlink()

    (folder / "robustness.csv").write_text("")  # a file that is not one: said, and the page goes on
    at.run()
    assert not at.exception
    assert any("robustness.csv` could not be read: " in w.value for w in at.warning)  # in a code span
    assert any("parltwin" in c.value for c in at.code)  # the export tab, drawn after it


def test_a_lever_changes_the_config_and_the_exported_yaml_runs_with_the_cli(
    cache: Path, tmp_path: Path
) -> None:
    s = Scenario(
        "kz_kurultai_2026", "kz_digital", {"readings": 2, "committee_capacity": 4}, years=0.5, replications=1
    )
    cfg = config(s)
    stages = cfg.parliament.stages
    assert stages.kurultai.readings == 2 and stages.kurultai.on_pass == "transmission"
    assert {c.capacity for c in cfg.parliament.committees.values()} == {4}
    assert dict(levers(s))["readings"] == 3  # the preset's value, for the slider's start
    folder, manifest = run(s)
    mine = tmp_path / "my_configs" / "scenario"
    mine.mkdir(parents=True)
    (mine / f"{file_name(s)}.yaml").write_text(scenario_yaml(s))
    cmd = command(s, str(tmp_path / "my_configs")).split()
    assert cmd[0] == "parltwin"
    res = run_cli(*cmd[1:], "quiet=true", f"hydra.run.dir={tmp_path / 'cli'}", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    cli = json.loads((tmp_path / "cli" / "scenario.json").read_text())
    assert cli["fingerprint"] == manifest["fingerprint"] == fingerprint(cfg)
    assert cli["seeds"] == manifest["seeds"]
    ours = json.loads((folder / "replications" / "r0000.json").read_text())
    theirs = json.loads((tmp_path / "cli" / "replications" / "r0000.json").read_text())
    assert ours["summary"] == theirs["summary"]  # the same numbers from the app and the command
    assert yaml.safe_load(scenario_yaml(s))["parliament"]["stages"]["kurultai"]["readings"] == 2


@pytest.mark.parametrize(("years", "seed"), [(3.0, 0), (1.5, 7)])
def test_a_scenarios_config_is_the_one_the_command_composes_whatever_the_seed(
    years: float, seed: int
) -> None:
    from dataclasses import replace

    from omegaconf import OmegaConf
    from omegaconf.errors import ReadonlyConfigError

    from experiments.manifest import resolved
    from scenarios import Config

    s = Scenario("kz_kurultai_2026", "kz_digital", years=years, seed=seed)
    first = config(s)
    config(replace(s, seed=seed + 1))  # another seed in between: a copy of the same kept config
    mine = config(s)
    theirs = OmegaConf.merge(OmegaConf.structured(Config), resolved(compose_config(s.overrides())))
    assert resolved(mine) == resolved(theirs) and fingerprint(mine) == fingerprint(theirs)
    assert mine is first and mine.seed == seed
    assert config(replace(s, seed=seed + 1)).seed == seed + 1
    with pytest.raises(ReadonlyConfigError):
        mine.seed = seed + 1  # shared between reruns: nobody may change it


def _files(folder: Path) -> dict[str, bytes]:
    """What a scenario's run wrote, but its manifest (which says when it was made)."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "scenario.json"
    }


def test_many_replications_run_on_the_workers_and_write_what_one_process_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    specs: list[PoolSpec] = []
    real = scenario.run_tasks

    def spied(todo: list, spec: PoolSpec, **kw: object) -> list:
        specs.append(spec)
        return real(todo, spec, **kw)

    monkeypatch.setattr(scenario, "run_tasks", spied)
    s = Scenario("kz_kurultai_2026", "kz_digital", years=0.25, replications=scenario.POOL_FROM)
    n = s.replications
    written = {}
    for w in ("1", "2"):
        monkeypatch.setenv(scenario.WORKERS, w)
        steps: list[tuple[int, int]] = []
        folder, _ = run(s, tmp_path / w, step=lambda k, total, seen=steps: seen.append((k, total)))
        assert steps == [(k, n) for k in range(1, n + 1)]  # the page's bar, in order
        written[w] = _files(folder)
    assert [sp.processes for sp in specs] == [1, 2]
    assert len(written["2"]) > n and written["1"] == written["2"]
    # Found in the cache: nothing to run, one process asked for, the bar full at once.
    steps = []
    run(s, tmp_path / "2", step=lambda k, total: steps.append((k, total)))
    assert specs[-1].processes == 1 and steps == [(n, n)]


def test_a_comparisons_scenarios_run_in_one_pool_and_write_what_each_writes_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pools: list[tuple[int, int]] = []  # tasks and processes of each call
    real = scenario.run_tasks

    def spied(todo: list, spec: PoolSpec, **kw: object) -> list:
        pools.append((len(todo), spec.processes))
        return real(todo, spec, **kw)

    monkeypatch.setattr(scenario, "run_tasks", spied)
    monkeypatch.setenv(scenario.WORKERS, "2")
    n = scenario.POOL_FROM // 2  # too few for a pool alone, enough together
    pair = [Scenario(p, years=0.25, replications=n) for p in ("kz_bicameral_2023", "kz_kurultai_2026")]
    steps: list[tuple[int, int, int]] = []
    together = scenario.run_together(pair, tmp_path / "one", step=lambda *a: steps.append(a))
    alone = [run(s, tmp_path / "apart") for s in pair]
    assert pools == [(2 * n, 2), (n, 1), (n, 1)]
    assert steps == [(i, k, n) for i in (0, 1) for k in range(1, n + 1)]  # the page's bar, in order
    for (mine, manifest), (theirs, _) in zip(together, alone, strict=True):
        assert mine.name == theirs.name and manifest["replications"] == n
        assert len(_files(mine)) > n and _files(mine) == _files(theirs)
    # The same scenario on both sides: one folder, run once; the second side's bar is full at once.
    pools.clear()
    steps.clear()
    same = Scenario("kz_kurultai_2026", years=0.25, replications=n, seed=3)
    (first, _), (second, _) = scenario.run_together(
        [same, same], tmp_path / "same", step=lambda *a: steps.append(a)
    )
    assert first == second and pools == [(n, 1)]
    assert steps == [(1, n, n), *((0, k, n) for k in range(1, n + 1))]


@pytest.mark.parametrize("channels", ["none", "kz_digital", "epetition_kz", "analytics"])
def test_a_replication_leaves_the_typed_config_the_reruns_share_as_it_found_it(channels: str) -> None:
    import copy

    from experiments.replicate import Task, replicate

    s = Scenario("kz_kurultai_2026", channels, years=1.0)
    conf, fp = scenario.checked(s)
    before = copy.deepcopy(conf)
    replicate(Task(conf, 5))
    assert conf == before and scenario.checked(s) == (conf, fp)
    before.parliament.stages[next(iter(before.parliament.stages))].fail_prob += 0.01
    assert conf != before  # the comparison reaches into the procedure


def test_a_worker_that_imports_the_page_does_not_run_it() -> None:
    """A replacement worker of a pool imports its parent's main script as ``__mp_main__``: under
    Streamlit, the page. Run outside Streamlit, the page would fail at once (no session state)."""
    import runpy

    names = runpy.run_path(str(PAGE), run_name="__mp_main__")
    assert callable(names["main"])


@pytest.mark.parametrize(
    ("args", "env", "field"),
    [(["--workers", "0"], {}, "--workers"), ([], {"PARLTWIN_APP_WORKERS": "two"}, "PARLTWIN_APP_WORKERS")],
)
def test_the_app_refuses_a_bad_number_of_workers_before_it_serves(
    args: list[str], env: dict[str, str], field: str
) -> None:
    res = subprocess.run(
        [str(PARLTWIN.with_name("parltwin-app")), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 2
    assert res.stderr.count("\n") == 1 and field in res.stderr and "1 or more" in res.stderr


def test_the_app_refuses_a_port_it_cannot_listen_on_before_it_serves() -> None:
    app = str(PARLTWIN.with_name("parltwin-app"))
    with socket.socket() as taken:
        taken.bind((HOST, 0))
        taken.listen()
        busy = str(taken.getsockname()[1])
        for port, said in (("70000", "allowed: 1 to 65535"), ("0", "allowed: 1 to 65535"), (busy, "in use")):
            res = subprocess.run([app, "--port", port], capture_output=True, text=True, timeout=120)
            assert res.returncode == 2 and res.stderr.count("\n") == 1, res.stderr
            assert res.stderr.startswith(f"parltwin-app: error: --port {port}: {said}")


def test_a_port_whose_last_server_just_stopped_is_free_and_one_listened_on_is_not() -> None:
    """A server stopped and started again on its port was refused for about a minute: its closed
    connections wait (TIME_WAIT) on the port, which a bind without SO_REUSEADDR counts."""
    from experiments.explorer.serve import port_free

    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((HOST, 0))
        server.listen()
        port = server.getsockname()[1]
        assert not port_free(port)
        with socket.create_connection((HOST, port)) as client:
            conn, _ = server.accept()
            conn.close()  # the server's side closes first: its end waits in TIME_WAIT
            client.recv(1)
    assert port_free(port)


def test_the_server_listens_on_loopback_only() -> None:
    args = argv(8599)
    assert args[args.index("--server.address") + 1] == HOST == "127.0.0.1"
    assert args[args.index("--browser.gatherUsageStats") + 1] == "false"


def _handshake(port: int, host: str, origin: str) -> str:
    """The status line the server answers a browser's WebSocket handshake with."""
    with socket.create_connection((HOST, port), timeout=30) as s:
        s.sendall(
            (
                f"GET /_stcore/stream HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
                "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                f"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: streamlit\r\nOrigin: {origin}\r\n\r\n"
            ).encode()
        )
        return s.recv(4096).decode(errors="replace").split("\r\n")[0]


def test_only_the_explorers_own_pages_connect_to_it_whatever_a_config_file_says(tmp_path: Path) -> None:
    """The page is served on 127.0.0.1, but a web page elsewhere whose name is made to point there
    (DNS rebinding) connected under its own name, and a ``.streamlit/config.toml`` in the folder the
    app started from could turn off the cross-origin and cross-site checks: any page could then
    drive the explorer. Its own names connect; other names and other origins do not."""
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "config.toml").write_text(
        "[server]\nenableCORS = false\nenableXsrfProtection = false\n"
    )
    port = free_port()
    env = {**os.environ, "PARLTWIN_APP_CACHE": str(tmp_path / "cache")}
    app = [str(PARLTWIN.with_name("parltwin-app")), "--port", str(port), "--workers", "1"]
    with serving(app, port, env, tmp_path):
        own = _handshake(port, f"{HOST}:{port}", f"http://{HOST}:{port}")
        named = _handshake(port, f"localhost:{port}", f"http://localhost:{port}")
        rebound = _handshake(port, f"rebind.example:{port}", f"http://rebind.example:{port}")
        foreign = _handshake(port, f"{HOST}:{port}", "http://elsewhere.example")
    assert " 101 " in own and " 101 " in named, (own, named)
    assert " 101 " not in rebound and " 101 " not in foreign, (rebound, foreign)


@pytest.fixture
def served(server: tuple[str, subprocess.Popen]) -> str:
    return server[0]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """``parltwin-app`` on a free port of 127.0.0.1 (its address and process), stopped at the end."""
    port = free_port()
    env = {**os.environ, "PARLTWIN_APP_CACHE": str(tmp_path / "cache")}
    app = [str(PARLTWIN.with_name("parltwin-app")), "--port", str(port), "--workers", "2"]
    with serving(app, port, env, tmp_path) as proc:
        yield f"http://{HOST}:{port}", proc


#: A caption's colour, its opacity (the element's and its ancestors') and the first background
#: behind it, as the browser computes them.
DRAWN = r"""(where) => {
  const el = document.querySelector(`[data-testid='${where}'] [data-testid='stCaptionContainer']`);
  let opacity = 1, back = null;
  for (let n = el; n; n = n.parentElement) {
    const style = getComputedStyle(n);
    opacity *= parseFloat(style.opacity);
    if (!back && !/rgba\(.*, 0\)$/.test(style.backgroundColor)) back = style.backgroundColor;
  }
  return [getComputedStyle(el).color, opacity, back];
}"""


def drawn_contrast(page, where: str) -> float:
    """The contrast of the first caption in the page's part ``where`` against what is behind it."""
    colour, opacity, back = page.evaluate(DRAWN, where)
    front, behind = ([float(x) for x in re.findall(r"[\d.]+", c)] for c in (colour, back))
    alpha = opacity * (front[3] if len(front) > 3 else 1.0)
    return contrast(_over(front[:3], behind[:3], alpha), behind[:3])


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (.ci/run installs it)")
def test_in_chromium_switching_the_channels_to_kz_digital_changes_the_plotted_share(served: str) -> None:
    from playwright.sync_api import sync_playwright

    def share(page) -> str:
        line = page.get_by_text(re.compile(r"answered by a bill or a law within a year — ")).first
        line.wait_for(timeout=300_000)
        return line.inner_text()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            # A short run (18 months), with enough replications that each scenario's run on two
            # workers, as Streamlit serves the page: as ``__main__``, which the workers must not run.
            page.goto(f"{served}/?years=1.5&replications={scenario.POOL_FROM}")
            before = share(page)
            captions = {w: drawn_contrast(page, w) for w in ("stMain", "stSidebar")}
            spin = page.get_by_role("spinbutton", name="Replications", exact=True)
            assert spin.input_value() == str(scenario.POOL_FROM)
            # The horizon as the link gave it (the box's default format said "1.50", 1.0000001 "1.00").
            assert page.get_by_role("spinbutton", name="Years simulated", exact=True).input_value() == "1.5"
            img_before = page.locator("[data-testid='stImage'] img").first.get_attribute("src")
            page.locator("[data-testid='stSelectbox']").filter(has_text="Digital channels").nth(1).click()
            page.get_by_role("option", name=re.compile("^kz_digital")).click()
            changed = re.compile(
                r"answered by a bill or a law within a year — .*kz_kurultai_2026 \+ kz_digital: "
            )
            page.get_by_text(changed).first.wait_for(timeout=300_000)  # the rerun has drawn the new result
            after = share(page)
            img_after = page.locator("[data-testid='stImage'] img").first.get_attribute("src")
            # The browser's Back and Forward: the page follows its address, with the runs already made.
            picker = page.locator("[data-testid='stSelectbox']").filter(has_text="Digital channels").nth(1)
            page.go_back()
            page.get_by_text(
                re.compile(r"answered by a bill or a law within a year — .*kz_kurultai_2026: ")
            ).first.wait_for(timeout=60_000)
            back, back_url, back_pick = share(page), page.url, picker.locator("input").input_value()
            page.go_forward()
            page.get_by_text(changed).first.wait_for(timeout=60_000)
            forward, forward_pick = share(page), picker.locator("input").input_value()
            # Two changes of language: the browser sends the picker's choice by its label, which
            # the first change translated; the second fell back to the first option (analytics).
            for code, name in (("kk", "Қазақша"), ("ru", "Русский")):
                page.locator("[data-testid='stSelectbox']").filter(has_text="Language").click()
                page.get_by_role("option", name=name).click()
                page.wait_for_url(re.compile(f"lang={code}"), timeout=60_000)
                page.get_by_text(re.compile(r"kz_kurultai_2026 \+ kz_digital: ")).first.wait_for(
                    timeout=60_000
                )
            spoken = page.url
            spoken_lang = page.evaluate("document.documentElement.lang")
        finally:
            browser.close()
    assert "scen_channels=kz_digital" in spoken and "lang=ru" in spoken and "analytics" not in spoken
    assert spoken_lang == "ru"  # the page says which language it is in
    assert back == before and "scen_channels" not in back_url
    assert back_pick.startswith("none: ") and forward_pick.startswith("kz_digital: ")
    assert forward == after
    assert "kz_kurultai_2026 + kz_digital" in after and "kz_digital" not in before
    number = re.compile(r"kz_kurultai_2026(?: \+ kz_digital)?: ([\d.,]+) %")
    assert number.search(before).group(1) != number.search(after).group(1)
    assert img_before != img_after  # the plotted figure itself changed
    assert min(captions.values()) >= 4.5, captions  # the captions as drawn: WCAG 2 AA


def _workers(server: subprocess.Popen) -> list[psutil.Process]:
    """The server's pool workers."""
    return [p for p in psutil.Process(server.pid).children(recursive=True) if is_worker(p, server.pid)]


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (.ci/run installs it)")
def test_a_planner_who_leaves_mid_run_leaves_no_worker_running(server: tuple[str, subprocess.Popen]) -> None:
    from playwright.sync_api import sync_playwright

    url, proc = server

    def wait_for(ok: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + 120
        while not ok():
            assert time.monotonic() < deadline, what
            time.sleep(0.2)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        try:
            page = browser.new_page()
            page.goto(f"{url}/?years=5&replications=200")  # about a minute of replications here
            page.get_by_role("button", name="Run them").click(timeout=120_000)  # a link's: asked first
            wait_for(lambda: len(_workers(proc)) == 2, "the page's two workers")
            running = _workers(proc)
        finally:
            browser.close()
    wait_for(lambda: not any(map(_alive, running)), "the workers to end once the page closed")


def _alive(process: psutil.Process) -> bool:
    with contextlib.suppress(psutil.Error):
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    return False


#: The explorer's comparison drawn in this process, then (where two processes are allowed) with the
#: workers' server started as the page starts it: the figures' sources and bytes.
_ASIDE = """
import contextlib, sys
import experiments  # noqa: F401  (numpy's kernels, as the page sets them)
from experiments.explorer import page
from experiments.explorer.scenario import Scenario, draw_aside, run
from experiments import pool

folders = tuple(str(run(Scenario(p, years=1.0, replications=2))[0])
                for p in ("kz_bicameral_2023", "kz_kurultai_2026"))
used = []
real = page.side_processes

@contextlib.contextmanager
def counted(*args):
    with real(*args) as sides:
        used.append(len(sides))
        yield sides

page.side_processes = counted
here = page.results(folders, "en", ())["figures"]
aside = draw_aside()
page.results.clear()
there = page.results(folders, "en", ())["figures"]
print(aside, used, len(here), here == there, pool._served is None)
"""


@pytest.mark.parametrize("workers", ["1", "2"])
def test_the_explorers_figures_are_drawn_aside_only_where_several_processes_are_allowed(
    workers: str, tmp_path: Path
) -> None:
    env = {**os.environ, "PARLTWIN_APP_CACHE": str(tmp_path), "PARLTWIN_APP_WORKERS": workers}
    res = subprocess.run([sys.executable, "-c", _ASIDE], capture_output=True, text=True, env=env)
    assert res.returncode == 0, res.stderr
    # printed: whether the server runs with the figures' module, side processes per comparison, the
    # number of figures, whether they are the same bytes both times, whether no server was started
    aside, *used, n, same, no_server = res.stdout.split()
    assert int(n) >= 3 and same == "True"
    if workers == "1":  # no process of the page's own: the planner's limit holds
        assert (aside, used, no_server) == ("False", ["[0,", "0]"], "True")
    else:  # drawn by two processes forked from the workers' server
        assert (aside, used, no_server) == ("True", ["[0,", "2]"], "False")


def test_the_page_draws_its_figures_itself_where_no_server_can_start(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from experiments.explorer import scenario

    def refused(*args: object, **kwargs: object) -> bool:
        raise PermissionError("no processes here")

    monkeypatch.setattr(scenario, "start_ahead", refused)
    assert scenario.draw_aside() is False
    at = _app()
    at.run()
    assert not at.exception and _shares(at)


def test_what_the_app_prepares_ahead_is_what_the_pages_first_run_asks_for(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(scenario.WORKERS, "1")  # no workers' server: its own tests are above
    cached = (scenario._composed, scenario._merged, scenario._config, scenario._checked)
    for f in cached:
        f.cache_clear()
    scenario.prepare()
    made = [f.cache_info().misses for f in cached]
    assert made == [2, 2, 2, 2]  # two presets composed, merged, seeded and checked
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PAGE), default_timeout=600)  # the page as a planner first sees it
    at.run()
    assert not at.exception and _shares(at)
    assert [f.cache_info().misses for f in cached] == made  # nothing composed again
    assert at.session_state["years"] == scenario.BASELINE.years
    assert at.session_state["replications"] == scenario.BASELINE.replications


_SERVE = """
import sys, threading
from streamlit.web import cli
from experiments.explorer import scenario, serve

ran, prepare = [], scenario.prepare

def recorded():
    ran.append(threading.current_thread().name)
    prepare()

def streamlit_main():  # Streamlit would serve from here; the preparation runs beside it
    for t in threading.enumerate():
        if t.name == "parltwin-prepare":
            t.join(timeout=120)
    loaded = set(sys.modules)
    exec(compile(serve.page_imports(), "page", "exec"), {})  # what the page's first run would import
    print(ran, scenario._merged.cache_info().currsize, sorted(set(sys.modules) - loaded))
    return 0

scenario.prepare = recorded

cli.main = streamlit_main
sys.argv = ["parltwin-app", "--workers", "1"]
serve.main()
"""


def test_the_app_prepares_the_first_answer_beside_streamlit(tmp_path: Path) -> None:
    env = {**os.environ, "PARLTWIN_APP_CACHE": str(tmp_path)}
    res = subprocess.run([sys.executable, "-c", _SERVE], capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stderr
    # printed: the threads that prepared, the configs prepared, what the page's imports still load
    assert res.stdout.split() == ["['parltwin-prepare']", "2", "[]"]
    assert res.stderr.startswith("parltwin explorer: http://127.0.0.1:8501") and res.stderr.count("\n") == 1


def test_an_app_that_cannot_prepare_ahead_still_serves(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from streamlit.web import cli

    from experiments.explorer import serve

    def fails() -> None:
        raise OSError("no room for the configs")

    def streamlit_main() -> int:
        for t in threading.enumerate():
            if t.name == "parltwin-prepare":
                t.join(timeout=120)
        return 0

    monkeypatch.setattr(cli, "main", streamlit_main)
    monkeypatch.setattr(scenario, "prepare", fails)
    monkeypatch.setattr(sys, "argv", ["parltwin-app", "--workers", "1"])
    with pytest.raises(SystemExit) as exited:
        serve.main()
    err = capsys.readouterr().err
    assert exited.value.code == 0
    assert "nothing prepared ahead (OSError: no room for the configs)\n" in err and err.count("\n") == 2


def test_an_app_that_ends_before_it_listens_is_reported(tmp_path: Path) -> None:
    port = free_port()
    ends = [sys.executable, "-c", "raise SystemExit(3)"]
    said = re.escape(f"{ends[0]}: not listening on 127.0.0.1:{port} (exit code 3)")
    with pytest.raises(RuntimeError, match=f"^{said}$"), serving(ends, port, os.environ, tmp_path):
        pytest.fail("the block ran without a server")


def test_what_sessions_share_is_made_once_however_many_ask_at_once() -> None:
    from experiments.explorer.shared import shared

    made: list[str] = []
    inside = threading.Barrier(2, timeout=10)  # broken unless two makings are in flight together

    @shared(maxsize=8)
    def make(key: str) -> list[str]:
        made.append(key)
        if key != "same":
            inside.wait()  # "a" and "b": each waits for the other, inside
        else:
            time.sleep(0.2)  # a slow making that the other callers must wait for, not repeat
        return [key]

    def ask(keys: list[str]) -> list[list[str]]:
        got: list[list[str]] = [[] for _ in keys]

        def one(i: int, key: str) -> None:
            got[i] = make(key)

        threads = [threading.Thread(target=one, args=(i, k)) for i, k in enumerate(keys)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=20)
        return got

    same = ask(["same"] * 4)
    assert made == ["same"] and all(g is same[0] for g in same)  # made once, one result for all
    assert ask(["a", "b"]) == [["a"], ["b"]]  # different arguments do not wait for each other
    assert sorted(made) == ["a", "b", "same"] and make.cache_info().misses == 3
    assert not make._making  # nothing held once nobody asks


def test_two_sessions_asking_for_a_new_scenario_together_compose_it_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    composed: list[list[str]] = []
    real = scenario.compose

    def slow(name: str, overrides: list[str]):  # a composition long enough for the other to ask
        composed.append(overrides)
        time.sleep(0.3)
        return real(name, overrides=overrides)

    monkeypatch.setattr(scenario, "compose", lambda name, overrides: slow(name, overrides))
    s = Scenario("kz_kurultai_2026", "kz_digital", years=0.5, seed=11)
    scenario._composed.cache_clear()
    got: list[object] = [None, None]
    sessions = [threading.Thread(target=lambda i=i: got.__setitem__(i, scenario.checked(s))) for i in (0, 1)]
    for t in sessions:
        t.start()
    for t in sessions:
        t.join(timeout=60)
    assert composed == [s.presets()]  # composed once for both sessions
    assert got[0] is got[1] and got[0] is not None  # and both share the one typed config


def _differences(at) -> tuple[dict[str, str], Any]:
    """The key numbers' last column (the scenario's difference from the baseline) by measure, and
    the table."""
    table = next(t.value for t in at.table if str(t.value.columns[0]).startswith("kz_"))  # by scenario
    return dict(zip(table.index, table.iloc[:, 2], strict=True)), table


def _number(text: str) -> float:
    return float(text.split()[0].replace(",", "").replace("\u2212", "-"))


def test_an_assumption_moved_on_the_scenario_holds_for_the_baseline_too() -> None:
    """The assumptions' levers (bills tabled, vote noise, ...) moved the scenario alone: the
    comparison then held the reform and another world against the baseline's world."""
    from dataclasses import replace

    from experiments.explorer.scenario import same_world, spans

    scen = replace(
        scenario.PROPOSAL, levers={"arrival_rate": 1.2, "committee_capacity": 4, "vote_noise": 0.3}
    )
    base, left = same_world(scenario.BASELINE, scen)
    assert base.levers == {"arrival_rate": 1.2} and left == []  # vote noise at its preset: not moved
    assert (base.parliament, base.channels) == (scenario.BASELINE.parliament, scenario.BASELINE.channels)
    high = spans(scenario.BASELINE)["vote_noise"][1]
    _, left = same_world(scenario.BASELINE, replace(scen, levers={"vote_noise": high + 0.1}))
    assert left == ["vote_noise"]


def test_the_key_numbers_give_the_paired_difference_scenario_minus_baseline(cache: Path) -> None:
    # the bicameral Parliament with channels: its laws' distance from opinion differs clearly
    at = _app(replications=10, scen_parliament="kz_bicameral_2023", scen_channels="kz_digital")
    at.run()
    assert not at.exception
    diffs, table = _differences(at)
    words = {"better", "worse", "higher", "lower", "indistinguishable", report.ADJUSTED}
    assert len(diffs) == 8 and all(d.rsplit(" — ", 1)[-1] in words for d in diffs.values())
    for measure, d in diffs.items():  # the mean of paired differences is the difference of the means
        base, scen = (_number(table.loc[measure].iloc[i]) for i in (0, 1))
        assert abs(_number(d) - (scen - base)) <= 0.01 * max(abs(base), abs(scen)) + 1e-3, measure
    assert any(d.endswith(("better", "worse")) for d in diffs.values()), diffs
    captions = " ".join(c.value for c in at.caption)
    assert "Holm-adjusted" in captions
    # the verdicts hold for the assumed numbers: where to read whether they hold over their ranges
    assert "for the numbers the presets assume" in captions and "“Robustness of each finding”" in captions

    at.selectbox(key="scen_channels").set_value("none").run()  # the baseline itself
    same, _ = _differences(at)
    assert all(d.endswith("indistinguishable") and _number(d) == 0 for d in same.values())

    at.selectbox(key="lang").set_value("ru").run()
    ru, _ = _differences(at)
    assert all(d.endswith("неразличимо") for d in ru.values())
    assert "«Устойчивость каждого вывода»" in " ".join(c.value for c in at.caption)


def test_the_comparison_and_every_replications_numbers_can_be_downloaded(
    cache: Path, offered: dict[str, str]
) -> None:
    import io

    import pandas as pd

    at = _app(replications=3)
    at.run()
    assert not at.exception
    comparison = pd.read_csv(io.StringIO(offered["comparison.csv"]))
    summary = pd.read_csv(io.StringIO(offered["summary.csv"]))
    labels = ["kz_bicameral_2023", "kz_kurultai_2026"]
    assert sorted(set(comparison["scenario"])) == labels and {"diff", "p_holm"} <= set(comparison.columns)
    # every replication of both scenarios, with the same seeds on both sides (common random numbers)
    assert len(summary) == 6 and sorted(set(summary["scenario"])) == labels
    seeds = summary.groupby("scenario")["seed"].apply(sorted)
    assert seeds[labels[0]] == seeds[labels[1]]
    # the file's differences are the ones the page shows
    diffs, _ = _differences(at)
    shown = [_number(d) for d in diffs.values()]
    rows = comparison[comparison["scenario"] == labels[1]].set_index("metric")
    wanted = rows.loc[list(scenario.HEADLINE), "diff"].tolist()
    from experiments.catalog import load

    described = load(p for p in cache.iterdir() if p.is_dir())
    scale = [100.0 if described.share(m) else 1.0 for m in scenario.HEADLINE]  # shares: in points
    for a, b, k in zip(shown, wanted, scale, strict=True):
        assert abs(a - b * k) <= 0.01 * abs(b * k) + 1e-3


def test_the_page_lists_what_the_scenario_changes_part_by_part(cache: Path) -> None:
    def parts(at) -> dict[str, str]:
        tables = [t.value for t in at.table if "settings that differ" in t.value.columns]
        return {} if not tables else {r.iloc[0]: f"{r.iloc[1]}: {r.iloc[2]}" for _, r in tables[0].iterrows()}

    at = _app()
    at.run()
    assert not at.exception
    found = parts(at)  # the Kurultai against the bicameral Parliament, no channels on either side
    assert {"parliament.chambers", "parliament.stages", "parliament.name"} <= set(found)
    assert not any(p.startswith(("channels", "citizens", "years", "seed")) for p in found)
    assert "parliament.ranges" not in found  # the presets' plausible ranges are no setting of a run

    at.selectbox(key="scen_parliament").set_value("kz_bicameral_2023").run()  # the baseline's presets
    assert parts(at) == {} and any("settings are the baseline's" in i.value for i in at.info)

    at.slider(key="scen_lever_committee_capacity_kz_bicameral_2023_none").set_value(4).run()
    found = parts(at)  # one lever moved: the committees' capacity, and nothing else
    assert list(found) == ["parliament.committees"] and found["parliament.committees"].endswith("here 4")


def test_the_robustness_runs_under_outputs_are_offered_newest_first(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    folders = [
        tmp_path / "outputs" / "2026-11-20" / "10-00-00",
        tmp_path / "multirun" / "2026-11-21" / "09-00-00",
    ]
    for i, folder in enumerate(folders):
        folder.mkdir(parents=True)
        (folder / "robustness.csv").write_text(f"finding,share_of_futures\nfinding of run {i},0.9\n")
        os.utime(folder / "robustness.csv", (1_000_000 + i, 1_000_000 + i))  # the second is newer
    (tmp_path / "outputs" / "2026-11-22" / "08-00-00").mkdir(parents=True)  # a run without one
    manifest = {"scenarios": ["kz_bicameral_2023", "kz_kurultai_2026"]}
    (folders[1] / "manifest.json").write_text(json.dumps(manifest))  # named by its scenarios
    at = _app()
    at.run()
    assert not at.exception
    pick = at.selectbox(key="robustness_pick")
    assert pick.options == [  # as the planner reads them: newest first, named by their scenarios
        "multirun/2026-11-21/09-00-00 — kz_bicameral_2023, kz_kurultai_2026",
        "outputs/2026-11-20/10-00-00",  # no manifest to read: the folder alone
        "another folder…",
    ]
    assert any("finding of run 1" in str(t.value.to_numpy()) for t in at.dataframe)  # the newest, shown
    pick.set_value("outputs/2026-11-20/10-00-00").run()
    assert any("finding of run 0" in str(t.value.to_numpy()) for t in at.dataframe)


def test_the_address_gives_the_page_back(cache: Path) -> None:
    from streamlit.testing.v1 import AppTest

    def opened(params: dict[str, str]):
        at = AppTest.from_file(str(PAGE), default_timeout=600)
        at.query_params.update(params)
        at.run()
        assert not at.exception
        return at

    shared = {
        "years": "1.5",
        "replications": "2",
        "scen_parliament": "kz_bicameral_2023",
        "scen_channels": "kz_digital",
        "committee_capacity": "4",
        "lang": "ru",
    }
    at = opened(shared)
    assert at.selectbox(key="scen_parliament").value == "kz_bicameral_2023"
    assert at.selectbox(key="scen_channels").value == "kz_digital"
    assert at.slider(key="scen_lever_committee_capacity_kz_bicameral_2023_kz_digital").value == 4
    assert at.session_state["lang"] == "ru" and at.session_state["years"] == 1.5
    assert at.query_params == shared  # the page writes back the same address: a link to share

    at.selectbox(key="scen_channels").set_value("none").run()  # new presets: the levers moved stay
    assert at.slider(key="scen_lever_committee_capacity_kz_bicameral_2023_none").value == 4
    assert at.query_params == {k: v for k, v in shared.items() if k != "scen_channels"}
    at.slider(key="scen_lever_committee_capacity_kz_bicameral_2023_none").set_value(preset := 8).run()
    assert preset == dict(levers(scenario.Scenario("kz_bicameral_2023", "none")))["committee_capacity"]
    at.selectbox(key="scen_channels").set_value("analytics").run()  # back at its preset: not carried
    assert "committee_capacity" not in at.query_params

    at = opened({"scen_parliament": "nope", "committee_capacity": "abc", "years": "1.5", "replications": "2"})
    assert at.selectbox(key="scen_parliament").value == scenario.PROPOSAL.parliament  # what is not valid
    preset = dict(levers(scenario.PROPOSAL))["committee_capacity"]  # is left for the defaults
    assert at.slider(key="scen_lever_committee_capacity_kz_kurultai_2026_none").value == preset
    assert at.query_params == {"years": "1.5", "replications": "2"}


def test_back_and_forward_in_the_browser_give_the_settings_their_address_names(cache: Path) -> None:
    """The browser's Back and Forward change the address and rerun the page with the widgets as
    they were: the page takes the address's settings. A planner's own change is kept even when the
    address it arrives with is behind (the browser had not yet caught up with the page)."""
    from streamlit.testing.v1 import AppTest

    def went(at, address: dict[str, str]):  # what the browser sends: its address, no widget changed
        at.query_params.clear()
        at.query_params.update(address)
        at.run()
        assert not at.exception
        return at

    at = went(AppTest.from_file(str(PAGE), default_timeout=600), {"years": "1.5", "replications": "2"})
    first = dict(at.query_params)
    lever = "scen_lever_committee_capacity_kz_kurultai_2026_none"
    preset = at.slider(key=lever).value
    at.slider(key=lever).set_value(preset // 2).run()
    moved = dict(at.query_params)
    at.selectbox(key="lang").set_value("kk").run()
    in_kazakh = dict(at.query_params)
    assert moved == {**first, "committee_capacity": str(preset // 2)} and in_kazakh == {**moved, "lang": "kk"}

    went(at, moved)  # Back
    assert at.session_state["lang"] == "en" and at.slider(key=lever).value == preset // 2
    went(at, first)  # Back again
    assert at.slider(key=lever).value == preset and dict(at.query_params) == first
    went(at, in_kazakh)  # Forward, twice
    assert at.session_state["lang"] == "kk" and at.slider(key=lever).value == preset // 2
    assert dict(at.query_params) == in_kazakh

    at.query_params.clear()  # an address behind the page, with a change made on it: the change wins
    at.query_params.update(first)
    at.selectbox(key="scen_channels").set_value("kz_digital").run()
    assert at.selectbox(key="scen_channels").value == "kz_digital" and at.session_state["lang"] == "kk"
    # the lever moved before the channels changed stays moved with the new presets
    assert dict(at.query_params) == {
        **first, "lang": "kk", "scen_channels": "kz_digital", "committee_capacity": str(preset // 2)
    }  # fmt: skip


def _exported(base: Scenario, scen: Scenario, tmp_path: Path) -> tuple[Any, list[str]]:
    """The page's comparison of ``base`` and ``scen``, and the command that reruns it from the two
    scenario files the Export tab writes (into ``tmp_path/my_configs``)."""
    from experiments.explorer.export import comparison_command

    page = scenario.compare(scenario.run_together([base, scen])).comparison
    mine = tmp_path / "my_configs" / "scenario"
    mine.mkdir(parents=True)
    (mine / f"{file_name(base)}.yaml").write_text(scenario_yaml(base))
    (mine / f"{file_name(scen)}.yaml").write_text(scenario_yaml(scen, against=base))
    return page, comparison_command(base, scen, str(tmp_path / "my_configs")).split()


def test_the_exported_comparison_command_gives_the_pages_numbers(cache: Path, tmp_path: Path) -> None:
    import pandas as pd

    base = Scenario("kz_bicameral_2023", "none", years=0.5, replications=2)
    scen = Scenario("kz_kurultai_2026", "none", {"committee_capacity": 4}, years=0.5, replications=2)
    page, cmd = _exported(base, scen, tmp_path)
    assert cmd[:2] == ["parltwin", "-m"]
    res = run_cli(*cmd[1:], "quiet=true", f"hydra.sweep.dir={tmp_path / 'sweep'}", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "sweep" / "report.html").is_file()  # the command's report of the comparison
    # Every difference is declared by what made it (hundreds were "not declared", burying the lever)
    changes = json.loads((tmp_path / "sweep" / "manifest.json").read_text())["changes"]
    (declared,) = changes.values()
    assert set(declared) == {"parliament"}, declared  # settings per declared change; none "not declared"
    cli = pd.read_csv(tmp_path / "sweep" / "comparison.csv")

    def numbers(table: pd.DataFrame) -> pd.DataFrame:  # the scenario's rows against the baseline
        rows = table[table["scenario"] != table["baseline"]].set_index("metric")
        return rows[["n", "mean", "diff", "diff_ci_low", "diff_ci_high", "p_value"]].sort_index()

    pd.testing.assert_frame_equal(numbers(cli), numbers(page))  # the same numbers, seed for seed


@pytest.mark.parametrize(
    ("base", "scen"),
    [
        (
            Scenario("kz_kurultai_2026", "none"),
            Scenario("kz_kurultai_2026", "none", {"committee_capacity": 4}),
        ),
        (
            Scenario("kz_bicameral_2023", "none", {"vote_noise": 0.4}),
            Scenario("kz_bicameral_2023", "kz_digital", {"vote_noise": 0.4, "readings": 3}),
        ),
    ],
)
def test_an_exported_scenario_declares_every_difference_from_its_baseline(
    base: Scenario, scen: Scenario
) -> None:
    """Exported without a reform, a comparison's report marked every differing setting "not
    declared" (505 rows for the Kurultai with channels), the levers moved lost among them."""
    from experiments.explorer.scenario import resolved_config
    from scenarios.diff import differences, undeclared

    reform = yaml.safe_load(scenario_yaml(scen, against=base))["reform"]
    diffs = differences(resolved_config(base), resolved_config(scen), reform["changes"])
    assert diffs and undeclared(diffs) == []
    moved = [k for k, v in scen.levers.items() if base.levers.get(k) != v]
    assert all(f"{k}=" in reform["label"] for k in moved) and "vote_noise" not in reform["label"]
    # one declaration per lever (committee capacity was declared once per committee: seven groups)
    assert all(sum(f"{k}=" in why for why in reform["changes"].values()) == 1 for k in moved)
    assert {d.reason for d in diffs} <= {
        *(f"moved in the explorer: {k}={scen.levers[k]:g}" for k in moved),
        *(
            f"the {scen.channels} preset in place of {base.channels}"
            for _ in [0]
            if base.channels != scen.channels
        ),
    }


def test_a_lever_moved_with_a_swapped_preset_is_declared_with_the_swap() -> None:
    """The Kurultai with committee capacity 10 against the bicameral Parliament declared only the
    preset swapped: the lever, which moved the median days to law by days, was named nowhere."""
    base, scen = (
        Scenario("kz_bicameral_2023", "none"),
        Scenario("kz_kurultai_2026", "none", {"committee_capacity": 10}),
    )
    reform = yaml.safe_load(scenario_yaml(scen, against=base))["reform"]
    assert reform["changes"] == {
        "parliament": "the kz_kurultai_2026 preset in place of kz_bicameral_2023; moved in the explorer: "
        "committee_capacity=10"
    }
    assert reform["label"] == "kz_kurultai_2026 + none, committee_capacity=10"


def test_a_baseline_with_the_scenarios_presets_and_assumptions_is_exported_under_a_name_of_its_own(
    tmp_path: Path,
) -> None:
    """The assumptions moved hold for the baseline too: with the same presets, the two files had one
    name, and the exported sweep named it twice (Hydra refused it)."""
    from experiments.explorer.export import baseline_file_name, comparison_command

    scen = Scenario("kz_bicameral_2023", "none", {"vote_noise": 0.5}, years=0.25, replications=2)
    base, _left = scenario.same_world(replace(scen, levers={}), scen)
    assert base.levers == scen.levers and baseline_file_name(base, scen) == f"{file_name(scen)}_baseline"
    mine = tmp_path / "my_configs" / "scenario"
    mine.mkdir(parents=True)
    (mine / f"{file_name(scen)}.yaml").write_text(scenario_yaml(scen))
    (mine / f"{baseline_file_name(base, scen)}.yaml").write_text(
        scenario_yaml(base, baseline_file_name(base, scen))
    )
    cmd = comparison_command(base, scen, str(tmp_path / "my_configs")).split()
    res = run_cli(*cmd[1:], "quiet=true", f"hydra.sweep.dir={tmp_path / 'sweep'}", cwd=tmp_path)
    assert res.returncode == 0, res.stderr


@pytest.mark.parametrize(
    ("parliament", "channels"),
    [("kz_bicameral_2023", "kz_digital"), ("kz_kurultai_2026", "uk_petitions"), ("kz_kurultai_2026", "none")],
)
def test_every_lever_offers_only_values_the_scenario_accepts_and_its_presets_value(
    parliament: str, channels: str
) -> None:
    from experiments.explorer.address import lever_range
    from experiments.explorer.scenario import checked, spans

    s = Scenario(parliament, channels, years=1.0)
    allowed = spans(s)
    narrowed = 0
    for n, preset in levers(s):
        kind, lo, hi, step = lever_range(n, preset, allowed[n])
        p = scenario.PARAMETERS[n]
        narrowed += (lo, hi) != (min(p.low, preset), max(p.high, preset))
        assert lo <= preset <= hi and abs((preset - lo) / step - round((preset - lo) / step)) < 1e-6, n
        for value in (lo, hi):  # the slider's ends: the scenario is valid (no ConfigError)
            checked(replace(s, levers={n: kind(value)}))
    assert narrowed >= 5  # the presets' plausible ranges are narrower than the registry's for most


def test_a_scenario_with_every_lever_moved_still_has_a_file_name_a_disk_takes(tmp_path: Path) -> None:
    from experiments.explorer.export import MAX_NAME
    from experiments.explorer.scenario import spans

    s = Scenario("kz_bicameral_2023", "kz_digital", years=1.0)
    moved = {n: spans(s)[n][0] for n, preset in levers(s) if spans(s)[n][0] != preset}
    many = replace(s, levers=moved)
    assert len(moved) >= 8
    name = file_name(many)
    assert len(name) <= MAX_NAME and name.startswith("kz_bicameral_2023_kz_digital_")
    assert name != file_name(replace(s, levers={**moved, "committee_capacity": 3}))  # the levers tell
    (tmp_path / f"{name}.yaml").write_text(scenario_yaml(many))  # a name the disk takes
    assert file_name(replace(s, levers={"committee_capacity": 4})).endswith("committee_capacity_4")


def test_a_scenario_runs_again_after_the_models_code_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The explorer's cache is keyed by the model's code too: an updated model is not shown the
    numbers its previous version made (they would have been read back from the cache)."""
    before = scenario.folder("fp", [1, 2], tmp_path)
    assert scenario.folder("fp", [1, 2], tmp_path) == before
    monkeypatch.setattr(scenario, "model_code", lambda: "0123456789abcdef")
    assert scenario.folder("fp", [1, 2], tmp_path) != before


@pytest.mark.parametrize("kernel", ["portable_here", "blas_as_set"])
def test_runs_made_with_this_cpus_own_kernels_are_kept_apart_in_the_cache(
    kernel: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page whose numpy loaded before parltwin (AVX-512 ``exp`` and ``log``, or OpenBLAS's own
    kernel) made numbers that differ in the last bit from the command's, and kept them where the
    command's would be read back: they are kept in a folder of their own."""
    portable = scenario.folder("fp", [1, 2], tmp_path)
    monkeypatch.setattr(scenario, kernel, lambda: False)
    native = scenario.folder("fp", [1, 2], tmp_path)
    assert native != portable and native.name == portable.name + "-native"


def _opened(params: dict[str, str]):
    """The page as a shared link opens it (short runs unless ``params`` say otherwise)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PAGE), default_timeout=600)
    at.query_params.update({"years": "1.5", "replications": "2", **params})
    at.run()
    assert not at.exception
    return at


def test_a_links_values_the_page_refuses_are_said_with_the_range_allowed_and_the_value_used(
    cache: Path,
) -> None:
    """A shared link's value out of range (or not a number) was dropped without a word."""
    from experiments.explorer.address import lever_range
    from experiments.explorer.scenario import spans

    at = _opened(
        {
            "committee_capacity": "999",
            "seed": "-3",
            "vote_noise": "![x](http://127.0.0.1:9/a.png)",
            "years": "https://elsewhere.example/a?b=1",  # made a link by Streamlit, once unescaped
            "replications": "$x$ :material/home: a`b",
        }
    )
    warned = [w.value for w in at.warning]
    assert len(warned) == 5 and all("\n" not in w for w in warned)  # one line each
    preset = dict(levers(scenario.PROPOSAL))
    _kind, lo, hi, _step = lever_range("committee_capacity", preset["committee_capacity"],
                                       spans(scenario.PROPOSAL)["committee_capacity"])  # fmt: skip
    capacity = next(w for w in warned if "`committee_capacity`" in w)
    assert capacity.startswith("The link's Committee capacity")  # the lever, by its label and its name
    assert f"is `999`, which is not allowed (a whole number from {lo} to {hi})" in capacity
    assert capacity.endswith(f"the page uses {preset['committee_capacity']:g} instead.")
    lever = "scen_lever_committee_capacity_kz_kurultai_2026_none"
    assert at.slider(key=lever).value == preset["committee_capacity"]  # the preset's, as the warning says
    assert any("`seed`" in w and "is `-3`" in w and "uses 0 instead" in w for w in warned)
    # the address's text, shown as text: in a code span, where Markdown, links, formulas and icons
    # are not made
    said = {k: next(w for w in warned if f"(`{k}`)" in w) for k in ("vote_noise", "years", "replications")}
    assert "is `![x](http://127.0.0.1:9/a.png)`, which" in said["vote_noise"]
    assert "is `https://elsewhere.example/a?b=1`, which" in said["years"]
    assert "is ``$x$ :material/home: a`b``, which" in said["replications"]

    at.slider(key=lever).set_value(4).run()
    assert not at.warning  # said once, when the link was opened
    ru = _opened({"committee_capacity": "abc", "lang": "ru"})
    assert [w.value for w in ru.warning] and "`committee_capacity`" in ru.warning[0].value
    assert "целое число от" in ru.warning[0].value
    assert not _opened({"committee_capacity": "4"}).warning  # an allowed value: nothing to say


def test_a_links_names_the_page_does_not_know_are_said_and_bounds_are_not_rounded(cache: Path) -> None:
    """A misspelt preset, language or setting in a shared link opened another comparison without a
    word; a bound rounded to 1.06 said that 1.06 was not allowed "from 0.945 to 1.06"."""
    from experiments.explorer.address import lever_range
    from experiments.explorer.scenario import spans

    at = _opened({"scen_channels": "kz_digitl", "lang": "de", "comittee_capacity": "5"})
    warned = [w.value for w in at.warning]
    assert len(warned) == 3 and all("\n" not in w for w in warned)
    assert any("`scen_channels`) is `kz_digitl`, which is not one of its choices" in w for w in warned)
    assert any("`lang`) is `de`" in w and "uses en instead" in w for w in warned)
    assert any("`comittee_capacity` is not a setting of this page" in w for w in warned)
    # a line break in a value or a name ended the code span and the paragraph: what followed was
    # Markdown of the link's, an image the browser fetched or a heading
    at = _opened({"lang": "x\n\n![i](http://127.0.0.1:9/l.png)", "k\n\n![i](http://127.0.0.1:9/k.png)": "1"})
    warned = [w.value for w in at.warning]
    assert len(warned) == 2 and all("\n" not in w for w in warned)
    assert any("is `x\\n\\n![i](http://127.0.0.1:9/l.png)`, which" in w for w in warned)
    assert any("`k\\n\\n![i](http://127.0.0.1:9/k.png)` is not a setting" in w for w in warned)
    at = _opened({"scen_channels": "kz_digital", "digital_access": "1.06"})
    (access,) = [w.value for w in at.warning if "No petition of" not in w.value]  # the link's one
    _kind, _lo, hi, _step = lever_range(
        "digital_access", 1.0, spans(replace(scenario.PROPOSAL, channels="kz_digital"))["digital_access"]
    )
    assert hi < 1.06 and f"to {hi:g})" in access  # the bound as it is: 1.055, not 1.06


def test_the_address_the_page_writes_back_gives_its_numbers_exactly(cache: Path) -> None:
    """Written back with six digits, a shared link's 0.1634567 came back as 0.163457: another
    scenario, other numbers."""
    from experiments.explorer.export import run_settings
    from experiments.explorer.scenario import exact

    at = _opened({"vote_noise": "0.1634567", "years": "1.5000001"})
    assert not at.warning
    assert at.query_params["vote_noise"] == "0.1634567" and at.query_params["years"] == "1.5000001"
    assert (exact(2.0), exact(0.25), exact(1 / 3)) == ("2", "0.25", repr(1 / 3))
    s = Scenario("kz_kurultai_2026", "none", {"vote_noise": 0.1634567}, years=1.5000001)
    settings = run_settings(s, s, "")
    assert settings["setting_years"] == "1.5000001"
    assert settings["setting_scenario_levers"] == "vote_noise=0.1634567"


def test_every_csv_download_says_which_settings_and_model_made_it(
    cache: Path, offered: dict[str, str]
) -> None:
    """A CSV downloaded and opened later could not tell which comparison it held."""
    import io

    import pandas as pd

    from experiments.manifest import model_code, versions

    _opened({"seed": "7", "scen_channels": "kz_digital", "committee_capacity": "4", "vote_noise": "0.2"})
    made = {
        "setting_baseline_parliament": "kz_bicameral_2023",
        "setting_baseline_channels": "none",
        "setting_baseline_levers": "vote_noise=0.2",  # an assumption holds on both sides
        "setting_scenario_parliament": "kz_kurultai_2026",
        "setting_scenario_channels": "kz_digital",
        "setting_scenario_levers": "committee_capacity=4; vote_noise=0.2",
        "setting_years": 1.5,
        "setting_seed": 7,
        "setting_replications": 2,
        "setting_parltwin_version": versions()["parltwin"],
        "setting_model_code": model_code(),
    }
    for name in ("comparison.csv", "summary.csv"):
        table = pd.read_csv(io.StringIO(offered[name]))  # a plain CSV: one table, one header row
        assert list(table.columns[:3]) != list(made)[:3] and "scenario" in table.columns  # its own first
        assert list(table.columns[-len(made) - 1 :]) == [*made, "setting_page_address"]
        for column, value in made.items():
            assert (table[column] == value).all(), (name, column)
        address = table["setting_page_address"].iloc[0]
        assert address.startswith("/?") and "committee_capacity=4" in address and "seed=7" in address
    assert len(pd.read_csv(io.StringIO(offered["summary.csv"]))) == 4  # a row per replication, as before


def test_the_parliament_picker_says_what_each_preset_is_in_the_pages_language(cache: Path) -> None:
    """The picker showed ids alone (``kz_kurultai_2026``)."""
    at = _opened({})
    assert at.selectbox(key="scen_parliament").options == [
        "kz_bicameral_2023: Kazakhstan, Mazhilis + Senate (2023 composition and procedure)",
        "kz_kurultai_2026: Kazakhstan, unicameral Kurultai (2026 Constitution)",
    ]
    assert at.selectbox(key="base_parliament").value == "kz_bicameral_2023"  # chosen by id, as before
    # each picker has a name of its own: a screen reader reads the label, not the column's heading
    labels = [b.label for b in at.selectbox if b.key != "lang"]
    assert len(labels) == len(set(labels)) == 5, labels  # four pickers of presets, one of runs
    ru = _opened({"lang": "ru"}).selectbox(key="scen_parliament").options
    assert ru[1] == "kz_kurultai_2026: Казахстан, однопалатный Курултай (Конституция 2026 года)"
    kk = _opened({"lang": "kk"}).selectbox(key="scen_parliament").options
    assert kk[1].startswith("kz_kurultai_2026: ") and re.search("[әғқңөұүһі]", kk[1])


def test_every_figure_has_a_table_of_its_numbers_for_those_who_cannot_see_it(cache: Path) -> None:
    """A figure is an image with no text a screen reader could read; its numbers are a table."""
    at = _opened({})
    tab = at.tabs[0]
    images = tab.get("image")
    alternatives = [e for e in tab.expander if e.label == "The figure's numbers"]
    assert len(images) == len(alternatives) == 6  # the share answered, then the report's five figures
    alts = [i.proto.imgs[0].alt for i in images]  # what a screen reader says of each image
    assert all(a.endswith(": a figure; the numbers it plots are in the table below it.") for a in alts), alts
    assert len(set(alts)) == 6 and alts[0].startswith("Share of citizens' demands answered")
    assert all(len(e.table) == 1 and len(e.table[0].value) >= 2 for e in alternatives)
    share = alternatives[0].table[0].value
    assert list(share["scenario"]) == ["kz_bicameral_2023", "kz_kurultai_2026"]
    shown = dict(re.findall(r"(kz_\w+): ([\d.,]+) %", _shares(at)))
    assert [shown[s] for s in share["scenario"]] == list(share["average over replications"])  # as plotted
    differences = alternatives[-1].table[0].value
    key, _table = _differences(at)
    assert [_number(d) for d in differences["Difference from the baseline"]] == [
        _number(d) for d in key.values()
    ]  # the differences figure plots the key numbers' differences


#: How Streamlit draws a caption: the text's colour at this opacity (``opacities.secondary``).
CAPTION_OPACITY = 0.6


def _rgb(colour: str) -> tuple[float, float, float]:
    """``#rrggbb`` as three numbers from 0 to 255."""
    return tuple(float(int(colour.lstrip("#")[i : i + 2], 16)) for i in (0, 2, 4))  # type: ignore[return-value]


def _over(front: Sequence[float], back: Sequence[float], alpha: float) -> tuple[float, ...]:
    """``front`` drawn at opacity ``alpha`` over ``back``."""
    return tuple(alpha * f + (1 - alpha) * b for f, b in zip(front, back, strict=True))


def contrast(a: Sequence[float], b: Sequence[float]) -> float:
    """WCAG 2's contrast ratio of two sRGB colours (0-255): (L1 + 0.05) / (L2 + 0.05), L the
    relative luminance."""

    def luminance(rgb: Sequence[float]) -> float:
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (x / 255 for x in rgb)]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_is_computed_as_wcag_defines_it() -> None:
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast(_rgb("#767676"), _rgb("#ffffff")) == pytest.approx(4.54, abs=0.01)  # AA's known edge
    assert contrast(_over(_rgb("#2f2d2b"), _rgb("#ffffff"), CAPTION_OPACITY), _rgb("#ffffff")) < 4.5


def test_captions_read_at_wcag_aa_contrast_on_the_page_and_in_its_sidebar() -> None:
    """Streamlit's default caption (its text colour at 60% opacity) is 3.9:1 against white; WCAG 2
    AA asks 4.5:1 of normal text. The theme is the one Streamlit reads for the page it runs."""
    read = (
        "import sys; from streamlit import config; config._main_script_path = sys.argv[1];"
        "config.get_config_options(force_reparse=True);"
        "print(*(config.get_option('theme.' + k) or '-' for k in sys.argv[2:]))"
    )
    keys = ["textColor", "backgroundColor", "sidebar.backgroundColor"]
    defaults = ["#2f2d2b", "#ffffff", "#f8f8f7"]  # Streamlit's light theme, where the page sets none
    res = subprocess.run(
        [sys.executable, "-c", read, str(PAGE), *keys], capture_output=True, text=True, check=True, cwd="/"
    )  # from another folder: the page's own theme, wherever the app is started
    text, page, sidebar = (d if v == "-" else v for v, d in zip(res.stdout.split(), defaults, strict=True))
    caption = _over(_rgb(text), _rgb(page), CAPTION_OPACITY)
    assert contrast(caption, _rgb(page)) >= 4.5
    assert contrast(_over(_rgb(text), _rgb(sidebar), CAPTION_OPACITY), _rgb(sidebar)) >= 4.5


def test_a_link_that_asks_for_many_replications_runs_them_only_on_a_click(cache: Path) -> None:
    """A link (any web page may open one) ran 200 replications of 30 years as the page opened; the
    planner's own horizon and replications run as they always did."""
    from streamlit.testing.v1 import AppTest

    from experiments.explorer.address import LINK_BUDGET

    asked = {"years": "21", "replications": "3"}
    assert LINK_BUDGET < 21 * 3
    at = AppTest.from_file(str(PAGE), default_timeout=600)
    at.query_params.update(asked)
    at.run()
    assert not at.exception
    assert any("This link asks for 3 replications of 21 years" in i.value for i in at.info)
    assert not cache.exists() or not any(cache.iterdir())  # nothing ran
    at.number_input(key="years").set_value(20.5).run()  # one of the link's two changed: still asked
    assert any("This link asks for 3 replications of 20.5 years" in i.value for i in at.info)
    assert not cache.exists() or not any(cache.iterdir())
    at.button(key="run_asked").click().run()
    assert not at.exception and any(cache.iterdir())  # the planner's click ran them
    assert not any("This link asks" in i.value for i in at.info)

    own = _app(years=21.0, replications=3)  # set on the page, not by a link: no question
    own.run()
    assert not own.exception and not any("This link asks" in i.value for i in own.info)
    address = dict(own.query_params)
    own.number_input(key="seed").set_value(7).run()
    own.query_params.clear()
    own.query_params.update(address)  # the browser's Back: the planner's own, already run
    own.run()
    assert not own.exception and own.session_state["seed"] != 7
    assert not any("This link asks" in i.value for i in own.info)


def test_the_cache_lets_the_least_recently_used_runs_go_past_its_limit(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every seed, lever and horizon tried kept a folder of runs for ever: a page left open filled
    the disk. Past the limit the oldest runs go; the ones just used, and anything not a run, stay."""
    tiny = scenario.Scenario("kz_bicameral_2023", "none", years=1.0, replications=2)
    old, _ = scenario.run(tiny)
    other, _ = scenario.run(replace(tiny, seed=1))
    os.utime(old, (1, 1))  # used long ago
    mine = cache / "notes.txt"
    mine.write_text("a planner's own file")
    monkeypatch.setenv("PARLTWIN_APP_CACHE_MB", "1")
    size = sum(f.stat().st_size for f in other.rglob("*") if f.is_file())
    assert size < 1_000_000 < 5 * size  # one run fits the limit, five do not
    made = [scenario.run(replace(tiny, seed=s))[0] for s in (2, 3, 4, 5)]
    assert not old.exists() and mine.read_text() == "a planner's own file"
    assert made[-1].exists()  # the run just made stays, whatever the limit
    assert sum(f.stat().st_size for f in cache.rglob("*") if f.is_file()) <= 1_000_000 + size
    monkeypatch.setenv("PARLTWIN_APP_CACHE_MB", "lots")
    with pytest.raises(InputError, match="PARLTWIN_APP_CACHE_MB='lots': a whole number of megabytes"):
        scenario.run(replace(tiny, seed=6))  # a run that adds to the cache weighs it


def test_a_links_lever_that_the_scenarios_presets_lack_is_named_as_such() -> None:
    """The Senate's deadline in a link to the Kurultai was "not a setting of this page", as a misspelt
    key: it is the page's lever, which the one-chamber scenario's presets do not have."""
    from experiments.explorer.address import read_address, refused_text
    from experiments.i18n import translator
    from scenarios.parameters import PARAMETERS

    settings, refused = read_address({"senate_review_days": "30", "comittee_capacity": "5"})
    assert settings["scen_parliament"] == "kz_kurultai_2026"
    said = {r.key: refused_text(r, translator()) for r in refused}
    assert said["senate_review_days"] == (
        f"The link's {PARAMETERS['senate_review_days'].label} (`senate_review_days`) is not part of the "
        "scenario's presets (kz\\_kurultai\\_2026, none): it is left out."
    )
    assert "is not a setting of this page" in said["comittee_capacity"]
    # on the bicameral scenario the same link's value is taken
    settings, refused = read_address({"senate_review_days": "30", "scen_parliament": "kz_bicameral_2023"})
    assert not refused and 30 in settings.values()


@pytest.mark.parametrize("given", ["1_5", "\uff15", " 5", "5\n", "inf", "nan", "Infinity", "٥", "0x5", ""])
def test_a_links_number_is_read_only_as_decimal_digits(given: str) -> None:
    """``years=1_5`` ran 15 years and ``years=５`` (a full-width digit) 5, as Python's ``float`` reads
    them: a link the page never writes, whose value a planner cannot see for what it runs."""
    from experiments.explorer.address import read_address
    from experiments.explorer.scenario import BASELINE

    settings, refused = read_address({"years": given, "seed": "7", "replications": "1e1"})
    assert settings["years"] == BASELINE.years and [r.key for r in refused] == ["years"]
    assert settings["seed"] == 7 and settings["replications"] == 10  # plain notation is read
    assert read_address({"years": "-.5e1"})[1] and read_address({"years": "1.5"})[0]["years"] == 1.5


def test_a_link_with_thousands_of_names_the_page_does_not_know_gives_a_few_warnings() -> None:
    """Each unknown name of a link was a warning of its own: 10,000 of them filled the page."""
    from experiments.explorer.address import MOST_UNKNOWN, read_address, refused_text
    from experiments.i18n import translator

    address = {f"x{i:05d}": "1" for i in range(10_000)} | {"years": "2"}
    settings, refused = read_address(address)
    said = [refused_text(r, translator(lang)) for lang in ("en", "ru") for r in refused]
    assert settings["years"] == 2 and len(refused) == MOST_UNKNOWN + 1 == 6
    assert said[0] == "The link names 9,995 more settings that are not this page's: they are left out."
    assert said[6].startswith("Ссылка называет ещё 9 995 настроек") or said[6].startswith(
        "Ссылка называет ещё 9\u00a0995 настроек"
    ), said[6]
    assert [r.key for r in refused[1:]] == [f"x{i:05d}" for i in range(5)]
    assert len(read_address({f"y{i}": "1" for i in range(MOST_UNKNOWN)})[1]) == MOST_UNKNOWN


def test_a_horizon_is_said_as_given() -> None:
    """1.0000001 years was "1 year" (two decimals at most), on the page and in the report."""
    from experiments.i18n import translator

    en, ru = translator("en"), translator("ru")
    assert [en.years(x) for x in (1, 1.0000001, 1.5, 5.0)] == [
        "1 year",
        "1.0000001 years",
        "1.5 years",
        "5 years",
    ]
    assert [ru.years(x) for x in (1, 2, 5, 21, 1.25)] == ["1 год", "2 года", "5 лет", "21 год", "1,25 года"]


def test_a_damaged_run_folder_is_said_on_the_page_not_a_traceback(tmp_path: Path) -> None:
    """The page read run folders' JSON bare: a robustness run's manifest nested 5,000 deep ended the
    robustness tab's list in a RecursionError, a job's manifest the comparison."""
    from experiments.explorer.page import results, run_label

    deep = "[" * 5_000 + "]" * 5_000
    (tmp_path / "manifest.json").write_text(deep)
    assert run_label(str(tmp_path)) == str(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps({"scenarios": "ab"}))  # was labelled "a, b"
    assert run_label(str(tmp_path)) == str(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps({"scenarios": ["a", "b"]}))
    assert run_label(str(tmp_path)) == f"{tmp_path} — a, b"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "manifest.json").symlink_to(tmp_path / "manifest.json")  # read only where a run wrote it
    assert run_label(str(elsewhere)) == str(elsewhere)
    (tmp_path / "scenario.json").write_text(deep)
    with pytest.raises(InputError, match=r"scenario\.json: not a job's manifest \(nested too deeply\)"):
        results.__wrapped__((str(tmp_path),), "en", ())


def test_a_links_refused_number_and_unknown_names_are_said_on_the_page_a_few_at_a_time(cache: Path) -> None:
    """On the page itself: a link's ``years=1_5`` is refused as its other unreadable numbers are, not
    run as 15 years, and of its 900 names the page does not know a few are named and the rest counted,
    not drawn as 900 warnings (Streamlit reads an address of up to 1,000 names)."""
    from streamlit.testing.v1 import AppTest

    unknown = {f"x{i:03d}": "1" for i in range(900)}
    at = AppTest.from_file(str(PAGE), default_timeout=600)
    at.query_params.update({"years": "1_5", "replications": "30"} | unknown)  # 90 years: asked first
    at.run()
    assert not at.exception and at.session_state["years"] == 3.0
    said = [w.value for w in at.warning if w.value.startswith("The link")]
    assert said[0] == (
        "The link's Years simulated (`years`) is `1_5`, which is not allowed (from 1 to 30): the page uses "
        "3 instead."
    )
    assert said[1:] == [
        "The link names 895 more settings that are not this page's: they are left out.",
        *(
            f"The link's `x{i:03d}` is not a setting of this page (or of its presets): it is left out."
            for i in range(5)
        ),
    ]
    assert not cache.exists() or not any(cache.iterdir())  # nothing ran before the planner's click


def test_a_links_horizon_is_said_as_it_runs(cache: Path) -> None:
    """The page asked for "3 replications of 20 years" of a link whose horizon, run as given, is
    20.0000001 years."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PAGE), default_timeout=600)
    at.query_params.update({"years": "20.0000001", "replications": "3"})
    at.run()
    assert not at.exception and at.session_state["years"] == 20.0000001
    assert at.number_input(key="years").proto.format == "%g"  # the box, too: as given (see Chromium's test)
    assert any("This link asks for 3 replications of 20.0000001 years" in i.value for i in at.info)


@pytest.mark.parametrize(
    ("damage", "why"),
    [
        ("[" * 5_000 + "]" * 5_000, "nested too deeply"),
        ("{}", "no 'name'"),  # read whole after the runs' checks: a KeyError as the comparison began
        ("[]", "not a JSON object"),  # the runs' own check looked its name up: an AttributeError
    ],
)
def test_a_damaged_manifest_in_the_runs_cache_is_said_on_the_page(cache: Path, damage: str, why: str) -> None:
    """A run's damaged ``scenario.json`` ended the page in a traceback; it is said as the page says
    another damaged record, and no comparison is drawn."""
    import streamlit

    at = _app()
    at.run()
    assert not at.exception and not at.error
    for folder in (p for p in cache.iterdir() if p.is_dir()):
        (folder / "scenario.json").write_text(damage)
    streamlit.cache_data.clear()  # the comparison of these runs, as they were, is no longer at hand
    at.run()
    assert not at.exception, at.exception
    said = [e.value for e in at.error]
    assert len(said) == 1 and said[0].startswith("This comparison cannot run: "), said
    assert f"scenario.json: not a job's manifest ({why})" in said[0], said
    assert not at.tabs  # no comparison drawn from runs that cannot be read


def test_the_commands_report_of_an_exported_comparison_names_its_scenarios_as_the_page_does(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The exported files switch the presets off (``override /channels: null``): the report took the
    channels from Hydra's choices, called the Kurultai with channels "no digital channels" and
    labelled it ``kz_kurultai_2026``, so its comparison.csv could not be joined with the page's."""
    import pandas as pd

    from experiments.i18n import translator
    from tests.parltwin_cli import parltwin

    base = Scenario("kz_bicameral_2023", "none", years=0.5, replications=2)
    scen = Scenario("kz_kurultai_2026", "kz_digital", years=0.5, replications=2)
    page, cmd = _exported(base, scen, tmp_path)
    ended = parltwin(
        [*cmd[1:], "quiet=true", f"hydra.sweep.dir={tmp_path / 'sweep'}"], tmp_path, monkeypatch, capsys
    )
    assert ended.code == 0, ended.err
    cli = pd.read_csv(tmp_path / "sweep" / "comparison.csv")
    assert set(cli["scenario"]) == set(page["scenario"]) == {base.name, scen.name}
    scenarios = json.loads((tmp_path / "sweep" / "manifest.json").read_text())["scenarios"]
    assert {s["label"]: s["channels"] for s in scenarios} == {base.name: "none", scen.name: "kz_digital"}
    html = (tmp_path / "sweep" / "report.html").read_text()
    tr = translator()
    assert tr.name("channel", "kz_digital") in html and tr.name("channel", "kz_digital") != "kz_digital"


#: A robustness run's table with the page's own scenarios (Kurultai against the bicameral Parliament).
OWN_ROBUSTNESS = (
    "metric,scenario,baseline,share_better,share_worse,share_unclear,share_higher,share_lower,"
    "finding,finding_share,holds,deciding_assumptions,worlds\n"
    "laws_per_year,kz_kurultai_2026,kz_bicameral_2023,0.1,0.6,0.3,0.1,0.6,worse,0.6,False,,16\n"
    "passage_rate,kz_kurultai_2026,kz_bicameral_2023,,,0.7,0.05,0.25,unclear,0.7,False,,16\n"
)


def test_a_robustness_run_of_another_horizon_or_baseline_is_not_read_as_this_pages_verdicts(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run over five years was applied to a page over one and a half, whose numbers are partly the
    warm-up: the command refuses to cite it, and the page said nothing."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "robust"
    folder.mkdir()
    (folder / "robustness.csv").write_text(OWN_ROBUSTNESS)

    def own(at) -> list[Any]:
        return [t for t in at.dataframe if "this page's finding" in t.value.columns]

    at = _app()
    at.run()
    at.text_input(key="robustness_dir").set_value(str(folder)).run()
    assert not at.exception and not own(at)  # no manifest: its horizon is unknown
    assert [w.value for w in at.warning if "horizon and baseline cannot be read" in w.value]
    _robustness_manifest(folder, SHORT["years"], "kz_bicameral_2023")
    at.run()
    assert own(at) and not any("This run" in w.value for w in at.warning)  # the page's question
    _robustness_manifest(folder, 5, "kz_bicameral_2023")
    at.run()
    said = [w.value for w in at.warning if w.value.startswith("This run is over 5 years")]
    assert len(said) == 1 and "this page over 1.5 years" in said[0] and not own(at), said
    assert [t for t in at.dataframe if "verdict" in t.value.columns]  # its table is still shown
    _robustness_manifest(folder, SHORT["years"], "kz_kurultai_2026")
    at.run()
    assert any(w.value.startswith("This run's baseline is `kz_kurultai_2026`") for w in at.warning)
    assert not own(at)


def test_the_findings_say_the_assumptions_and_counts_the_commands_report_says(cache: Path) -> None:
    """The report says that the Kurultai's fewer laws rest on the Senate's deemed approval, that the
    channels' laws closer to opinion rest on the consultation's pull, that the Kurultai with channels
    is given more bills, and what the mean stay and the demands answered count; the page said none."""
    from experiments.i18n import translator

    base = Scenario("kz_bicameral_2023", "none", years=SHORT["years"], replications=10)
    scen = replace(base, parliament="kz_kurultai_2026", channels="kz_digital")
    c = scenario.compare(scenario.run_together([base, scen]))
    at = _app(replications=10, scen_channels="kz_digital")
    at.run()
    assert not at.exception
    for lang in ("en", "ru"):
        tr = translator(lang)
        captions = [x.value for x in at.caption]
        assumed = report.deadline_notes(c.scenarios, tr) + report.pull_notes(c.scenarios, tr)
        assert len(assumed) == 2 and all(note in captions for note in assumed), assumed
        counted = report.counted_notes(c.headline, tr)
        assert tr.gettext(report.STAY) in counted and tr.gettext(report.ANSWERED) in counted
        assert counted in captions
        by = c.comparison.set_index(["metric", "scenario"])
        numbers = report.Numbers(c.described, tr)
        arrivals = report.arrivals_note(numbers, "laws_per_year", by, scen.name)
        assert arrivals and f"{numbers.label('laws_per_year')}: {arrivals}" in captions
        at.selectbox(key="lang").set_value("ru").run()


def test_a_short_run_says_its_numbers_are_partly_the_warm_up(cache: Path) -> None:
    """At one year and a half the median days to law differed clearly, a difference gone over three
    and five years: the first year warms the model up from an empty parliament."""

    def short(at) -> list[str]:
        return [i.value for i in at.info if i.value.startswith("A short run: over")]

    at = _app()
    at.run()
    assert not at.exception
    said = short(at)
    assert len(said) == 1 and "over 1.5 years" in said[0] and "runs 5 years" in said[0], said
    within = [c.value for c in at.caption if c.value.startswith("The share answered within a year")]
    assert len(within) == 1 and within[0].endswith("over 1.5 years, those of the first 0.5 years."), within
    at.number_input(key="years").set_value(3.0).run()
    assert not at.exception and not short(at)
    assert any(c.value.endswith("over 3 years, those of the first 2 years.") for c in at.caption)


def test_the_same_scenario_on_both_sides_is_said_and_shares_are_labelled_as_shares(cache: Path) -> None:
    at = _app(scen_parliament="kz_bicameral_2023")
    at.run()
    assert not at.exception
    assert any(i.value.startswith("The baseline and the scenario are the same scenario") for i in at.info)
    assert not any("more replications (in the sidebar) would show" in i.value for i in at.info)
    at.selectbox(key="scen_channels").set_value("kz_digital").run()
    assert not any("are the same scenario" in i.value for i in at.info)
    labels = {s.label for s in at.slider}
    from scenarios.parameters import PARAMETERS

    shares = [p.label for p in PARAMETERS.values() if p.unit == "share" and p.lever]
    shown = [label for label in labels if any(label.startswith(p) for p in shares)]
    assert len(shown) >= 3 and all(label.endswith(": share, 0 to 1") for label in shown), labels
