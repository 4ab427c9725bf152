"""The buttons through `clerk serve`: JSON books built the way xlwings' Apps Script and VBA
clients build them (header row, ISO dates, empty cells as "" or null, the client's version),
posted over real HTTP to the running server; the returned actions are what the client would
replay in the workbook."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import requests
import xlwings
from conftest import clerk
from servers import free_port
from test_validate_office import ITEMS, LOANS, _with, build_office

from automation.config import load_config
from automation.server import CLIENT_ACTIONS, create_app, running

TOKEN = "button-token-for-tests-0123456789"
TODAY = date(2025, 10, 20)


def client_book(path: Path, client: str = "Google Apps Script",
                version: str = xlwings.__version__) -> dict[str, Any]:
    """The payload an xlwings client posts for the workbook at `path`."""
    book = openpyxl.load_workbook(path, data_only=True)
    empty: Any = "" if client == "Google Apps Script" else None
    sheets = []
    for sheet in book.worksheets:
        rows = []
        for row in sheet.iter_rows(min_row=1, max_row=max(sheet.max_row, 1),
                                   max_col=max(sheet.max_column, 1), values_only=True):
            rows.append([_client_value(v, empty) for v in row])
        sheets.append({"name": sheet.title, "values": rows, "pictures": [], "tables": []})
    return {"client": client, "version": version,
            "book": {"name": path.name, "active_sheet_index": 0, "selection": "A1"},
            "names": [], "sheets": sheets}


def _client_value(value: Any, empty: Any) -> Any:
    if value is None:
        return empty
    if isinstance(value, datetime | date):
        moment = value if isinstance(value, datetime) else datetime(value.year, value.month,
                                                                    value.day)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return value


def apply_actions(payload: dict[str, Any], actions: list[dict[str, Any]]
                  ) -> tuple[dict[str, Any], dict[tuple[str, str], str | None]]:
    """Replay the actions on the payload the way a client would; returns the next payload
    (with the new tabs and values) and the colours set: (sheet, 'B5') -> colour."""
    sheets = [dict(s, values=[list(r) for r in s["values"]]) for s in payload["sheets"]]
    colours: dict[tuple[str, str], str | None] = {}
    for action in actions:
        func = action["func"]
        if func == "addSheet":
            index, name = action["args"]
            sheets.insert(index, {"name": name, "values": [[]], "pictures": [], "tables": []})
            continue
        if action["sheet_position"] is None:
            continue
        sheet = sheets[action["sheet_position"]]
        r0, c0 = action["start_row"], action["start_column"]
        if func == "sheetClear":
            sheet["values"] = [[]]
        elif func == "setValues":
            grid = sheet["values"]
            for r, row in enumerate(action["values"]):
                while len(grid) <= r0 + r:
                    grid.append([])
                line = grid[r0 + r]
                for c, value in enumerate(row):
                    while len(line) <= c0 + c:
                        line.append("")
                    line[c0 + c] = value
        elif func == "setRangeColor":
            for r in range(action["row_count"]):
                for c in range(action["column_count"]):
                    colours[(sheet["name"], _a1(r0 + r, c0 + c))] = action["args"][0]
    width = {id(s): max((len(r) for r in s["values"]), default=0) for s in sheets}
    for s in sheets:
        s["values"] = [r + [""] * (width[id(s)] - len(r)) for r in s["values"]] or [[]]
    return dict(payload, sheets=sheets), colours


def _a1(row: int, col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row + 1}"


@pytest.fixture
def office(tmp_path: Path) -> Path:
    """An office whose assets workbook has four planted defects."""
    loans = _with(_with(_with(LOANS, 3, 7, "2025-10-14"), 3, 1, "XSH-999"),
                  3, 4, "159-0015-900")
    build_office(tmp_path, LOANS=loans, ITEMS=_with(ITEMS, 1, 10, "坏了"))
    return tmp_path


@pytest.fixture
def server(office: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    app = create_app(load_config(office / "office.toml"), token=TOKEN, today=TODAY)
    with running(app) as url:
        yield url


def post(url: str, payload: dict[str, Any], button: str = "validate",
         token: str | None = TOKEN) -> requests.Response:
    headers = {"Authorization": token} if token else {}
    return requests.post(f"{url}/buttons/{button}", json=payload, headers=headers, timeout=120)


PLANTED = {("借用登记 ", "H4"), ("借用登记 ", "B4"), ("借用登记 ", "E4"), ("物资台账", "K2")}


@pytest.mark.parametrize("client", ["Google Apps Script", "VBA"])
def test_validate_writes_results_and_colours_every_faulty_cell(office, server, client):
    payload = client_book(office / "workbooks" / "assets.xlsx", client)
    answer = post(server, payload)
    assert answer.status_code == 200, answer.text
    actions = answer.json()["actions"]
    assert {a["func"] for a in actions} <= CLIENT_ACTIONS
    after, colours = apply_actions(payload, actions)
    marked = {key for key, colour in colours.items() if colour and key[0] != "校验结果"}
    assert marked == PLANTED
    assert colours[("借用登记 ", "H4")] == "#FFC7CE"
    results = next(s for s in after["sheets"] if s["name"] == "校验结果")
    assert [s["name"] for s in after["sheets"]][-1] == "校验结果"
    addresses = {str(row[0]) for row in results["values"][1:]}
    assert {f"{sheet}!{cell}" for sheet, cell in PLANTED} <= {
        a.replace("'", "") for a in addresses}
    links = [a for a in actions if a["func"] == "addHyperlink"]
    if client == "VBA":
        assert len(links) == len(PLANTED)
        assert all(a["args"][0].startswith("#'") for a in links)
    else:
        assert not links  # a '#Sheet!A1' link means nothing in Google Sheets
    alert = next(a for a in actions if a["func"] == "alert")
    assert "4 个错误" in alert["args"][0]
    for cell in PLANTED:
        sheet = next(s for s in after["sheets"] if s["name"] == cell[0])
        assert sheet["values"] == next(s for s in payload["sheets"]
                                       if s["name"] == cell[0])["values"]


def test_the_second_run_gives_fixed_cells_their_fill_back(office, server):
    payload = client_book(office / "workbooks" / "assets.xlsx")
    first, _ = apply_actions(payload, post(server, payload).json()["actions"])
    loans = next(s for s in first["sheets"] if s["name"] == "借用登记 ")
    loans["values"][3][4] = "15900159000"  # the officer fixes E4
    answer = post(server, first)
    assert answer.status_code == 200, answer.text
    actions = answer.json()["actions"]
    second, colours = apply_actions(first, actions)
    assert colours[("借用登记 ", "E4")] is None, "E4 gets its own (no) fill back"
    assert {k for k, v in colours.items() if v and k[0] != "校验结果"} == PLANTED - {
        ("借用登记 ", "E4")}
    assert [s["name"] for s in second["sheets"]].count("校验结果") == 1
    assert not [a for a in actions if a["func"] == "addSheet"], "the tab is reused"


def test_a_wrong_or_missing_token_is_401_and_nothing_runs(office, server):
    payload = client_book(office / "workbooks" / "assets.xlsx")
    assert post(server, payload, token=None).status_code == 401
    wrong = post(server, payload, token="not-the-token-at-all-000")
    assert wrong.status_code == 401 and "口令" in wrong.json()["error"]
    assert post(server, payload, token=f"Bearer {TOKEN}").status_code == 200


def test_another_xlwings_version_is_a_clear_400(office, server):
    payload = client_book(office / "workbooks" / "assets.xlsx", version="0.30.10")
    answer = post(server, payload)
    assert answer.status_code == 400
    assert "0.30.10" in answer.json()["error"] and xlwings.__version__ in answer.json()["error"]


def test_health_unknown_button_and_size_limit(office, server):
    health = requests.get(f"{server}/health", timeout=10).json()
    assert health["status"] == "ok" and health["xlwings"] == xlwings.__version__
    payload = client_book(office / "workbooks" / "assets.xlsx")
    assert post(server, payload, button="delete-everything").status_code == 404
    huge = dict(payload, padding="x" * (21 * 1024 * 1024))
    assert post(server, huge).status_code == 413


def test_kpi_button_fills_the_dashboard_tab(office, server):
    payload = client_book(office / "workbooks" / "roster.xlsx")
    answer = post(server, payload, button="kpi")
    assert answer.status_code == 200, answer.text
    after, _ = apply_actions(payload, answer.json()["actions"])
    tab = next(s for s in after["sheets"] if s["name"] == "KPI看板")
    assert tab["values"][0][0] == "指标"
    assert any(row[0] == "任务按时完成率" for row in tab["values"][1:])


def test_remind_previews_first_and_sends_only_on_the_second_click(office, server):
    outbox = office / "output" / "outbox"

    def files() -> list[Path]:
        return sorted(p for p in outbox.rglob("*") if p.is_file()) if outbox.exists() else []

    payload = client_book(office / "workbooks" / "assets.xlsx")
    first, _ = apply_actions(payload, post(server, payload, "remind").json()["actions"])
    preview = next(s for s in first["sheets"] if s["name"] == "提醒预览")
    assert preview["values"][0][0] == "确认码" and len(preview["values"]) > 2
    assert files() == [], "the first click sends nothing"
    second, _ = apply_actions(first, post(server, first, "remind").json()["actions"])
    sent = files()
    assert sent, "the second click sends"
    result = next(s for s in second["sheets"] if s["name"] == "提醒预览")
    assert "已发送" in str(result["values"][0][1])
    again = post(server, second, "remind").json()["actions"]
    third, _ = apply_actions(second, again)
    fourth = post(server, third, "remind").json()["actions"]
    assert files() == sent, "nothing is sent twice"
    assert any(a["func"] == "alert" for a in fourth)


def test_a_book_that_is_no_register_gets_an_alert(office, server):
    payload = {"client": "Google Apps Script", "version": xlwings.__version__,
               "book": {"name": "购物清单", "active_sheet_index": 0, "selection": "A1"},
               "names": [], "sheets": [{"name": "Sheet1", "values": [["牛奶", 2]],
                                        "pictures": [], "tables": []}]}
    answer = post(server, payload)
    assert answer.status_code == 200
    alert = next(a for a in answer.json()["actions"] if a["func"] == "alert")
    assert "不像是学生会的台账" in alert["args"][0]


def test_clerk_serve_runs_as_a_command(office):
    port = free_port()
    env = dict(os.environ, CLERK_SERVER_TOKEN=TOKEN, XLWINGS_LICENSE_KEY="noncommercial")
    process = subprocess.Popen([sys.executable, "-m", "automation", "serve", "--port",
                                str(port)], cwd=office, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, encoding="utf-8")
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{port}/health", timeout=1).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.2)
        payload = client_book(office / "workbooks" / "assets.xlsx")
        answer = post(f"http://127.0.0.1:{port}", payload)
        assert answer.status_code == 200, answer.text
        assert any(a["func"] == "setRangeColor" for a in answer.json()["actions"])
    finally:
        process.terminate()
        process.wait(10)
    missing = clerk("serve", cwd=office, env={k: v for k, v in os.environ.items()
                                              if k != "CLERK_SERVER_TOKEN"})
    assert missing.returncode == 2 and "CLERK_SERVER_TOKEN" in missing.stderr
    assert "没有设置" in missing.stderr
    short = clerk("serve", cwd=office, env=dict(os.environ, CLERK_SERVER_TOKEN="abc12345"))
    assert short.returncode == 2 and short.stderr.strip().count("\n") == 0
    assert "CLERK_SERVER_TOKEN" in short.stderr and "8 个字符" in short.stderr
    assert "太短" in short.stderr and "没有设置" not in short.stderr


def test_an_officers_formula_text_is_written_back_as_text(office, server):
    payload = client_book(office / "workbooks" / "assets.xlsx")
    items = next(s for s in payload["sheets"] if s["name"] == "物资台账")
    items["values"][1][10] = "=HYPERLINK(\"http://evil.example\",\"坏了\")"
    actions = post(server, payload).json()["actions"]
    written = [v for a in actions if a["func"] == "setValues" for row in a["values"]
               for v in row if isinstance(v, str)]
    assert any(v.startswith("'=HYPERLINK") for v in written)
    assert not any(v.startswith("=") for v in written)
