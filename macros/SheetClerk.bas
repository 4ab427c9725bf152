Attribute VB_Name = "SheetClerk"
' Sheet Clerk · 学生会助手 — the four ribbon buttons of desktop Excel (Windows / macOS).
'
' Each button runs a function of automation.buttons in Python through the xlwings add-in's
' RunPython, with the workbook that was clicked ("the caller"). Needs: the xlwings add-in
' (xlwings addin install), Sheet Clerk installed in the Python that xlwings uses, and an
' office.toml beside the workbook, one folder up, or named by CLERK_CONFIG.
' Installation steps: README, "按钮 · Buttons".

Option Explicit

Private Const CLERK_BUTTONS As String = "import automation.buttons as clerk_buttons; "

Sub ClerkValidate(control As IRibbonControl)
    RunPython CLERK_BUTTONS & "clerk_buttons.validate_caller()"
End Sub

Sub ClerkRemind(control As IRibbonControl)
    RunPython CLERK_BUTTONS & "clerk_buttons.remind_caller()"
End Sub

Sub ClerkKpi(control As IRibbonControl)
    RunPython CLERK_BUTTONS & "clerk_buttons.kpi_caller()"
End Sub

Sub ClerkArchive(control As IRibbonControl)
    RunPython CLERK_BUTTONS & "clerk_buttons.archive_caller()"
End Sub
