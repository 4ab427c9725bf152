"""KPI dashboards and the monthly reports: xlsx with native charts, self-contained HTML,
and a headless Chromium render of the dashboard at phone width."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from datetime import date

import openpyxl
import pytest

from automation import load_config
from automation.kpi import KPIS, kpi_report, kpi_trend, load_units
from automation.kpi.engine import KpiResult, KpiRow
from automation.load import load_office
from automation.policy import DEFAULT_POLICY
from automation.reports.dashboard import (
    NONE_TEXT,
    write_dashboard_html,
    write_dashboards,
)

TODAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    base = tmp_path_factory.mktemp("dash")
    office_dir = base / "office"
    subprocess.run([sys.executable, "-m", "automation", "init", str(office_dir), "--demo",
                    "--today", TODAY.isoformat()], check=True, capture_output=True)
    config = load_config(office_dir / "office.toml")
    office = load_office(config)
    result = kpi_report(config, None, TODAY, office)
    out = base / "out"
    trend = kpi_trend(config, load_units(config, office), result)
    paths = write_dashboards(config, result, trend, office, out, today=TODAY)
    return config, office, result, out, paths


def _names(loc: str) -> list[str]:
    return [DEFAULT_POLICY.kpi_label(k.key, loc) for k in KPIS]


def test_files_written_with_stable_names(demo):
    _, _, _, out, paths = demo
    assert [p.name for p in paths] == [
        "kpi_dashboard.xlsx", "kpi_dashboard.html", "expense_report.xlsx",
        "expense_report.html", "department_report.xlsx", "department_report.html"]
    assert all(p.parent == out and p.stat().st_size > 0 for p in paths)
    assert not list(out.glob(".*.tmp"))


def test_kpi_sheet_matches_result_and_has_charts(demo):
    config, _, result, out, _ = demo
    loc = config.locale
    book = openpyxl.load_workbook(out / "kpi_dashboard.xlsx")
    sheet = book.worksheets[0]
    rows = {r[0]: r[:6] for r in sheet.iter_rows(min_row=5, max_row=4 + len(KPIS),
                                                  values_only=True)}
    for kpi in KPIS:
        expected = result.overall(kpi.key)
        _, value, numerator, denominator, target, met = rows[result.label(kpi.key, loc)]
        if expected.value is None:
            assert value == NONE_TEXT
        else:
            assert value == pytest.approx(expected.value)
        assert numerator == pytest.approx(expected.numerator)
        assert denominator == expected.denominator
        assert target == pytest.approx(expected.target)
        if expected.met is None:
            assert met == NONE_TEXT
        else:
            assert met.startswith("✓" if expected.met else "✗")
    assert [s.title for s in book.worksheets] == ["指标总览", "各部门", "月度趋势", "未盘点物资"]
    with zipfile.ZipFile(out / "kpi_dashboard.xlsx") as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 3          # value vs target, departments, trend
    trend = book.worksheets[2]
    months = [r[0] for r in trend.iter_rows(min_row=2, values_only=True) if r[0]]
    assert months == [m.key for m in result.period.months()]


def test_dashboard_html_is_self_contained(demo):
    config, _, result, out, _ = demo
    html = (out / "kpi_dashboard.html").read_text("utf-8")
    for banned in ("http://", "https://", "<script", "<link"):
        assert banned not in html
    assert '<html lang="zh-CN">' in html
    assert 'name="viewport"' in html
    assert "<svg" in html and "<polyline" in html
    for name in _names(config.locale):
        assert name in html
    # a card shows 0 % only where a KPI really has 0 good records (a department or a month
    # of the demo may have none: 整改按期完成率)
    zero = [r for r in result.rows if r.department is None and r.value == 0]
    cards = re.findall(r'<span class="value">([^<]*)</span>', html)
    assert len(cards) == len(KPIS)
    if not zero:
        assert "0.0%" not in cards


def test_no_records_shows_dash_never_zero(tmp_path, demo):
    _, _, result, _, _ = demo
    empty = KpiResult(result.period, [KpiRow(k.key, "x", None, 0, 0,
                                             DEFAULT_POLICY.target(k.key)) for k in KPIS])
    path = write_dashboard_html(empty, [empty], tmp_path / "d.html", locale="en",
                                office_name="Test")
    html = path.read_text("utf-8")
    assert '<html lang="en">' in html
    assert NONE_TEXT in html
    values = re.findall(r'<span class="value">([^<]*)</span>', html)
    assert values == [NONE_TEXT] * len(KPIS)
    assert "0.0%" not in html
    for name in _names("en"):
        assert name in html


def test_expense_report(demo):
    _, office, result, out, _ = demo
    book = openpyxl.load_workbook(out / "expense_report.xlsx")
    sheet = book.worksheets[0]
    rows = [r for r in sheet.iter_rows(min_row=5, values_only=True) if r[1]]
    expenses = office.frame("finance.expenses")
    month = next(m for m in result.period.months() if m.start <= TODAY <= m.end)
    inside = expenses[(expenses["spent_on"] >= str(month.start))
                      & (expenses["spent_on"] <= str(month.end))
                      & expenses["status"].ne("退回")]
    assert {r[1] for r in rows} == set(inside["expense_id"])
    by_id = dict(zip(inside["expense_id"], inside["amount"], strict=True))
    for r in rows:
        assert r[3] == pytest.approx(by_id[r[1]] / 100)
        if r[6] is not None:
            assert r[8] == pytest.approx(r[6] - r[7])
    html = (out / "expense_report.html").read_text("utf-8")
    assert "http" not in html and "<script" not in html
    members = office.frame("roster.members")
    for phone in members["phone"].dropna().head(20):   # names only, no other personal data
        assert str(phone) not in html


def test_department_report_ranking(demo):
    _, _, _, out, _ = demo
    book = openpyxl.load_workbook(out / "department_report.xlsx")
    rows = [r for r in book.worksheets[0].iter_rows(min_row=5, values_only=True)
            if isinstance(r[0], int)]
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    keys = [(-(r[4] if isinstance(r[4], float | int) else -1), r[1]) for r in rows]
    assert keys == sorted(keys)
    assert (out / "department_report.html").read_text("utf-8").count("<svg") == 1


def test_headless_chromium_renders_dashboard(demo, tmp_path):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed")
    _, _, _, out, _ = demo
    shot = tmp_path / "dash.png"
    done = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr",
         "--v=0", f"--screenshot={shot}", "--window-size=420,1600",
         (out / "kpi_dashboard.html").as_uri()],
        capture_output=True, text=True, timeout=120)
    assert shot.is_file() and shot.stat().st_size > 20_000, done.stderr[-2000:]
    errors = [line for line in done.stderr.splitlines()
              if "Uncaught" in line or ("CONSOLE" in line.upper() and "ERROR" in line.upper())]
    assert not errors
