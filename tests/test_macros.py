"""The shipped client code agrees with the Python it calls: every ribbon callback is a VBA
Sub that runs an existing button function, every menu item of the Apps Script calls an
existing button of the server, and the Apps Script client is the server's xlwings version."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import xlwings

from automation import buttons
from automation.buttons import BUTTONS

MACROS = Path(__file__).resolve().parent.parent / "macros"
RIBBON_NS = "{http://schemas.microsoft.com/office/2009/07/customui}"


def vba_subs(text: str) -> dict[str, str]:
    """Sub name -> its body."""
    found = re.finditer(r"^Sub (\w+)\(control As IRibbonControl\)\n(.*?)^End Sub",
                        text, flags=re.M | re.S)
    return {m.group(1): m.group(2) for m in found}


def test_every_ribbon_button_calls_an_existing_button_function():
    ribbon = ET.parse(MACROS / "customUI14.xml").getroot()
    tab = ribbon.find(f".//{RIBBON_NS}tab")
    assert tab is not None and tab.get("label") == "学生会助手"
    actions = [b.get("onAction") for b in ribbon.iter(f"{RIBBON_NS}button")]
    labels = [b.get("label") for b in ribbon.iter(f"{RIBBON_NS}button")]
    assert labels == ["校验", "提醒", "KPI", "归档"]
    module = (MACROS / "SheetClerk.bas").read_text(encoding="utf-8")
    subs = vba_subs(module)
    prefix = re.search(r'CLERK_BUTTONS As String = "([^"]*)"', module)
    assert prefix and "import automation.buttons as clerk_buttons" in prefix.group(1)
    called = set()
    for action in actions:
        assert action in subs, f"ribbon onAction {action} has no Sub"
        call = re.search(r'RunPython CLERK_BUTTONS & "clerk_buttons\.(\w+)\(\)"', subs[action])
        assert call, subs[action]
        assert callable(getattr(buttons, call.group(1), None)), call.group(1)
        called.add(call.group(1))
    assert called == {f"{name}_caller" for name in BUTTONS}


def test_the_google_menu_calls_each_server_button():
    script = (MACROS / "google_sheets.gs").read_text(encoding="utf-8")
    items = re.findall(r'\.addItem\("[^"]+", "(\w+)"\)', script)
    assert len(items) == len(BUTTONS)
    named = set()
    for function in items:
        body = re.search(rf"function {function}\(\) {{\n(.*?)\n}}", script, flags=re.S)
        assert body, function
        name = re.search(r'clerkButton_\("(\w+)"\)', body.group(1))
        assert name and name.group(1) in BUTTONS
        named.add(name.group(1))
    assert named == set(BUTTONS)
    assert 'runPython(url + "/buttons/" + name, { auth: token })' in script


def test_the_apps_script_client_is_the_servers_xlwings_version():
    client = (MACROS / "xlwings.gs").read_text(encoding="utf-8")
    assert f'const version = "{xlwings.__version__}";' in client
    shipped = Path(xlwings.__file__).parent / "js" / "xlwings.js"
    assert client == shipped.read_text(encoding="utf-8")


def test_the_office_script_posts_to_a_server_button_with_xlwings_own_client():
    script = (MACROS / "excel_web.ts").read_text(encoding="utf-8")
    button = re.search(r'^const BUTTON = "(\w+)";$', script, re.MULTILINE)
    assert button and button.group(1) in BUTTONS
    assert 'runPython(workbook, CLERK_URL + "/buttons/" + BUTTON, { auth: CLERK_TOKEN })' in script
    shipped = (Path(xlwings.__file__).parent / "js" / "xlwings.ts").read_text(encoding="utf-8")
    client = shipped[shipped.index("/**"):]  # xlwings' client after its own example main()
    assert script.endswith(client)
    assert f'const version = "{xlwings.__version__}";' in script
    assert script.count("async function main(") == 1
