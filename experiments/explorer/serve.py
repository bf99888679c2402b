"""``parltwin-app``: serve the scenario explorer on 127.0.0.1 (never on other interfaces)."""

from __future__ import annotations

import sys
from pathlib import Path

PAGE = Path(__file__).with_name("page.py")
HOST = "127.0.0.1"


def argv(port: int = 8501) -> list[str]:
    """The ``streamlit run`` arguments: this machine only, no browser opened, no usage statistics."""
    return [
        "streamlit",
        "run",
        str(PAGE),
        "--server.address",
        HOST,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--global.developmentMode",
        "false",
        "--client.toolbarMode",
        "minimal",
    ]


def main() -> None:
    """``parltwin-app [--port N] [--workers N]``: the explorer at http://127.0.0.1:N (default 8501)."""
    import argparse
    import os

    from experiments.explorer.scenario import POOL_FROM, WORKERS, workers

    parser = argparse.ArgumentParser(prog="parltwin-app", description=main.__doc__)
    parser.add_argument("--port", type=int, default=8501, help="port on 127.0.0.1 (default 8501)")
    parser.add_argument(
        "--workers",
        type=int,
        help=f"processes for a scenario's replications when {POOL_FROM} or more are to run "
        f"(default: ${WORKERS}, else every core)",
    )
    args = parser.parse_args()
    if args.workers is not None:
        if args.workers < 1:
            parser.exit(2, f"parltwin-app: error: --workers {args.workers}: allowed: 1 or more\n")
        os.environ[WORKERS] = str(args.workers)
    try:
        workers()
    except ValueError as e:
        parser.exit(2, f"parltwin-app: error: {e}\n")
    from streamlit.web import cli

    print(f"parltwin explorer: http://{HOST}:{args.port}", file=sys.stderr)
    sys.argv = argv(args.port)
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
