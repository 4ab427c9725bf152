"""Time `clerk nightly` on the large office of the validate benchmark against the read floor.

    python scripts/bench_nightly.py [--scale 1.0] [--repeat 3] [--today 2025-11-20]

The office (about 170,000 rows) is built by scripts/bench_validate.py's generator, or
reused from --out. Each nightly run starts from an empty state and output folder, so every
run validates, sends every reminder to the outbox, writes every report and dashboard — the
work of the first run of a day. The read floor is python-calamine reading every sheet of
every workbook, nothing else; the target is nightly ≤ 3× the floor (each workbook is read
once). Best of --repeat runs for both, in one process, one after the other.
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_validate import REGISTERS, best_of, build_office, read_floor

from automation.config import load_config
from automation.nightly import run_nightly

TARGET_RATIO = 3.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path,
                        default=Path(tempfile.gettempdir()) / "sheet-clerk-bench")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--today", default="2025-11-20")
    args = parser.parse_args(argv)
    meta = build_office(args.out, args.scale)
    paths = [args.out / f"{r}.xlsx" for r in REGISTERS]
    config = load_config(args.out / "office.toml")
    day = date.fromisoformat(args.today)

    def fresh_nightly() -> dict[str, object]:
        for folder in (config.output_dir, config.resolve(config.state.dir)):
            shutil.rmtree(folder, ignore_errors=True)
        gc.collect()
        report = run_nightly(config, today=day)
        return {s.name: {"status": s.status, "seconds": round(s.seconds, 2), **s.counts}
                for s in report.steps}

    floor, floor_runs, _ = best_of(lambda: read_floor(paths), args.repeat)
    started = time.perf_counter()
    nightly_times: list[float] = []
    steps: dict[str, object] = {}
    for _ in range(args.repeat):
        begun = time.perf_counter()
        steps = fresh_nightly()
        nightly_times.append(time.perf_counter() - begun)
    nightly = min(nightly_times)
    ratio = nightly / floor
    result = {
        "rows": sum(meta["rows"].values()), "today": args.today,
        "read_floor_seconds": round(floor, 2),
        "read_floor_runs": [round(t, 2) for t in floor_runs],
        "nightly_seconds": round(nightly, 2),
        "nightly_runs": [round(t, 2) for t in nightly_times],
        "ratio": round(ratio, 2), "target": TARGET_RATIO, "met": ratio <= TARGET_RATIO,
        "steps_of_last_run": steps,
        "wall_seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    print(f"\nnightly {nightly:.2f} s = {ratio:.2f}x the read floor ({floor:.2f} s); "
          f"target <= {TARGET_RATIO}x: {'met' if ratio <= TARGET_RATIO else 'NOT met'}")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
