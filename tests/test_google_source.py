"""Google Sheets registers, end to end through the real gspread and google-auth code talking
HTTP to the Sheets API stand-in (tests/sheets_standin.py), with a real service-account token
exchange. The same office is also kept as xlsx files; both must say the same things."""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import clerk, write_config

from automation.config import load_config
from automation.errors import SourceError
from automation.sources.google import (
    GoogleConnection,
    Pacer,
    RetryPolicy,
    TransportSettings,
    retry_after_seconds,
)

pytest_plugins = ["sheets_standin"]

DEMO_DAY = "2025-12-15"
REGISTER_KEYS = ("roster", "assets", "finance", "cases")


def _cell(value: Any) -> Any:
    """openpyxl's value as an officer's cell in Google Sheets."""
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date()
    return value


def workbook_tabs(path: Path) -> dict[str, list[list[Any]]]:
    book = openpyxl.load_workbook(path, data_only=True)
    return {sheet.title: [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            for sheet in book.worksheets}


@pytest.fixture(scope="module")
def demo_office(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("xlsx-office") / "office"
    done = clerk("init", "--demo", str(folder), "--today", DEMO_DAY)
    assert done.returncode == 0, done.stderr
    return folder


def google_office(folder: Path, standin: Any, xlsx_office: Path, *, extra: str = "",
                  credentials: dict[str, Any] | None = None, shared: bool = True,
                  write_back: bool = False) -> dict[str, str]:
    """The xlsx office's four registers copied into stand-in spreadsheets, and an office.toml
    in `folder` that names them. Returns register -> spreadsheet key."""
    info = credentials or standin.service_account_info()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "secrets").mkdir(exist_ok=True)
    (folder / "secrets" / "google.json").write_text(json.dumps(info), encoding="utf-8")
    keys = {}
    for register in REGISTER_KEYS:
        tabs = workbook_tabs(xlsx_office / "workbooks" / f"{register}.xlsx")
        keys[register] = standin.create_spreadsheet(
            f"{register} 台账", tabs, shared_with=None if shared else ["someone@else.org"])
    config = (xlsx_office / "office.toml").read_text(encoding="utf-8")
    for register, key in keys.items():
        config = config.replace(f'{register} = "workbooks/{register}.xlsx"',
                                f'{register} = {{ google_sheet = "{key}" }}')
    if write_back:
        config = config.replace("write_back = false", "write_back = true")
    config += (f'\n[google]\ncredentials = "secrets/google.json"\n'
               f'api_endpoint = "{standin.url}"\ngive_up_after = 20\n{extra}')
    (folder / "office.toml").write_text(config, encoding="utf-8")
    return keys


def comparable(findings: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted((f["register"], f["table"], f.get("sheet"), f.get("cell"), f["code"],
                   f["severity"], f.get("message")) for f in findings)


def run_json(*args: str, cwd: Path) -> tuple[int, dict[str, Any], str]:
    done = clerk(*args, "--format", "json", cwd=cwd)
    assert done.stdout.strip(), done.stderr
    return done.returncode, json.loads(done.stdout), done.stderr


def test_findings_and_kpis_match_the_xlsx_office_within_three_calls(
        tmp_path, demo_office, sheets_standin):
    keys = google_office(tmp_path / "g", sheets_standin, demo_office)
    sheets_standin.reset_calls()

    code_x, from_files, _ = run_json("validate", cwd=demo_office)
    code_g, from_google, err = run_json("validate", cwd=tmp_path / "g")
    assert code_g == code_x == 1, err
    assert from_google["findings"], "the demo office has planted defects"
    assert comparable(from_google["findings"]) == comparable(from_files["findings"])
    assert all(f["source"].startswith("https://docs.google.com/spreadsheets/d/")
               for f in from_google["findings"])
    for key in keys.values():
        kinds = [c.kind for c in sheets_standin.calls_for(key)]
        assert len(kinds) <= 3 and kinds == ["metadata", "values.batchGet"], kinds
    assert sheets_standin.tokens_issued >= 1

    sheets_standin.reset_calls()
    args = ("kpi", "--period", "2025-fall", "--today", DEMO_DAY)
    _, kpi_files, _ = run_json(*args, cwd=demo_office)
    _, kpi_google, err = run_json(*args, cwd=tmp_path / "g")
    assert kpi_google == kpi_files, err
    for key in keys.values():
        assert len(sheets_standin.calls_for(key)) <= 3


def test_write_back_adds_only_its_own_tab(tmp_path, demo_office, sheets_standin):
    keys = google_office(tmp_path / "g", sheets_standin, demo_office, write_back=True)
    before = {key: {tab: sheets_standin.cells(key, tab) for tab in sheets_standin.tabs(key)}
              for key in keys.values()}
    for run in range(2):
        sheets_standin.reset_calls()
        done = clerk("validate", cwd=tmp_path / "g")
        assert done.returncode == 1, done.stderr
        for register, key in keys.items():
            tabs = sheets_standin.tabs(key)
            assert tabs == [*before[key], "校验结果"], (run, tabs)
            for tab, cells in before[key].items():
                assert sheets_standin.cells(key, tab) == cells, (register, tab)
            kinds = [c.kind for c in sheets_standin.calls_for(key)]
            assert kinds == ["metadata", "values.batchGet", "batchUpdate",
                             "values.batchUpdate"], kinds
            written = sheets_standin.cells(key, "校验结果")
            assert written[0][0] and sheets_standin.sheet_properties(
                key, "校验结果")["gridProperties"].get("frozenRowCount") == 1
    finance = sheets_standin.cells(keys["finance"], "校验结果")
    assert any("K3" in " ".join(map(str, row)) for row in finance[1:]), finance
    assert "写入 Google 表格" in done.stderr


def test_retry_after_is_honoured_and_the_read_succeeds(tmp_path, demo_office, sheets_standin):
    keys = google_office(tmp_path / "g", sheets_standin, demo_office)
    config = load_config(tmp_path / "g" / "office.toml")
    slept: list[float] = []
    settings = TransportSettings(endpoint=sheets_standin.url, timeout=5,
                                 retry=RetryPolicy(give_up_after=60, jitter=lambda a, b: b),
                                 sleep=slept.append)
    connection = GoogleConnection(config, settings=settings)
    sheets_standin.fail_next(429, times=2, retry_after=7)
    workbook = connection.read(keys["roster"])
    assert workbook.sheets and slept[:2] == [7.0, 7.0]
    sheets_standin.fail_next(503, times=1)
    connection.read(keys["assets"])
    assert connection.log.retries == 3


def test_a_sheet_that_keeps_failing_is_given_up_in_bounded_time(tmp_path, demo_office,
                                                                sheets_standin):
    keys = google_office(tmp_path / "g", sheets_standin, demo_office)
    config = load_config(tmp_path / "g" / "office.toml")
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    settings = TransportSettings(endpoint=sheets_standin.url, timeout=5,
                                 retry=RetryPolicy(give_up_after=90), clock=lambda: now[0],
                                 sleep=sleep)
    sheets_standin.fail_next(503, times=1000)
    with pytest.raises(SourceError) as caught:
        GoogleConnection(config, settings=settings).read(keys["cases"], "cases")
    assert caught.value.key == "google.gave_up"
    assert now[0] <= 90
    message = caught.value.message()
    assert keys["cases"] in message and "registers.cases" in message and "503" in message


def test_the_command_line_gives_up_with_one_line(tmp_path, demo_office, sheets_standin):
    google_office(tmp_path / "g", sheets_standin, demo_office,
                  extra="timeout = 1\n")
    text = (tmp_path / "g" / "office.toml").read_text(encoding="utf-8")
    (tmp_path / "g" / "office.toml").write_text(
        text.replace("give_up_after = 20", "give_up_after = 3"), encoding="utf-8")
    sheets_standin.fail_next(500, times=1000)
    started = time.monotonic()
    done = clerk("validate", cwd=tmp_path / "g")
    assert done.returncode == 2
    assert time.monotonic() - started < 60
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert "放弃" in done.stderr and "HTTP 500" in done.stderr


def test_a_slow_answer_times_out_and_is_retried(tmp_path, demo_office, sheets_standin):
    keys = google_office(tmp_path / "g", sheets_standin, demo_office)
    config = load_config(tmp_path / "g" / "office.toml")
    settings = TransportSettings(endpoint=sheets_standin.url, timeout=0.5,
                                 retry=RetryPolicy(give_up_after=30, base=0.05))
    connection = GoogleConnection(config, settings=settings)
    connection.metadata(keys["roster"])
    sheets_standin.delay_next(2.0, times=1)
    workbook = connection.read(keys["roster"])
    assert workbook.sheets and connection.log.retries >= 1


def test_not_shared_and_unknown_sheets_say_what_to_do(tmp_path, demo_office, sheets_standin):
    info = sheets_standin.service_account_info("clerk-bot@union-test.iam.gserviceaccount.com")
    google_office(tmp_path / "g", sheets_standin, demo_office, credentials=info, shared=False)
    done = clerk("validate", cwd=tmp_path / "g")
    assert done.returncode == 2
    assert "clerk-bot@union-test.iam.gserviceaccount.com" in done.stderr
    assert "共享" in done.stderr and "Traceback" not in done.stderr

    text = (tmp_path / "g" / "office.toml").read_text(encoding="utf-8")
    missing = "1" + "x" * 43
    lines = [f'roster = {{ google_sheet = "{missing}" }}' if line.startswith("roster =")
             else line for line in text.splitlines()]
    (tmp_path / "g" / "office.toml").write_text("\n".join(lines), encoding="utf-8")
    done = clerk("validate", "--register", "roster", cwd=tmp_path / "g")
    assert done.returncode == 2 and missing in done.stderr and "找不到" in done.stderr


def test_a_refused_key_is_one_line_without_secrets(tmp_path, demo_office, sheets_standin):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    info = sheets_standin.service_account_info()
    forged = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    info["private_key"] = forged.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()).decode()
    google_office(tmp_path / "g", sheets_standin, demo_office, credentials=info)
    for args in (("validate",), ("validate", "--debug"), ("nightly", "--today", DEMO_DAY)):
        done = clerk(*args, cwd=tmp_path / "g")
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert "invalid_grant" in done.stdout + done.stderr
        secret_line = info["private_key"].splitlines()[5]
        assert secret_line not in done.stdout + done.stderr
    logs = list((tmp_path / "g" / ".clerk").rglob("*.log*"))
    for log in logs:
        assert info["private_key"].splitlines()[5] not in log.read_text(encoding="utf-8")


def test_an_oauth_login_file_works_too(tmp_path, demo_office, sheets_standin):
    keys = google_office(tmp_path / "g", sheets_standin, demo_office,
                         credentials=sheets_standin.authorized_user_info())
    sheets_standin.reset_calls()
    done = clerk("validate", "--register", "assets", cwd=tmp_path / "g")
    assert done.returncode in (0, 1), done.stderr
    assert [c.kind for c in sheets_standin.calls_for(keys["assets"])][:2] == [
        "metadata", "values.batchGet"]


def test_credentials_may_come_from_the_environment(tmp_path, demo_office, sheets_standin):
    import os
    import subprocess
    import sys

    google_office(tmp_path / "g", sheets_standin, demo_office)
    secret = (tmp_path / "g" / "secrets" / "google.json").read_text(encoding="utf-8")
    (tmp_path / "g" / "secrets" / "google.json").unlink()
    done = clerk("validate", cwd=tmp_path / "g")
    assert done.returncode == 2 and "google.json" in done.stderr
    env = dict(os.environ, CLERK_GOOGLE_CREDENTIALS=secret)
    done = subprocess.run([sys.executable, "-m", "automation", "validate"], cwd=tmp_path / "g",
                          env=env, capture_output=True, text=True, encoding="utf-8",
                          timeout=300)
    assert done.returncode == 1, done.stderr


def test_pacing_keeps_inside_the_quota():
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    pacer = Pacer({"read": 3}, clock=lambda: now[0], sleep=sleep)
    starts = []
    for _ in range(7):
        pacer.wait_turn("read")
        starts.append(now[0])
    assert starts == [0, 0, 0, 60, 60, 60, 120]
    assert pacer.wait_turn("write") == 0


def test_retry_after_forms():
    assert retry_after_seconds("12") == 12
    assert retry_after_seconds(None) is None
    when = "Wed, 21 Oct 2015 07:28:00 GMT"
    half_a_minute_before = datetime(2015, 10, 21, 7, 27, 30, tzinfo=UTC).timestamp()
    assert retry_after_seconds(when, now=half_a_minute_before) == 30
    assert retry_after_seconds("soon") is None
    policy = RetryPolicy(jitter=lambda a, b: b, cap=8)
    assert [policy.delay(n, None) for n in range(5)] == [1, 2, 4, 8, 8]
    assert policy.delay(0, 30) == 30
    # The shared rule (automation/_retry.py): equal jitter, never less than half the
    # back-off (it was "full jitter", down to 0 s); Retry-After honoured up to 2 minutes.
    assert [RetryPolicy(jitter=lambda a, b: a, cap=8).delay(n) for n in range(5)] == [
        0.5, 1, 2, 4, 4]
    assert policy.delay(0, 3600) == 120


@pytest.mark.parametrize("register", ["assets", "cases"])
def test_init_lays_out_a_blank_spreadsheet(tmp_path, sheets_standin, register):
    info = sheets_standin.service_account_info()
    folder = tmp_path / "o"
    assert clerk("init", str(folder)).returncode == 0
    (folder / "google.json").write_text(json.dumps(info), encoding="utf-8")
    key = sheets_standin.create_spreadsheet(register, {"工作表1": []})
    text = (folder / "office.toml").read_text(encoding="utf-8")
    text = text.replace(f'{register} = "workbooks/{register}.xlsx"',
                        f'{register} = {{ google_sheet = "{key}" }}')
    text += f'\n[google]\ncredentials = "google.json"\napi_endpoint = "{sheets_standin.url}"\n'
    (folder / "office.toml").write_text(text, encoding="utf-8")

    done = clerk("init", "--google", f"https://docs.google.com/spreadsheets/d/{key}/edit",
                 "--register", register, cwd=folder)
    assert done.returncode == 0, done.stderr
    tabs = sheets_standin.tabs(key)
    assert "工作表1" not in tabs and "填写说明" in tabs
    from automation.registers import REGISTERS
    from automation.templates import header_label

    for table in REGISTERS[register].tables:
        title = table.label.get("zh-Hans")
        assert sheets_standin.cells(key, title)[0] == [header_label(c, "zh-Hans")
                                                       for c in table.columns]
        assert sheets_standin.sheet_properties(key, title)["gridProperties"][
            "frozenRowCount"] == 1
        enum_columns = [c for c in table.columns if c.kind.value in ("enum", "bool")]
        assert len(sheets_standin.data_validations(key, title)) == len(enum_columns)
        assert sheets_standin.notes(key, title)
    done = clerk("validate", "--register", register, cwd=folder)
    assert done.returncode == 0, done.stdout + done.stderr

    before = {tab: sheets_standin.cells(key, tab) for tab in sheets_standin.tabs(key)}
    again = clerk("init", "--google", key, "--register", register, cwd=folder)
    assert again.returncode == 2 and "已经有内容" in again.stderr
    assert {tab: sheets_standin.cells(key, tab) for tab in sheets_standin.tabs(key)} == before


def test_date_times_move_from_the_sheets_zone_to_the_offices(tmp_path, demo_office,
                                                             sheets_standin):
    from automation.load import load_office

    keys = google_office(tmp_path / "g", sheets_standin, demo_office)
    tabs = workbook_tabs(demo_office / "workbooks" / "cases.xlsx")
    moved = sheets_standin.create_spreadsheet("cases NY", tabs, time_zone="America/New_York")
    text = (tmp_path / "g" / "office.toml").read_text(encoding="utf-8")
    (tmp_path / "g" / "office.toml").write_text(text.replace(keys["cases"], moved),
                                                encoding="utf-8")
    here = load_office(load_config(demo_office / "office.toml"), ["cases"])
    there = load_office(load_config(tmp_path / "g" / "office.toml"), ["cases"])
    name = next(n for n in here.tables if n.startswith("cases."))
    column = next(c.key for c in here[name].table.columns if c.kind.value == "datetime")
    a = here.frame(name)[column].dropna()
    b = there.frame(name)[column].dropna()
    assert len(a) == len(b) > 0
    assert ((b - a).dt.total_seconds() / 3600).isin([12, 13]).all()


def test_a_snapshot_of_google_registers_verifies(tmp_path, demo_office, sheets_standin):
    import bagit

    google_office(tmp_path / "g", sheets_standin, demo_office)
    done = clerk("archive", "--period", "2025-fall", "--today", DEMO_DAY, "-o",
                 str(tmp_path / "bags"), cwd=tmp_path / "g")
    assert done.returncode in (0, 1), done.stderr
    bag_dir = next(p for p in (tmp_path / "bags").iterdir() if p.is_dir())
    bagit.Bag(str(bag_dir)).validate()
    exported = list((bag_dir / "data" / "registers" / "cases").glob("*.xlsx"))
    assert exported
    book = openpyxl.load_workbook(exported[0])
    values = [v for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
              for v in row]
    assert any(isinstance(v, datetime) for v in values)
    info = (bag_dir / "bag-info.txt").read_text(encoding="utf-8")
    assert "docs.google.com/spreadsheets/d/" in info
    assert "private_key" not in "".join(p.read_text(encoding="utf-8", errors="ignore")
                                        for p in bag_dir.rglob("*.txt"))
    assert date(2025, 12, 15).isoformat() in info


class _OAuthServer:
    """Google's authorization and token endpoints as far as the installed-app flow needs
    them: /auth approves at once and redirects back with a code; /token swaps the code."""

    def __init__(self) -> None:
        import threading
        import urllib.parse
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        server = self
        self.codes: dict[str, str] = {}
        self.refresh_token = "1//refresh-token-for-the-test-0123456789"

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                code = "code-" + query["state"][:8]
                server.codes[code] = query["redirect_uri"]
                target = query["redirect_uri"] + "?" + urllib.parse.urlencode(
                    {"code": code, "state": query["state"], "scope": query["scope"]})
                self.send_response(302)
                self.send_header("Location", target)
                self.end_headers()

            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                ok = (form.get("grant_type") == "authorization_code"
                      and server.codes.get(form.get("code", "")) == form.get("redirect_uri"))
                body = ({"access_token": "ya29.test-access", "expires_in": 3599,
                         "refresh_token": server.refresh_token, "token_type": "Bearer",
                         "scope": "https://www.googleapis.com/auth/spreadsheets"}
                        if ok else {"error": "invalid_grant"})
                data = json.dumps(body).encode()
                self.send_response(200 if ok else 400)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def test_google_login_keeps_a_refresh_token_for_the_nightly_job(tmp_path):
    import os
    import re
    import subprocess
    import sys
    import urllib.request

    from automation.sources.google import credentials_info

    oauth = _OAuthServer()
    try:
        folder = tmp_path / "o"
        assert clerk("init", str(folder)).returncode == 0
        client = {"installed": {
            "client_id": "123-test.apps.googleusercontent.com", "client_secret": "GOCSPX-test",
            "auth_uri": oauth.url + "/auth", "token_uri": oauth.url + "/token",
            "redirect_uris": ["http://localhost"]}}
        (tmp_path / "client_secret.json").write_text(json.dumps(client), encoding="utf-8")
        env = dict(os.environ, PYTHONUNBUFFERED="1", OAUTHLIB_INSECURE_TRANSPORT="1")
        login = subprocess.Popen(
            [sys.executable, "-m", "automation", "google-login",
             str(tmp_path / "client_secret.json"), "--no-browser"],
            cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            encoding="utf-8")
        assert login.stdout is not None
        line = ""
        while "http" not in line:
            line = login.stdout.readline()
            assert line, login.stderr.read() if login.stderr else ""
        url = re.search(r"https?://\S+", line)
        assert url and url.group(0).startswith(oauth.url + "/auth")
        with urllib.request.urlopen(url.group(0), timeout=30) as answer:
            assert answer.status == 200
        out, err = login.communicate(timeout=60)
        assert login.returncode == 0, err
    finally:
        oauth.close()
    saved = folder / ".clerk" / "google-authorized-user.json"
    assert str(saved.name) in out and "credentials" in out
    info = json.loads(saved.read_text(encoding="utf-8"))
    assert info["type"] == "authorized_user" and info["refresh_token"] == oauth.refresh_token
    if os.name == "posix":
        assert saved.stat().st_mode & 0o077 == 0
    text = (folder / "office.toml").read_text(encoding="utf-8")
    (folder / "office.toml").write_text(
        text + '\n[google]\ncredentials = ".clerk/google-authorized-user.json"\n',
        encoding="utf-8")
    assert credentials_info(load_config(folder / "office.toml"))[0]["client_id"] == \
        client["installed"]["client_id"]


def test_nightly_reads_each_spreadsheet_once_and_writes_back_once(tmp_path, demo_office,
                                                                  sheets_standin):
    keys = google_office(tmp_path / "g", sheets_standin, demo_office, write_back=True)
    sheets_standin.reset_calls()
    done = clerk("nightly", "--today", DEMO_DAY, cwd=tmp_path / "g")
    assert done.returncode in (0, 1), done.stdout + done.stderr
    for key in keys.values():
        kinds = [c.kind for c in sheets_standin.calls_for(key)]
        assert kinds == ["metadata", "values.batchGet", "batchUpdate", "values.batchUpdate"]
        tabs = sheets_standin.tabs(key)
        owned = [tab for tab in tabs if tab in ("校验结果", "KPI看板", "提醒记录")]
        assert owned and tabs[-len(owned):] == owned
    assert "KPI看板" in sheets_standin.tabs(keys["roster"])
    assert any((tmp_path / "g" / "output").rglob("*.html"))


def test_a_value_too_short_to_be_a_key_says_what_a_key_looks_like(tmp_path):
    """Not pydantic's "Input should be a valid string": the key, where it is in the
    address, and that the whole address works too."""
    write_config(tmp_path, {}, extra='cases = { google_sheet = "1AbC" }\n')
    done = clerk("validate", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    line = done.stderr.strip()
    assert line.count("\n") == 0
    assert "registers.cases.google_sheet" in line and '"1AbC"' in line
    assert "/d/" in line and "https://docs.google.com/spreadsheets/d/" in line
    assert "valid string" not in line
