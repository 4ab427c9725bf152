"""Golden test over the demo office's outputs (issue 18): the JSON, CSV, xlsx sheets, HTML,
e-mails, snapshot and command output of the demo office on a fixed day must stay as they are
in tests/golden/. A deliberate change of output is recorded with scripts/update_golden.py;
tests/golden/README.md says what is covered and what is normalised."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from filelock import FileLock
from golden_office import build_outputs, diff_text, golden_names, read_golden

GOLDENS = golden_names()
UPDATE = "python scripts/update_golden.py"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The golden office, built once per test session: with pytest-xdist every worker
    shares the first worker's build through a file beside their temporary folders."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    cache = base / "golden-office.json"
    with FileLock(str(base / "golden-office.lock")):
        if cache.is_file():
            return json.loads(cache.read_text(encoding="utf-8"))
        outputs = build_outputs(Path(base / "golden-office"))
        cache.write_text(json.dumps(outputs, ensure_ascii=False), encoding="utf-8")
    return outputs


def test_goldens_are_there() -> None:
    assert len(GOLDENS) > 100, f"tests/golden/ is missing or nearly empty: run {UPDATE}"


def test_the_same_outputs_are_made(built: dict[str, str]) -> None:
    new = sorted(set(built) - set(GOLDENS))
    gone = sorted(set(GOLDENS) - set(built))
    if new or gone:
        lines = [f"the outputs of the golden office changed (if deliberate: {UPDATE})"]
        lines += [f"  made, no golden:  {name}" for name in new]
        lines += [f"  golden, not made: {name}" for name in gone]
        pytest.fail("\n".join(lines), pytrace=False)


@pytest.mark.parametrize("name", GOLDENS)
def test_output_matches_golden(name: str, built: dict[str, str]) -> None:
    if name not in built:
        pytest.fail(f"{name}: no longer made (see test_the_same_outputs_are_made)",
                    pytrace=False)
    expected = read_golden(name)
    actual = built[name]
    if actual != expected:
        pytest.fail(f"{name} changed (if deliberate: {UPDATE}):\n"
                    + diff_text(name, expected, actual), pytrace=False)
