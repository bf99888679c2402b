"""``parltwin-app``: serve the scenario explorer on 127.0.0.1 (never on other interfaces)."""

from __future__ import annotations

import ast
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

PAGE = Path(__file__).with_name("page.py")
#: Debian's Chromium, which Playwright drives to open the served page (the benchmark's served case,
#: the browser tests): no browser is downloaded.
CHROMIUM = Path("/usr/bin/chromium")
HOST = "127.0.0.1"


#: The names by which a browser reaches the page (its ``Host`` header): any other is refused, so
#: that a web page whose own name is made to point at 127.0.0.1 (DNS rebinding) cannot connect.
HOSTS = (HOST, "localhost")


def argv(port: int = 8501) -> list[str]:
    """The ``streamlit run`` arguments: this machine only, under its own names, from its own pages
    (cross-origin and cross-site requests refused, whatever a ``.streamlit/config.toml`` in the
    folder it starts from says), no browser opened, no usage statistics."""
    return [
        "streamlit",
        "run",
        str(PAGE),
        "--server.address",
        HOST,
        "--server.port",
        str(port),
        *(arg for host in HOSTS for arg in ("--server.allowedHosts", host)),
        "--server.enableCORS",
        "true",
        "--server.enableXsrfProtection",
        "true",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--global.developmentMode",
        "false",
        "--client.toolbarMode",
        "minimal",
    ]


def free_port() -> int:
    """A port of 127.0.0.1 that is free now (for an app served in the background)."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(
    command: Sequence[str], port: int, env: Mapping[str, str], cwd: Path, timeout: float = 60.0
) -> Iterator[subprocess.Popen]:
    """``command`` (an app told to serve on ``port`` of 127.0.0.1) in a process of its own, its
    output dropped, until the block ends; the block starts once the port listens. The app is
    stopped on the way out; should it end or stay silent for ``timeout`` s first, RuntimeError."""
    app = subprocess.Popen(
        command, env=dict(env), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            with socket.socket() as s:
                if s.connect_ex((HOST, port)) == 0:
                    break
            if app.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{command[0]}: not listening on {HOST}:{port} (exit code {app.poll()})")
            time.sleep(0.05)
        yield app
    finally:
        app.terminate()
        app.wait(timeout=60)


def page_imports() -> ast.Module:
    """The page's import statements, read from its source (so they stay in step with it)."""
    tree = ast.parse(PAGE.read_text(encoding="utf-8"))
    return ast.Module([n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)], [])


def prepare() -> None:
    """The page's first run's work that no planner's choice changes, done while Streamlit starts
    and the planner opens the page: its imports, the workers' server and the first scenarios'
    configs (:func:`experiments.explorer.scenario.prepare`). Should it fail, the page's first run
    does the same work, and shows what failed."""
    try:
        exec(compile(page_imports(), str(PAGE), "exec"), {})  # the page's own imports
        from experiments.explorer.scenario import prepare

        prepare()
    except Exception as e:  # the page's own run tells the planner
        print(f"parltwin explorer: nothing prepared ahead ({type(e).__name__}: {e})", file=sys.stderr)


def port_free(port: int) -> bool:
    """Whether ``port`` of 127.0.0.1 can be listened on now, as the server binds it: with
    ``SO_REUSEADDR``, so that the connections of a server just stopped, still closing, do not count
    (a restart was refused for about a minute), while a server listening there does."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def main() -> None:
    """parltwin-app [--port N] [--workers N]: the explorer at http://127.0.0.1:N (default 8501)."""
    import argparse
    import os

    from experiments.explorer.scenario import POOL_FROM, WORKERS, workers
    from experiments.pool import no_current_folder

    parser = argparse.ArgumentParser(prog="parltwin-app", description=main.__doc__)

    def refuse(message: str) -> NoReturn:  # one line, as every refusal (argparse prints its usage)
        parser.exit(2, f"parltwin-app: error: {message}\n")

    parser.error = refuse  # type: ignore[method-assign]
    parser.add_argument("--port", type=int, default=8501, help="port on 127.0.0.1 (default 8501)")
    parser.add_argument(
        "--workers",
        type=int,
        help=f"processes for a scenario's replications when {POOL_FROM} or more are to run "
        f"(default: ${WORKERS}, else every core)",
    )
    args = parser.parse_args()
    if not 1 <= args.port <= 65535:
        parser.exit(2, f"parltwin-app: error: --port {args.port}: allowed: 1 to 65535\n")
    if not port_free(args.port):
        parser.exit(2, f"parltwin-app: error: --port {args.port}: in use on {HOST}; choose another\n")
    if args.workers is not None:
        if args.workers < 1:
            parser.exit(2, f"parltwin-app: error: --workers {args.workers}: allowed: 1 or more\n")
        os.environ[WORKERS] = str(args.workers)
    try:
        workers()
    except ValueError as e:
        parser.exit(2, f"parltwin-app: error: {e}\n")
    no_current_folder()  # the workers' server the page starts
    from streamlit.web import cli

    threading.Thread(target=prepare, name="parltwin-prepare", daemon=True).start()
    print(f"parltwin explorer: http://{HOST}:{args.port}", file=sys.stderr)
    sys.argv = argv(args.port)
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
