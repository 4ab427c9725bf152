/**
 * Sheet Clerk · 学生会助手 — the menu of a register kept in Google Sheets.
 *
 * Each item posts the spreadsheet to `clerk serve` through xlwings' Apps Script client
 * (macros/xlwings.gs beside this file, of the same xlwings version as the server) and
 * replays the actions it answers with. Set-up (README, "按钮 · Buttons"): in Extensions >
 * Apps Script > Project Settings > Script properties, add
 *   CLERK_URL    the server's address, e.g. https://clerk.example.edu.cn
 *   CLERK_TOKEN  the same secret as the server's CLERK_SERVER_TOKEN
 */

function onOpen() {
  SpreadsheetApp.getUi()
    .createMenu("学生会助手")
    .addItem("校验 Validate", "clerkValidate")
    .addItem("提醒 Remind", "clerkRemind")
    .addItem("KPI", "clerkKpi")
    .addItem("归档 Archive", "clerkArchive")
    .addToUi();
}

function clerkValidate() {
  clerkButton_("validate");
}

function clerkRemind() {
  clerkButton_("remind");
}

function clerkKpi() {
  clerkButton_("kpi");
}

function clerkArchive() {
  clerkButton_("archive");
}

function clerkButton_(name) {
  const properties = PropertiesService.getScriptProperties();
  const url = (properties.getProperty("CLERK_URL") || "").replace(/\/+$/, "");
  const token = properties.getProperty("CLERK_TOKEN") || "";
  if (!url || !token) {
    SpreadsheetApp.getUi().alert(
      "学生会助手",
      "还没有设置服务器地址和口令：请在 Apps Script 的“项目设置 > 脚本属性”中添加 CLERK_URL 和 CLERK_TOKEN。",
      SpreadsheetApp.getUi().ButtonSet.OK
    );
    return;
  }
  runPython(url + "/buttons/" + name, { auth: token });
}
