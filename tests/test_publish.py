"""The publishing layer: one writer per output kind, one call into the write-back, the
engines writing nothing."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from test_validate_office import build_office

from automation import load_config
from automation.publish.commands import validate_and_publish
from automation.publish.files import validation_files
from automation.publish.tabs import merge_tabs, validation_tabs, write_tabs
from automation.validate import validate_office

STAMP = datetime(2026, 3, 2, 8, 0)


def test_validation_files_are_written_once_in_the_order_asked(tmp_path):
    config = load_config(build_office(tmp_path))
    result = validate_office(config)
    out = tmp_path / "out"
    paths = validation_files(result, config, out, generated=STAMP)
    assert [p.name for p in paths] == ["validation.html", "validation.xlsx", "validation.json"]
    data = json.loads((out / "validation.json").read_text(encoding="utf-8"))
    assert data == result.to_dict()
    one = validation_files(result, config, out, ["json"], generated=STAMP,
                           output=tmp_path / "mine.json")
    assert one == [tmp_path / "mine.json"]
    with pytest.raises(ValueError):
        validation_files(result, config, out, ["json", "html"], generated=STAMP,
                         output=tmp_path / "x")


def test_the_engine_writes_nothing_and_the_command_publishes(tmp_path):
    config = load_config(build_office(tmp_path))
    validate_office(config)
    assert not config.output_dir.exists() or not any(config.output_dir.iterdir())
    done = validate_and_publish(config, None, "html", generated=STAMP)
    assert done.files == [config.output_dir / "validation.html"]
    assert done.notes == []  # write-back is off


def test_tabs_merge_per_register(tmp_path):
    config = load_config(build_office(tmp_path))
    result = validate_office(config)
    tabs = validation_tabs(config, result)
    merged = merge_tabs([tabs, {"roster": {"其他": [["x"]]}}])
    assert set(merged["roster"]) == {config.output.results_tab, "其他"}
    assert write_tabs(config, result.office, [tabs]).written == []  # off: nothing written
