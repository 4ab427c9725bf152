"""Rewrite tests/golden/ from the working tree, after a deliberate change of output.

    python scripts/update_golden.py

Builds the golden office (tests/golden_office.py) with the `clerk` that `python -m
automation` runs here, and replaces every golden by what it made; the reviewer then sees the
change as the diff of tests/golden/. Run the test (tests/test_golden.py) first: it names
every output that changed and shows how.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent / "tests"
sys.path.insert(0, str(TESTS))

from golden_office import (  # noqa: E402  (tests/ is not a package)
    GOLDEN_DIR,
    build_outputs,
    golden_names,
    summary,
    write_goldens,
)


def main() -> int:
    where = subprocess.run([sys.executable, "-c", "import automation; print(automation.__file__)"],
                           capture_output=True, text=True, cwd=tempfile.gettempdir(), check=True)
    print(f"building with {where.stdout.strip()}")
    started = time.monotonic()
    before = set(golden_names())
    with tempfile.TemporaryDirectory(prefix="golden-office-") as folder:
        outputs = build_outputs(Path(folder))
    write_goldens(outputs)
    after = set(outputs)
    print(f"wrote {summary(outputs)} to {GOLDEN_DIR} in {time.monotonic() - started:.1f} s")
    for name in sorted(after - before):
        print(f"  new      {name}")
    for name in sorted(before - after):
        print(f"  removed  {name}")
    print("review the change with: git diff --stat -- tests/golden/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
