"""Depreciation (issue 20, part 3): `[policy.depreciation]`, the asset report (物资报表) in
xlsx and HTML, and the KPI JSON's `assets` totals, on real workbooks written by openpyxl.

The ledger below is valued as of 2026-03-20 (`--period 2026-03 --today 2026-03-20`):

- A1 笔记本电脑, 电子设备 (3 years), 6000.00 × 1, bought 2020-01-10: 74 months > 36, fully
  depreciated: accumulated 6000 × 0.95 = 5700.00, book value 300.00 (the residual).
- A2 椅子, 家具 (8 years), 250.00 × 4, bought 2026-03-05: 0 whole months, cost 1000.00,
  nothing depreciated, book value 1000.00.
- A3 音箱, 音响设备 (5 years), 1234.56 × 2, bought 2025-01-20: 14 months (the 20th is
  reached); cost 2469.12, 2469.12 × 0.95 / 60 = 39.0944 a month (39.09 shown),
  × 14 = 547.3216 -> 547.32 accumulated, book value 1921.80.
- A4 横幅: no price -> listed, not valued. A5 投影仪: no purchase date -> listed.
- A6 旧电脑: 报废 -> left out.

Totals: cost 6000 + 1000 + 2469.12 = 9469.12; book value 300 + 1000 + 1921.80 = 3221.80.
办公室 (A1, A2): cost 7000.00, accumulated 5700.00, book 1300.00.
文体活动部 (A3): cost 2469.12, accumulated 547.32, book 1921.80.
"""

from __future__ import annotations

import json
from datetime import date, datetime

import openpyxl
import pytest
from conftest import clerk, write_config, write_xlsx

from automation.kpi.assets import months_between

HEADER = ["物资编号", "物资名称", "类别", "数量", "单价", "购置日期", "所属部门", "状况"]
ITEMS = [
    HEADER,
    ["A1", "笔记本电脑", "电子设备", 1, 6000, datetime(2020, 1, 10), "办公室", "完好"],
    ["A2", "椅子", "家具", 4, 250, datetime(2026, 3, 5), "办公室", "完好"],
    ["A3", "音箱", "音响设备", 2, 1234.56, datetime(2025, 1, 20), "文体活动部", "完好"],
    ["A4", "横幅", "活动用品", 1, None, datetime(2025, 1, 1), "文体活动部", "完好"],
    ["A5", "投影仪", "电子设备", 1, 3000, None, "文体活动部", "完好"],
    ["A6", "旧电脑", "电子设备", 1, 5000, datetime(2024, 1, 1), "办公室", "报废"],
]
RUN = ("--period", "2026-03", "--today", "2026-03-20")


def office(folder, policy: str = ""):
    write_xlsx(folder / "assets.xlsx", {"物资台账": ITEMS})
    write_config(folder, {"assets": "assets.xlsx"}, extra=policy)
    return folder


def kpi_json(folder) -> dict:
    done = clerk("kpi", *RUN, "--format", "json", cwd=folder)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_months_are_whole_months():
    assert months_between(date(2025, 1, 20), date(2026, 3, 20)) == 14
    assert months_between(date(2025, 1, 21), date(2026, 3, 20)) == 13
    assert months_between(date(2026, 3, 5), date(2026, 3, 20)) == 0
    assert months_between(date(2026, 4, 1), date(2026, 3, 20)) == 0  # bought later


def test_json_totals_keep_the_contract(tmp_path):
    data = kpi_json(office(tmp_path))
    assert set(data) == {"period", "kpis", "members", "assets"}
    assert set(data["period"]) == {"key", "start", "end", "as_of"}
    assert data["assets"] == {"cost_total": 9469.12, "book_value_total": 3221.80}


def test_the_asset_report_workbook_and_page(tmp_path):
    office(tmp_path)
    done = clerk("kpi", *RUN, "-o", "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(tmp_path / "out" / "asset_report.xlsx")
    items, departments, categories, unvalued = book.worksheets
    rows = [[c.value for c in r] for r in items.iter_rows()]
    header = rows.index(next(r for r in rows if r[0] == "物资编号"))
    columns = rows[header]
    by_tag = {r[0]: dict(zip(columns, r, strict=True)) for r in rows[header + 1:]}
    assert set(by_tag) == {"A1", "A2", "A3", "合计"}  # A4, A5 unvalued; A6 报废
    assert (by_tag["A1"]["累计折旧"], by_tag["A1"]["账面净值"]) == (5700, 300)  # residual
    assert (by_tag["A2"]["原值"], by_tag["A2"]["累计折旧"], by_tag["A2"]["账面净值"]) \
        == (1000, 0, 1000)
    assert by_tag["A3"]["已使用月数"] == 14 and by_tag["A3"]["月折旧额"] == 39.09
    assert (by_tag["A3"]["原值"], by_tag["A3"]["累计折旧"], by_tag["A3"]["账面净值"]) \
        == (2469.12, 547.32, 1921.80)
    total = by_tag["合计"]
    assert (total["原值"], total["累计折旧"], total["账面净值"]) == (9469.12, 6247.32, 3221.80)

    def groups(sheet):
        return {r[0]: r[1:] for r in sheet.iter_rows(min_row=2, values_only=True)}

    assert groups(departments) == {"办公室": (2, 7000, 5700, 1300),
                                   "文体活动部": (1, 2469.12, 547.32, 1921.80),
                                   "合计": (3, 9469.12, 6247.32, 3221.80)}
    assert groups(categories) == {"家具": (1, 1000, 0, 1000),
                                  "电子设备": (1, 6000, 5700, 300),
                                  "音响设备": (1, 2469.12, 547.32, 1921.80),
                                  "合计": (3, 9469.12, 6247.32, 3221.80)}
    listed = {r[0]: r[-1] for r in unvalued.iter_rows(min_row=2, values_only=True)
              if r[0] in ("A4", "A5")}
    assert listed == {"A4": "单价", "A5": "购置日期"}
    page = (tmp_path / "out" / "asset_report.html").read_text(encoding="utf-8")
    assert "物资报表" in page and "3,221.80" in page and "A5" in page and "A6" not in page
    assert '<td class="sticky">办公室</td><td class="num">2</td>' in page
    assert "built-in" not in page


def test_the_office_lives_and_residual_rate(tmp_path):
    # 电子设备 over 10 years with no residual: A1 6000 × 74 / 120 = 3700 -> book 2300;
    # A3 (音响设备, still 5 years) 2469.12 × 14 / 60 = 576.128 -> 576.13 -> book 1892.99.
    data = kpi_json(office(tmp_path, '\n[policy.depreciation]\nresidual_rate = 0\n'
                                     '[policy.depreciation.lives]\n"电子设备" = 10\n'))
    assert data["assets"] == {"cost_total": 9469.12,
                              "book_value_total": round(2300 + 1000 + 1892.99, 2)}
    shown = clerk("policy", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "lives.电子设备：10 年（本办公室设定，默认 3）" in shown.stdout
    assert "残值率：原值的 0%（本办公室设定，默认 5%）" in shown.stdout
    assert "lives.家具：8 年（默认）" in shown.stdout


def test_a_category_the_office_adds(tmp_path):
    data = kpi_json(office(tmp_path, '\n[policy.depreciation]\ndefault_life = 2\n'
                                     '[policy.depreciation.lives]\n"舞台道具" = 4\n'))
    assert data["assets"]["cost_total"] == 9469.12


@pytest.mark.parametrize("policy, key, said", [
    ("residual_rate = 1.5", "policy.depreciation.residual_rate", "0 到 1"),
    ("residual_rate = -0.1", "policy.depreciation.residual_rate", "0 到 1"),
    ("default_life = 0", "policy.depreciation.default_life", "整数年"),
    ('[policy.depreciation.lives]\n"家具" = 2.5', "policy.depreciation.lives.家具", "整数年"),
    ('[policy.depreciation.lives]\n"家具" = -3', "policy.depreciation.lives.家具", "整数年"),
    ('[policy.depreciation.lives]\n"家具" = "8"', "policy.depreciation.lives.家具", "数字"),
    ("residual = 0.1", "policy.depreciation.residual", "residual_rate"),
])
def test_config_errors_name_the_key(tmp_path, policy, key, said):
    office(tmp_path, f"\n[policy.depreciation]\n{policy}\n")
    done = clerk("kpi", *RUN, "--format", "json", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().count("\n") == 0, done.stderr
    assert key in done.stderr and said in done.stderr
