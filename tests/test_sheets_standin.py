"""The Sheets stand-in is only worth having if it answers like Google. Two kinds of check:

* replay: every request gspread's own test suite sent to Google (the vcrpy recordings in
  ../shared/google-sheets-recordings, absent in CI) goes to the stand-in in order, and the
  answers are compared with Google's after mapping ids;
* direct: the real gspread + google-auth code against the stand-in (token exchange, errors,
  injected failures, round trips).
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import json
import re
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import gspread
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth.exceptions import RefreshError
from google.auth.transport.requests import AuthorizedSession, Request
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account
from sheets_standin import CellError, Formula, SheetsStandIn

pytest_plugins = ["sheets_standin"]

ROOT = Path(__file__).resolve().parents[1]
RECORDINGS = ROOT.parent / "shared" / "google-sheets-recordings"
SCOPES = ["https://www.googleapis.com/auth/spreadsheets", "https://www.googleapis.com/auth/drive"]
# google-auth sends authorized-user refreshes to oauth2.googleapis.com whatever the JSON's
# token_uri says, and looks up "allowed locations" at iamcredentials in the background.
GOOGLE_HOSTS = ("https://sheets.googleapis.com", "https://www.googleapis.com",
                "https://oauth2.googleapis.com", "https://iamcredentials.googleapis.com")
SERVICE_ACCOUNT = re.compile(r"[\w.+-]+@[\w-]+\.iam\.gserviceaccount\.com")

# Thresholds for the replay, from what it achieves (see the report it prints).
MIN_CASSETTES = 110
MIN_READS = 750


def to_standin(url: str, base: str) -> str:
    for host in GOOGLE_HOSTS:
        if url.startswith(host):
            return base + url[len(host):]
    return url


class RewritingSession(requests.Session):
    """Plain session for google-auth's own requests, sent to the stand-in. google-auth
    deep-copies it for its background "allowed locations" lookup, hence `__attrs__`."""

    __attrs__: ClassVar[list[str]] = [*requests.Session.__attrs__, "base"]

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base

    def request(self, method: str | bytes, url: str | bytes, *args: Any,  # type: ignore[override]
                **kwargs: Any) -> requests.Response:
        return super().request(method, to_standin(str(url), self.base), *args, **kwargs)


class LocalSession(AuthorizedSession):
    """An AuthorizedSession whose Google URLs go to the stand-in (token_uri already does)."""

    def __init__(self, credentials: Any, base: str) -> None:
        super().__init__(credentials, auth_request=Request(RewritingSession(base)))
        self.base = base

    def request(self, method: str, url: str, *args: Any,  # type: ignore[override]
                **kwargs: Any) -> requests.Response:
        return super().request(method, to_standin(url, self.base), *args, **kwargs)


def sa_credentials(standin: SheetsStandIn, **info: Any) -> service_account.Credentials:
    data = {**standin.service_account_info(), **info}
    return service_account.Credentials.from_service_account_info(data, scopes=SCOPES)


def gspread_client(standin: SheetsStandIn, credentials: Any = None) -> gspread.Client:
    credentials = credentials or sa_credentials(standin)
    return gspread.Client(auth=credentials, session=LocalSession(credentials, standin.url))


# --- replay of Google's recorded answers --------------------------------------------------


@dataclass
class Replay:
    cassette: str
    compared: int = 0
    reads: int = 0
    mismatches: list[str] = field(default_factory=list)


@dataclass
class IdMaps:
    """Recorded ids -> the stand-in's, learnt from the answers that create them."""

    keys: dict[str, str] = field(default_factory=dict)
    sheets: dict[int, int] = field(default_factory=lambda: {0: 0})
    protected: dict[int, int] = field(default_factory=dict)
    named: dict[str, str] = field(default_factory=dict)

    def forward(self, value: Any) -> Any:
        return _map_ids(value, self.keys, self.sheets, self.protected, self.named)

    def back(self, value: Any) -> Any:
        return _map_ids(value, {v: k for k, v in self.keys.items()},
                        {v: k for k, v in self.sheets.items()},
                        {v: k for k, v in self.protected.items()},
                        {v: k for k, v in self.named.items()})


def _map_ids(value: Any, keys: dict[str, str], sheets: dict[int, int], protected: dict[int, int],
             named: dict[str, str]) -> Any:
    if isinstance(value, dict):
        out = {}
        for name, item in value.items():
            if name == "sheetId" and isinstance(item, int):
                out[name] = sheets.get(item, item)
            elif name == "protectedRangeId" and isinstance(item, int):
                out[name] = protected.get(item, item)
            elif name == "namedRangeId" and isinstance(item, str):
                out[name] = named.get(item, item)
            else:
                out[name] = _map_ids(item, keys, sheets, protected, named)
        return out
    if isinstance(value, list):
        return [_map_ids(item, keys, sheets, protected, named) for item in value]
    if isinstance(value, str):
        for old, new in keys.items():
            value = value.replace(old, new)
        return SERVICE_ACCOUNT.sub("<service account>", value)
    return value


def kind_of(method: str, uri: str) -> str:
    """The stand-in's name for a recorded request."""
    path = urllib.parse.urlsplit(uri).path
    if path.startswith("/drive/v3/files"):
        return {"POST": "drive.create", "GET": "drive.get", "DELETE": "drive.delete"}[method]
    if "/values:" in path:
        return "values." + path.rsplit(":", 1)[1]
    if "/values/" in path:
        if method == "POST":
            return "values." + path.rsplit(":", 1)[1]
        return {"GET": "values.get", "PUT": "values.update"}[method]
    return "batchUpdate" if path.endswith(":batchUpdate") else "metadata"


def unsupported(interactions: list[dict[str, Any]]) -> str | None:
    """Why a cassette needs something the stand-in does not claim to model, if it does."""
    resized = False
    for item in interactions:
        request = item["request"]
        parts = urllib.parse.urlsplit(request["uri"])
        path, method = parts.path, request["method"]
        if path.startswith("/upload/"):
            return "uploads a file through Drive (import_csv)"
        if path.startswith("/drive/"):
            tail = path[len("/drive/v3/files"):].strip("/")
            if not tail and method == "GET":
                return "lists files through Drive (files.list)"
            if "/" in tail:
                return f"uses Drive files.{tail.rsplit('/', 1)[1]}"
            continue
        if path.endswith(":batchUpdate") and "/values" not in path:
            for entry in json.loads(request["body"])["requests"]:
                name = next(iter(entry))
                if name not in SheetsStandIn.SUPPORTED_REQUESTS:
                    return f"uses batchUpdate {name}"
                resized = resized or name == "autoResizeDimensions"
        if resized and "columnMetadata" in urllib.parse.unquote(parts.query):
            return "reads column pixel widths after autoResizeDimensions (not modelled)"
    return None


def _diff(label: str, want: Any, got: Any) -> str:
    left = json.dumps(want, indent=1, sort_keys=True, ensure_ascii=False).splitlines()
    right = json.dumps(got, indent=1, sort_keys=True, ensure_ascii=False).splitlines()
    lines = list(difflib.unified_diff(left, right, "google", "stand-in", lineterm="", n=1))
    return f"{label}\n" + "\n".join(lines[:40])


def comparable(kind: str, query: str, body: Any) -> Any:
    """The part of an answer that the stand-in must reproduce exactly."""
    if not isinstance(body, dict):
        return body
    if "error" in body:
        return body
    if kind == "metadata" and "fields=" not in query:
        props = body.get("properties", {})
        return {"spreadsheetId": body.get("spreadsheetId"),
                "spreadsheetUrl": body.get("spreadsheetUrl"),
                "properties": {k: props.get(k) for k in ("title", "locale", "timeZone",
                                                         "autoRecalc")},
                "sheets": body.get("sheets"), "namedRanges": body.get("namedRanges")}
    if kind == "drive.get":
        return {k: body.get(k) for k in ("id", "name")}
    return body


def replay_cassette(standin: SheetsStandIn, session: LocalSession, name: str,
                    interactions: list[dict[str, Any]]) -> Replay:
    result = Replay(name)
    ids = IdMaps()
    for number, item in enumerate(interactions):
        request, recorded = item["request"], item["response"]
        method, uri = request["method"], request["uri"]
        kind = kind_of(method, uri)
        status = recorded["status"]["code"]
        key = re.search(r"/(?:spreadsheets|files)/([^/:?]+)", uri)
        if key and key.group(1) not in ids.keys and status == 403:
            # A spreadsheet that exists but is not shared with the caller.
            ids.keys[key.group(1)] = standin.create_spreadsheet(
                "Someone else's", {"Sheet1": []}, shared_with=["someone.else@example.com"])
        url = to_standin(ids.forward(uri), standin.url)
        body = request["body"]
        data = None
        if body:
            data = json.dumps(ids.forward(json.loads(body)), ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"} if data else {}
        answer = session.request(method, url, data=data, headers=headers)
        got = answer.json() if answer.content else None
        want = json.loads(recorded["body"]["string"]) if recorded["body"]["string"] else None
        label = f"{name} #{number} {method} {urllib.parse.unquote(uri)[:140]}"
        if answer.status_code != status:
            result.mismatches.append(f"{label}: status {answer.status_code}, Google {status}\n"
                                     f"{json.dumps(got, ensure_ascii=False)[:600]}")
            continue
        if kind == "drive.create" and want:
            ids.keys[want["id"]] = got["id"]
        if kind == "batchUpdate" and want and "replies" in want:
            for mine, theirs in zip(got["replies"], want["replies"], strict=False):
                if "addSheet" in theirs:
                    ids.sheets[theirs["addSheet"]["properties"]["sheetId"]] = \
                        mine["addSheet"]["properties"]["sheetId"]
                if "addProtectedRange" in theirs:
                    ids.protected[theirs["addProtectedRange"]["protectedRange"][
                        "protectedRangeId"]] = mine["addProtectedRange"]["protectedRange"][
                        "protectedRangeId"]
                if "addNamedRange" in theirs:
                    ids.named[theirs["addNamedRange"]["namedRange"]["namedRangeId"]] = \
                        mine["addNamedRange"]["namedRange"]["namedRangeId"]
        if kind == "drive.delete":
            continue
        query = urllib.parse.urlsplit(uri).query
        expected = comparable(kind, query, _map_ids(want, {}, {}, {}, {}))
        actual = comparable(kind, query, ids.back(got))
        result.compared += 1
        if kind in ("metadata", "values.get", "values.batchGet"):
            result.reads += 1
        if expected != actual:
            result.mismatches.append(_diff(label, expected, actual))
    return result


def test_replay_matches_google_recordings(sheets_standin: SheetsStandIn) -> None:
    """Every supported recorded request answers as Google did."""
    if not RECORDINGS.is_dir():
        pytest.skip(f"Google's recorded answers are not beside the project ({RECORDINGS})")
    session = LocalSession(sa_credentials(sheets_standin), sheets_standin.url)
    results: list[Replay] = []
    skipped: dict[str, str] = {}
    for path in sorted(RECORDINGS.glob("*.json")):
        interactions = json.loads(path.read_text(encoding="utf-8"))["interactions"]
        reason = unsupported(interactions)
        if reason:
            skipped[path.stem] = reason
            continue
        results.append(replay_cassette(sheets_standin, session, path.stem, interactions))
    for result in results:
        state = "ok" if not result.mismatches else f"{len(result.mismatches)} MISMATCHES"
        print(f"{result.cassette}: {result.compared} answers compared "
              f"({result.reads} reads): {state}")
    for cassette, reason in skipped.items():
        print(f"{cassette}: skipped, {reason}")
    compared = sum(r.compared for r in results)
    reads = sum(r.reads for r in results)
    summary = (f"{len(results)} cassettes replayed, {len(skipped)} skipped; {compared} answers "
               f"compared, {reads} of them reads")
    print(summary)
    mismatches = [m for r in results for m in r.mismatches]
    assert not mismatches, summary + "\n\n" + "\n\n".join(mismatches[:30])
    assert len(results) >= MIN_CASSETTES, summary
    assert reads >= MIN_READS, summary


# --- the real client against the stand-in --------------------------------------------------


@pytest.fixture
def roster(sheets_standin: SheetsStandIn) -> str:
    """A zh_CN spreadsheet like a student union's member register."""
    return sheets_standin.create_spreadsheet("学生会名册", {
        "Members": [
            ["姓名", "入会日期", "会费", "在读", "备注"],
            ["张三", dt.date(2024, 3, 1), 30, True, None],
            ["李四", dt.date(2023, 9, 15), 12.5, False, "转专业"],
            [],
        ],
        "Stats": [["Total", Formula("=SUM(Members!C2:C3)", 42.5)], ["Bad", CellError("#REF!")]],
        "Archive": [["old"]],
    }, hidden=["Archive"])


def test_service_account_token_exchange_is_verified(sheets_standin: SheetsStandIn,
                                                     roster: str) -> None:
    client = gspread_client(sheets_standin)
    sheet = client.open_by_key(roster)
    assert sheet.title == "学生会名册"
    assert sheets_standin.tokens_issued == 1
    token_call = next(c for c in sheets_standin.calls if c.kind == "token")
    assert token_call.status == 200
    assert token_call.identity == "clerk-bot@office-test.iam.gserviceaccount.com"

    # Same email and key id, but a private key the stand-in never issued.
    info = sheets_standin.service_account_info()
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    info["private_key"] = stranger.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()).decode()
    forged = service_account.Credentials.from_service_account_info(info, scopes=SCOPES)
    with pytest.raises(RefreshError, match=r"invalid_grant.*Invalid JWT Signature"):
        forged.refresh(Request(RewritingSession(sheets_standin.url)))
    assert sheets_standin.calls[-1].kind == "token"
    assert sheets_standin.calls[-1].status == 400
    assert sheets_standin.tokens_issued == 1


def test_service_account_info_looks_like_googles(sheets_standin: SheetsStandIn) -> None:
    info = sheets_standin.service_account_info("robot@office-test.iam.gserviceaccount.com")
    assert info["type"] == "service_account"
    assert info["project_id"] == "office-test"
    assert info["token_uri"] == sheets_standin.token_uri == sheets_standin.url + "/token"
    assert info["private_key"].startswith("-----BEGIN PRIVATE KEY-----\n")
    assert re.fullmatch(r"[0-9a-f]{40}", info["private_key_id"])
    assert info["universe_domain"] == "googleapis.com"
    assert set(info) == {"type", "project_id", "private_key_id", "private_key", "client_email",
                         "client_id", "auth_uri", "token_uri", "auth_provider_x509_cert_url",
                         "client_x509_cert_url", "universe_domain"}


def test_authorized_user_refresh(sheets_standin: SheetsStandIn) -> None:
    info = sheets_standin.authorized_user_info()
    key = sheets_standin.create_spreadsheet("Private", {"Sheet1": [["x"]]},
                                            shared_with=["officer@example.edu.cn"])
    # from_authorized_user_info ignores token_uri: the refresh goes to oauth2.googleapis.com,
    # which the session's auth transport rewrites to the stand-in.
    credentials = user_credentials.Credentials.from_authorized_user_info(info, SCOPES)
    assert credentials.token_uri == "https://oauth2.googleapis.com/token"
    client = gspread_client(sheets_standin, credentials)
    assert client.open_by_key(key).sheet1.acell("A1").value == "x"
    assert sheets_standin.calls_for(key)[0].identity == "officer@example.edu.cn"
    token_call = next(c for c in sheets_standin.calls if c.kind == "token")
    assert token_call.body["grant_type"] == "refresh_token"

    # Built by hand, the credentials do honour the token_uri.
    direct = user_credentials.Credentials(
        None, refresh_token=info["refresh_token"], client_id=info["client_id"],
        client_secret=info["client_secret"], token_uri=info["token_uri"], scopes=SCOPES)
    direct.refresh(Request(requests.Session()))
    assert direct.token and sheets_standin.tokens_issued == 2

    stale = user_credentials.Credentials.from_authorized_user_info(
        {**info, "refresh_token": "1//0revoked"}, SCOPES)
    with pytest.raises(RefreshError, match="invalid_grant"):
        stale.refresh(Request(RewritingSession(sheets_standin.url)))


def test_missing_token_is_401_like_google(sheets_standin: SheetsStandIn, roster: str) -> None:
    answer = requests.get(f"{sheets_standin.url}/v4/spreadsheets/{roster}", timeout=10)
    assert answer.status_code == 401
    error = answer.json()["error"]
    assert error["code"] == 401 and error["status"] == "UNAUTHENTICATED"
    assert error["message"].startswith("Request is missing required authentication credential.")
    bad = requests.get(f"{sheets_standin.url}/v4/spreadsheets/{roster}", timeout=10,
                       headers={"Authorization": "Bearer ya29.made-up"})
    assert bad.status_code == 401
    assert bad.json()["error"]["message"].startswith("Request had invalid authentication")
    assert [c.status for c in sheets_standin.calls_for(roster)] == [401, 401]


def test_not_shared_is_403_and_unknown_is_404(sheets_standin: SheetsStandIn) -> None:
    private = sheets_standin.create_spreadsheet("Private", {"Sheet1": []},
                                                shared_with=["someone.else@example.com"])
    client = gspread_client(sheets_standin)
    with pytest.raises(PermissionError) as refused:  # gspread's translation of a 403
        client.open_by_key(private)
    cause = refused.value.__cause__
    assert isinstance(cause, gspread.exceptions.APIError)
    assert cause.response.status_code == 403
    assert cause.response.json() == {"error": {
        "code": 403, "message": "The caller does not have permission",
        "status": "PERMISSION_DENIED"}}
    with pytest.raises(gspread.exceptions.SpreadsheetNotFound) as missing:
        client.open_by_key("1" + "x" * 43)
    cause = missing.value.__cause__
    assert isinstance(cause, gspread.exceptions.APIError)
    assert cause.response.json() == {"error": {
        "code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND"}}


def test_fail_next_429_with_retry_after(sheets_standin: SheetsStandIn, roster: str) -> None:
    worksheet = gspread_client(sheets_standin).open_by_key(roster).worksheet("Members")
    sheets_standin.fail_next(429, retry_after=7, kinds=["values.get"])
    with pytest.raises(gspread.exceptions.APIError) as limited:
        worksheet.get("A1")
    response = limited.value.response
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    error = response.json()["error"]
    assert error["status"] == "RESOURCE_EXHAUSTED"
    assert error["message"] == (
        "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute "
        "per user' of service 'sheets.googleapis.com' for consumer 'project_number:123456'.")
    assert worksheet.get("A1") == [["姓名"]]  # only the next one failed

    sheets_standin.fail_next(503, times=2)
    for _ in range(2):
        with pytest.raises(gspread.exceptions.APIError) as unavailable:
            worksheet.acell("A1")
        assert unavailable.value.response.json()["error"] == {
            "code": 503, "message": "The service is currently unavailable.",
            "status": "UNAVAILABLE"}
    assert worksheet.acell("A1").value == "姓名"


def test_write_quota_per_minute() -> None:
    with SheetsStandIn(write_quota_per_minute=2) as standin:
        key = standin.create_spreadsheet("Q", {"Sheet1": []})
        worksheet = gspread_client(standin).open_by_key(key).sheet1
        worksheet.update([["a"]], "A1")
        worksheet.update([["b"]], "A2")
        with pytest.raises(gspread.exceptions.APIError) as limited:
            worksheet.update([["c"]], "A3")
        assert "'Write requests per minute per user'" in limited.value.response.json()[
            "error"]["message"]
        assert worksheet.get_all_values() == [["a"], ["b"]]  # reads have their own quota


def test_delay_next_trips_client_timeout(sheets_standin: SheetsStandIn, roster: str) -> None:
    client = gspread_client(sheets_standin)
    worksheet = client.open_by_key(roster).worksheet("Members")
    client.http_client.set_timeout(0.3)
    sheets_standin.delay_next(1.0)
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        worksheet.get("A1")
    assert time.monotonic() - started < 1.0
    assert worksheet.get("A1") == [["姓名"]]


def test_values_render_like_google(sheets_standin: SheetsStandIn, roster: str) -> None:
    spreadsheet = gspread_client(sheets_standin).open_by_key(roster)
    members = spreadsheet.worksheet("Members")
    assert members.get_all_values() == [
        ["姓名", "入会日期", "会费", "在读", "备注"],
        ["张三", "2024-03-01", "30", "TRUE", ""],
        ["李四", "2023-09-15", "12.5", "FALSE", "转专业"],
    ]
    raw = members.get("A2:D3", value_render_option=gspread.utils.ValueRenderOption.unformatted)
    assert raw == [["张三", 45352, 30, True], ["李四", 45184, 12.5, False]]
    stats = spreadsheet.worksheet("Stats")
    formulas = stats.get("A1:B2", value_render_option=gspread.utils.ValueRenderOption.formula)
    assert formulas == [["Total", "=SUM(Members!C2:C3)"], ["Bad", "#REF!"]]
    assert stats.get("B1:B2") == [["42.5"], ["#REF!"]]
    echo = spreadsheet.values_get("Members!A:A")
    assert echo["range"] == "Members!A1:A1000"
    empty = spreadsheet.values_get("Members!F1:G5")
    assert empty == {"range": "Members!F1:G5", "majorDimension": "ROWS"}
    assert [w.title for w in spreadsheet.worksheets()] == ["Members", "Stats", "Archive"]
    assert [w.title for w in spreadsheet.worksheets(exclude_hidden=True)] == ["Members", "Stats"]
    assert sheets_standin.cells(roster, "Members")[1] == ["张三", dt.date(2024, 3, 1), 30, True]
    assert sheets_standin.cells(roster, "Stats") == [
        ["Total", Formula("=SUM(Members!C2:C3)", 42.5)], ["Bad", CellError("#REF!")]]


def test_add_sheet_and_batch_update_round_trip(sheets_standin: SheetsStandIn,
                                               roster: str) -> None:
    spreadsheet = gspread_client(sheets_standin).open_by_key(roster)
    signups = spreadsheet.add_worksheet("报名 2024", rows=20, cols=5)
    assert sheets_standin.tabs(roster) == ["Members", "Stats", "Archive", "报名 2024"]
    answer = signups.batch_update([
        {"range": "A1:C1", "values": [["姓名", "日期", "人数"]]},
        {"range": "A2:C3", "values": [["王五", "2024-05-04", "3"], ["赵六", "'0042", "=1+2"]]},
    ], value_input_option=gspread.utils.ValueInputOption.user_entered)
    assert answer["totalUpdatedCells"] == 9
    assert [r["updatedRange"] for r in answer["responses"]] == [
        "'报名 2024'!A1:C1", "'报名 2024'!A2:C3"]
    assert signups.get_all_values() == [["姓名", "日期", "人数"], ["王五", "2024-05-04", "3"],
                                        ["赵六", "0042", "3"]]
    assert sheets_standin.cells(roster, "报名 2024") == [
        ["姓名", "日期", "人数"], ["王五", dt.date(2024, 5, 4), 3],
        ["赵六", "0042", Formula("=1+2", 3)]]
    assert sheets_standin.sheet_properties(roster, "报名 2024")["gridProperties"] == {
        "rowCount": 20, "columnCount": 5}
    signups.freeze(rows=1)
    assert sheets_standin.sheet_properties(roster, "报名 2024")["gridProperties"][
        "frozenRowCount"] == 1


def test_batch_update_is_atomic(sheets_standin: SheetsStandIn, roster: str) -> None:
    spreadsheet = gspread_client(sheets_standin).open_by_key(roster)
    before = copy.deepcopy(sheets_standin.tabs(roster))
    with pytest.raises(gspread.exceptions.APIError) as refused:
        spreadsheet.batch_update({"requests": [
            {"addSheet": {"properties": {"title": "New"}}},
            {"updateCells": {"range": {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 1,
                                       "startColumnIndex": 0, "endColumnIndex": 1},
                             "rows": [{"values": [{"note": "lost"}]}], "fields": "note"}},
            {"addSheet": {"properties": {"title": "members"}}},
        ]})
    assert refused.value.response.json()["error"] == {
        "code": 400, "status": "INVALID_ARGUMENT",
        "message": 'Invalid requests[2].addSheet: A sheet with the name "members" already '
                   "exists. Please enter another name."}
    assert sheets_standin.tabs(roster) == before
    assert sheets_standin.notes(roster, "Members") == {}
    with pytest.raises(gspread.exceptions.APIError) as unknown:
        spreadsheet.batch_update({"requests": [{"fooBar": {}}]})
    assert unknown.value.response.json()["error"]["message"] == (
        "Invalid JSON payload received. Unknown name \"fooBar\" at 'requests[0]': "
        "Cannot find field.")
    members = spreadsheet.worksheet("Members")
    with pytest.raises(gspread.exceptions.APIError, match="You can't remove all the sheets"):
        spreadsheet.batch_update({"requests": [
            {"deleteSheet": {"sheetId": w.id}} for w in spreadsheet.worksheets()]})
    with pytest.raises(gspread.exceptions.APIError, match="No grid with id: 123"):
        spreadsheet.batch_update({"requests": [{"deleteSheet": {"sheetId": 123}}]})
    assert members.get("A1") == [["姓名"]]


def test_range_errors(sheets_standin: SheetsStandIn, roster: str) -> None:
    spreadsheet = gspread_client(sheets_standin).open_by_key(roster)
    with pytest.raises(gspread.exceptions.APIError) as too_far:
        spreadsheet.values_get("Members!A1:B2000")
    assert too_far.value.response.json()["error"] == {
        "code": 400, "status": "INVALID_ARGUMENT",
        "message": "Range (Members!A1:B2000) exceeds grid limits. Max rows: 1000, "
                   "max columns: 26"}
    with pytest.raises(gspread.exceptions.APIError) as nope:
        spreadsheet.values_get("Nope!A1")
    assert nope.value.response.json()["error"]["message"] == "Unable to parse range: Nope!A1"
    with pytest.raises(gspread.exceptions.APIError, match="exceeds grid limits"):
        spreadsheet.values_update("Members!A1001", params={"valueInputOption": "RAW"},
                                  body={"values": [["x"]]})
    appended = spreadsheet.values_append("Members!A1", params={"valueInputOption": "RAW"},
                                         body={"values": [["王五"]] * 3})
    assert appended["tableRange"] == "Members!A1:E3"
    assert appended["updates"]["updatedRange"] == "Members!A4:A6"


def test_notes_and_validations(sheets_standin: SheetsStandIn, roster: str) -> None:
    worksheet = gspread_client(sheets_standin).open_by_key(roster).worksheet("Members")
    worksheet.insert_note("B2", "按学年计")
    assert sheets_standin.notes(roster, "Members") == {(1, 1): "按学年计"}
    assert worksheet.get_note("B2") == "按学年计"
    assert worksheet.get_note("C2") == ""
    worksheet.add_validation("D2:D3", gspread.utils.ValidationConditionType.boolean, [],
                             strict=True)
    assert sheets_standin.data_validations(roster, "Members") == [{
        "range": {"startRowIndex": 1, "endRowIndex": 3, "startColumnIndex": 3,
                  "endColumnIndex": 4, "sheetId": 0},
        "rule": {"condition": {"type": "BOOLEAN", "values": []}, "showCustomUi": False,
                 "strict": True, "inputMessage": None}}]


def test_calls_are_counted_by_kind(sheets_standin: SheetsStandIn, roster: str) -> None:
    client = gspread_client(sheets_standin)
    spreadsheet = client.open_by_key(roster)
    worksheet = spreadsheet.worksheet("Members")
    sheets_standin.reset_calls()
    worksheet.get("A1:B2")
    spreadsheet.values_batch_get(["Members!A1", "Stats!A1"])
    worksheet.update([["x"]], "E2")
    worksheet.append_row(["孙七"])
    worksheet.batch_clear(["E2"])
    spreadsheet.batch_update({"requests": [{"autoResizeDimensions": {"dimensions": {
        "sheetId": 0, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 1}}}]})
    assert [c.kind for c in sheets_standin.calls_for(roster)] == [
        "values.get", "values.batchGet", "values.update", "values.append",
        "values.batchClear", "batchUpdate"]
    assert all(c.status == 200 and c.spreadsheet == roster for c in sheets_standin.calls)
    assert sheets_standin.calls[2].body["values"] == [["x"]]
    assert sheets_standin.calls[2].query["valueInputOption"] == ["RAW"]


@pytest.fixture
def many_standins() -> Iterator[list[SheetsStandIn]]:
    """Two stand-ins at once get two ports."""
    with SheetsStandIn() as first, SheetsStandIn() as second:
        yield [first, second]


def test_each_standin_has_its_own_port(many_standins: list[SheetsStandIn]) -> None:
    first, second = many_standins
    assert first.url != second.url
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", first.url)
