#!/usr/bin/env python
"""Time a 校验 (validate) click through `clerk serve`, as a new user meets it.

    python scripts/bench_button.py [--clicks 10] [--cache both|on|off] [--dir DIR]

Builds the demo office (`clerk init --demo`, in a temporary folder unless `--dir`), starts
`clerk serve` in this process on a free local port, and posts the assets workbook the way
xlwings' VBA remote client does (`server.vba_client_payload`), each click on a new
connection. After one warm-up click it times `--clicks` clicks and prints the median and the
90th percentile (nearest rank), with the register cache of the server off (every click reads
the other three registers from disk: the state before issue 18) and on, and the machine it
ran on. Both servers must give the same answer, which is checked.

Always exits 0 unless a click fails: it is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import secrets
import statistics
import sys
import tempfile
import time
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

import requests

from automation.config import load_config
from automation.office import init_office
from automation.server import LICENSE_ENV, create_app, running, vba_client_payload

DEFAULT_TODAY = date(2025, 11, 20)


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    with_info = Path("/proc/cpuinfo")
    if with_info.is_file():
        for line in with_info.read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        first = meminfo.read_text().splitlines()[0].split()
        memory = f"{int(first[1]) / 1024 / 1024:.1f} GiB"
    versions = {name: metadata.version(name)
                for name in ("pandas", "python-calamine", "xlwings", "fastapi", "uvicorn")}
    return {"platform": platform.platform(), "python": sys.version.split()[0],
            "cpu": cpu, "cores": os.cpu_count(), "memory": memory, **versions}


def nearest_rank(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def clicks(config_path: Path, payload: dict[str, Any], *, cache: bool, count: int,
           button: str, today: date) -> dict[str, Any]:
    """One server (cache on or off): a warm-up click, then `count` timed clicks."""
    token = secrets.token_urlsafe(24)
    app = create_app(load_config(config_path), token=token, today=today, cache=cache)
    body = json.dumps(payload).encode()
    headers = {"Authorization": token, "Content-Type": "application/json"}
    timings: list[float] = []
    answers: list[Any] = []
    with running(app) as url:
        for index in range(count + 1):
            started = time.perf_counter()
            answer = requests.post(f"{url}/buttons/{button}", data=body, headers=headers,
                                   timeout=300)
            elapsed = time.perf_counter() - started
            answer.raise_for_status()
            answers.append(answer.json())
            if index:  # the first is the warm-up
                timings.append(elapsed * 1000)
    loaded = app.state.load_cache
    stats = loaded.stats if loaded is not None else None
    return {
        "cache": cache,
        "median_ms": statistics.median(timings),
        "p90_ms": nearest_rank(timings, 0.9),
        "min_ms": min(timings),
        "max_ms": max(timings),
        "clicks_ms": [round(value, 1) for value in timings],
        "registers_read": stats.reads if stats else None,
        "registers_from_cache": stats.hits if stats else None,
        "answer": answers[-1],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clicks", type=int, default=10, help="timed clicks (default 10)")
    parser.add_argument("--cache", choices=("both", "on", "off"), default="both",
                        help="the server's register cache: both (off, then on), on or off")
    parser.add_argument("--button", default="validate", help="validate (default), kpi, ...")
    parser.add_argument("--dir", type=Path, help="where to build the demo office "
                        "(default: a temporary folder); an existing office there is reused")
    parser.add_argument("--today", type=date.fromisoformat, default=DEFAULT_TODAY,
                        help=f"the demo's date (default {DEFAULT_TODAY})")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    os.environ.setdefault(LICENSE_ENV, "noncommercial")  # as `clerk demo` assumes
    with tempfile.TemporaryDirectory(prefix="bench-button-") as scratch:
        folder = args.dir or Path(scratch)
        config_path = folder / "office.toml"
        if not config_path.exists():
            init_office(folder, demo=True, today=args.today)
        workbook = folder / "workbooks" / "assets.xlsx"
        payload = vba_client_payload(workbook)
        size = workbook.stat().st_size
        modes = {"both": [False, True], "on": [True], "off": [False]}[args.cache]
        runs = [clicks(config_path, payload, cache=mode, count=args.clicks,
                       button=args.button, today=args.today) for mode in modes]

    info = machine()
    print(f"{args.button} click through `clerk serve`, demo office ({args.today}), "
          f"assets.xlsx {size / 1024:.0f} KiB on disk, posted as "
          f"{len(json.dumps(payload).encode()) / 1024:.0f} KiB of JSON (VBA client); "
          f"{args.clicks} timed clicks after one warm-up")
    print(f"{'cache':<6} {'median ms':>10} {'p90 ms':>8} {'min ms':>8} {'max ms':>8}"
          f"  registers read / from cache")
    for run in runs:
        counts = (f"{run['registers_read']} / {run['registers_from_cache']}"
                  if run["cache"] else "every click: 3 from disk")
        print(f"{'on' if run['cache'] else 'off':<6} {run['median_ms']:>10.1f} "
              f"{run['p90_ms']:>8.1f} {run['min_ms']:>8.1f} {run['max_ms']:>8.1f}  {counts}")
    if len(runs) == 2:
        same = runs[0]["answer"] == runs[1]["answer"]
        print(f"speed-up of the median: {runs[0]['median_ms'] / runs[1]['median_ms']:.1f}x; "
              f"answers identical: {'yes' if same else 'NO'}")
    print("machine: " + ", ".join(f"{key} {value}" for key, value in info.items()))
    if args.json:
        figures = [{k: v for k, v in run.items() if k != "answer"} for run in runs]
        args.json.write_text(json.dumps({"machine": info, "runs": figures}, indent=2),
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
