"""Delivery channels against real servers on 127.0.0.1: aiosmtpd for email, and a robot
server that checks DingTalk / WeCom / Feishu tokens, signatures and sizes as they do."""

from __future__ import annotations

import base64
import gc
import hashlib
import hmac
import json
import logging
import random
import socket
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from conftest import FakeTime

from automation._retry import RateLimiter
from automation.config import OfficeConfig, config_from_dict
from automation.errors import ConfigError
from automation.reminders import channels
from automation.reminders.channels import (
    DINGTALK_MARKDOWN_BYTES,
    FEISHU_BODY_BYTES,
    RETRY_AFTER_CAP,
    WECOM_MARKDOWN_BYTES,
    message_id,
    open_channel,
    redact_url,
    safe_name,
    split_markdown,
)
from automation.reminders.message import DeliveryError, Message

if TYPE_CHECKING:
    from servers import RobotServer, SMTPTestServer

# The smtp_server / robot_server fixtures: conftest.py may already import them from servers;
# registering the module again would only make pytest warn that it cannot rewrite it.
pytest_plugins = [] if "servers" in sys.modules else ["servers"]

SENDER = "学生会办公室 <office@example.edu.cn>"
SUBJECT = "【学生会】您有 3 项待办提醒"
TEXT = (
    "## 张三同学，您好\n"
    "以下事项需要您处理：\n"
    "- 资产 **A-0001** 笔记本电脑 借用已逾期 3 天（资产台账!C17）\n"
    "- 报销单 R-12 待审核，金额 ¥1,234.50\n"
    "- 详见 [办公室主页](https://example.edu.cn/office?a=1&b=2)\n"
)


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


def make_config(tmp_path: Path, **sections: Any) -> OfficeConfig:
    return config_from_dict({"channels": sections}, source=tmp_path / "office.toml")


def message(key: str = "20250310-email-2021001", **changes: Any) -> Message:
    values: dict[str, Any] = {
        "key": key, "channel": key.split("-")[1] if key.count("-") >= 2 else "email",
        "person_id": "2021001", "person_name": "张三", "subject": SUBJECT, "text": TEXT,
        "email": "zhangsan@example.edu.cn", "phone": "13800138000",
    }
    values.update(changes)
    return Message(**values)


# --- Email -----------------------------------------------------------------------------


def email_config(tmp_path: Path, server: SMTPTestServer, **changes: Any) -> OfficeConfig:
    email = {"host": server.host, "port": server.port, "security": "none",
             "username": server.user, "password_env": "CLERK_SMTP_PASSWORD", "sender": SENDER}
    email.update(changes)
    return make_config(tmp_path, email=email)


def test_email_over_plain_smtp_with_login(tmp_path: Path, smtp_server: SMTPTestServer,
                                          monkeypatch: pytest.MonkeyPatch, fake: FakeTime,
                                          ) -> None:
    monkeypatch.setenv("CLERK_SMTP_PASSWORD", smtp_server.password)
    channel = open_channel("email", email_config(tmp_path, smtp_server), sleep=fake.sleep)
    assert channel.name == "email"
    channel.send(message())
    channel.send(message("20250310-email-2021002", person_name="李四",
                         email="lisi@example.edu.cn"))
    channel.close()

    assert smtp_server.logins == [smtp_server.user]  # one connection for the run
    assert [rcpt for _, rcpt in smtp_server.envelopes] == [["zhangsan@example.edu.cn"],
                                                           ["lisi@example.edu.cn"]]
    first = smtp_server.messages[0]
    assert first["Subject"] == SUBJECT
    assert first["From"].addresses[0].display_name == "学生会办公室"
    assert first["To"].addresses[0].addr_spec == "zhangsan@example.edu.cn"
    assert first["To"].addresses[0].display_name == "张三"
    assert first["Message-ID"] == message_id("20250310-email-2021001", SENDER)
    assert first["Message-ID"].endswith("@example.edu.cn>")
    plain = first.get_body(("plain",))
    html = first.get_body(("html",))
    assert plain is not None and "资产 **A-0001** 笔记本电脑" in plain.get_content()
    assert html is not None and "<strong>A-0001</strong>" in html.get_content()
    assert 'href="https://example.edu.cn/office?a=1&amp;b=2"' in html.get_content()
    assert fake.sleeps == []


def test_email_server_failing_half_way_then_healing(tmp_path: Path, smtp_server: SMTPTestServer,
                                                   fake: FakeTime) -> None:
    smtp_server.fail(2, 3, code=451)
    env = {"CLERK_SMTP_PASSWORD": smtp_server.password}
    channel = open_channel("email", email_config(tmp_path, smtp_server), env=env,
                           sleep=fake.sleep)
    keys = [f"20250310-email-20210{n}" for n in range(1, 4)]
    for key in keys:
        channel.send(message(key))
    channel.close()

    assert smtp_server.data_attempts == 5  # 1 ok, 2 refused twice then ok, 3 ok
    assert [m["Message-ID"] for m in smtp_server.messages] == [
        message_id(key, SENDER) for key in keys]
    assert len(fake.sleeps) == 2
    assert 1.0 <= fake.sleeps[0] <= 2.0 and 2.0 <= fake.sleeps[1] <= 4.0


def test_email_transient_failure_that_does_not_heal(tmp_path: Path, smtp_server: SMTPTestServer,
                                                   fake: FakeTime) -> None:
    smtp_server.fail(1, 10, code=451)
    channel = open_channel("email", email_config(tmp_path, smtp_server),
                           env={"CLERK_SMTP_PASSWORD": smtp_server.password}, sleep=fake.sleep)
    with pytest.raises(DeliveryError) as caught:
        channel.send(message())
    channel.close()
    assert caught.value.transient
    assert "451" in caught.value.detail
    assert smtp_server.data_attempts == 3
    assert len(fake.sleeps) == 2


def test_email_permanent_rejection_is_not_retried(tmp_path: Path, smtp_server: SMTPTestServer,
                                                  fake: FakeTime) -> None:
    smtp_server.fail(1, code=550)
    channel = open_channel("email", email_config(tmp_path, smtp_server),
                           env={"CLERK_SMTP_PASSWORD": smtp_server.password}, sleep=fake.sleep)
    with pytest.raises(DeliveryError) as caught:
        channel.send(message())
    assert not caught.value.transient
    assert "550" in caught.value.detail and "张三" in caught.value.detail
    assert smtp_server.data_attempts == 1 and fake.sleeps == []
    channel.send(message("20250310-email-2021009"))  # the connection is still good
    channel.close()
    assert len(smtp_server.messages) == 1


def test_email_missing_password_variable(tmp_path: Path, smtp_server: SMTPTestServer,
                                         fake: FakeTime) -> None:
    channel = open_channel("email", email_config(tmp_path, smtp_server), env={},
                           sleep=fake.sleep)
    with pytest.raises(DeliveryError) as caught:
        channel.send(message())
    channel.close()
    assert not caught.value.transient
    assert "CLERK_SMTP_PASSWORD" in caught.value.detail
    assert smtp_server.logins == [] and smtp_server.failed_logins == 0
    assert fake.sleeps == []


def test_email_wrong_password_is_never_shown(tmp_path: Path, smtp_server: SMTPTestServer,
                                             fake: FakeTime, caplog: pytest.LogCaptureFixture,
                                             ) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "wrong-pass-Zq81"
    channel = open_channel("email", email_config(tmp_path, smtp_server),
                           env={"CLERK_SMTP_PASSWORD": secret}, sleep=fake.sleep)
    with pytest.raises(DeliveryError) as caught:
        channel.send(message())
    channel.close()
    assert not caught.value.transient
    assert "CLERK_SMTP_PASSWORD" in caught.value.detail
    assert secret not in caught.value.detail and secret not in str(caught.value)
    assert secret not in caplog.text
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert smtp_server.failed_logins >= 1 and smtp_server.messages == []


def test_email_reconnects_once_when_the_server_dropped_the_connection(
        tmp_path: Path, fake: FakeTime,
        smtp_server_factory: Callable[..., SMTPTestServer]) -> None:
    server = smtp_server_factory(idle_timeout=0.3)
    channel = open_channel("email", email_config(tmp_path, server),
                           env={"CLERK_SMTP_PASSWORD": server.password}, sleep=fake.sleep)
    channel.send(message())
    time.sleep(0.8)  # the server closes the idle connection
    channel.send(message("20250310-email-2021002"))
    channel.close()
    assert len(server.messages) == 2
    assert server.logins == [server.user, server.user]
    assert fake.sleeps == []  # a reconnection, not a retry


def test_email_server_requires_the_login(tmp_path: Path, smtp_server: SMTPTestServer,
                                         fake: FakeTime) -> None:
    channel = open_channel("email", email_config(tmp_path, smtp_server, username=None),
                           env={}, sleep=fake.sleep)
    with pytest.raises(DeliveryError) as caught:
        channel.send(message())
    channel.close()
    assert not caught.value.transient and "530" in caught.value.detail
    assert smtp_server.messages == []


def test_email_needs_an_address_and_a_reachable_server(tmp_path: Path, fake: FakeTime) -> None:
    config = make_config(tmp_path, email={"host": "127.0.0.1", "port": closed_port(),
                                          "security": "none", "sender": SENDER})
    channel = open_channel("email", config, env={}, sleep=fake.sleep)
    with pytest.raises(DeliveryError) as no_address:
        channel.send(message(email=None))
    assert not no_address.value.transient and fake.sleeps == []
    with pytest.raises(DeliveryError) as refused:
        channel.send(message())
    assert refused.value.transient and len(fake.sleeps) == 2
    channel.close()


# --- Outbox ----------------------------------------------------------------------------


def read_eml(path: Path) -> Any:
    return BytesParser(policy=policy.default).parsebytes(path.read_bytes())


def test_outbox_writes_a_real_email_and_the_markdown(tmp_path: Path) -> None:
    config = make_config(tmp_path, outbox={"dir": "out/box"})
    channel = open_channel("outbox", config)
    key = "20250310-outbox-2021001"
    channel.send(message(key))
    folder = tmp_path / "out" / "box" / "2025-03-10"
    assert sorted(p.name for p in folder.iterdir()) == [f"{key}.eml", f"{key}.md"]
    assert (folder / f"{key}.md").read_text(encoding="utf-8") == TEXT

    mail = read_eml(folder / f"{key}.eml")
    assert mail["Subject"] == SUBJECT
    assert str(mail["From"]) == "Sheet Clerk <clerk@localhost>"
    assert mail["To"].addresses[0].addr_spec == "zhangsan@example.edu.cn"
    assert mail.get_content_type() == "multipart/alternative"
    plain = mail.get_body(("plain",))
    assert plain.get_content_charset() == "utf-8"
    assert "报销单 R-12 待审核，金额 ¥1,234.50" in plain.get_content()
    assert "<h2>张三同学，您好</h2>" in mail.get_body(("html",)).get_content()
    first_id = mail["Message-ID"]

    channel.send(message(key, text=TEXT + "- 新增一项\n"))  # a resend replaces, same id
    channel.send(message("20250310-outbox-2021002"))
    channel.close()
    again = read_eml(folder / f"{key}.eml")
    assert again["Message-ID"] == first_id == message_id(key, "Sheet Clerk <clerk@localhost>")
    assert "新增一项" in again.get_body(("plain",)).get_content()
    other = read_eml(folder / "20250310-outbox-2021002.eml")
    assert other["Message-ID"] != first_id
    assert not [p for p in folder.iterdir() if p.suffix == ".tmp" or p.name.startswith(".")]


def test_html_part_keeps_each_digest_item_in_one_list() -> None:
    """The HTML part is CommonMark (markdown-it-py) in templates/digest.html.j2: an item's
    indented lines (its deadline, what to do) stay inside its <li>, the list stays one list,
    and raw HTML typed into a register shows as text."""
    text = ("**需要你处理的事项**\n\n"
            "- **借用物资逾期未还** · 借用单号 JY1 · 借用登记 第 9 行\n"
            "  截止：2026-01-15，已逾期 61 天\n\n"
            "  请尽快归还物资。\n"
            "- **借用物资逾期未还** · 借用单号 <b>JY2</b> · 借用登记 第 10 行\n"
            "  截止：2026-01-16，已逾期 60 天\n")
    page = channels.markdown_html(text, "提醒 <1>", "zh-Hans")
    assert page.startswith('<!DOCTYPE html>\n<html lang="zh-Hans">')
    assert "<title>提醒 &lt;1&gt;</title>" in page
    assert page.count("<ul>") == 1 and page.count("<li>") == 2
    first = page.split("<li>")[1].split("</li>")[0]
    assert "JY1 · 借用登记 第 9 行<br>\n截止：2026-01-15，已逾期 61 天" in first
    assert "<p>请尽快归还物资。</p>" in first
    assert "&lt;b&gt;JY2&lt;/b&gt;" in page and "<b>" not in page


MARKDOWN_PIECES = ("-", "*", "_", "=", "#", ">", "`", "~", "[", "]", "(", ")", "!", "<", "&",
                   "\\", ":", " ", "    ", "\t", "\n", "\n\n", "\r\n", "\r", "借", "a", "1.",
                   "2)", "+", "**", "```", "---", "===", "***", "amp;", "<b>", "[a]: /u",
                   "http://x.y", '"', "\x00", "- ", "> ", "#  h")


def test_html_part_renders_what_every_commonmark_rule_would() -> None:
    """Each text is rendered without the rules that cannot match in it (a speed-up): the
    HTML must be what markdown-it-py gives with every CommonMark rule on."""
    from markdown_it import MarkdownIt

    every_rule = MarkdownIt("commonmark", {"html": False, "breaks": True, "xhtmlOut": False})
    rng = random.Random(18)
    texts = [TEXT, "Title\n===\n\n    code\n\n> quote\n\n***\n\n[a]\n\n[a]: /u\n",
             "- x\n-\n\n  ---\n\n```\n<b>\n```\n\\*not\\* &amp; `c` ![i](/p) <http://x.y>"]
    texts += ["".join(rng.choice(MARKDOWN_PIECES) for _ in range(rng.randint(1, 40)))
              for _ in range(1500)]
    for text in texts:
        page = channels.markdown_html(text, "t")
        body = page.split("<body>\n", 1)[1].rsplit("\n</body>", 1)[0]
        assert body == every_rule.render(text).rstrip("\n"), repr(text)


def test_outbox_batch_reports_each_message_it_could_not_write(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages are written and synced on threads: a message whose files cannot be synced,
    or whose address is malformed, fails alone, and leaves no temporary file behind."""
    from automation.reminders.channels import outbox

    real_sync = outbox.sync

    def sync(path: Path) -> None:
        if "2021002" in path.name:
            raise OSError(5, "Input/output error")
        real_sync(path)

    monkeypatch.setattr(outbox, "sync", sync)
    config = make_config(tmp_path)
    channel = open_channel("outbox", config)
    keys = [f"20250312-outbox-202100{n}" for n in range(1, 5)]
    batch = [message(key) for key in keys]
    batch[2] = message(keys[2], email="li si@example.edu.cn")
    problems = channel.send_all(batch)
    (twice,) = channel.send_all([message("20250312-outbox-2021009", email="a@b@c")])
    assert twice is not None and not twice.transient
    assert gc.isenabled(), "the collector paused for the batch runs again"
    assert problems[0] is None and problems[3] is None
    assert problems[1] is not None and "Input/output error" in problems[1].detail
    assert problems[2] is not None and not problems[2].transient
    folder = tmp_path / "output" / "outbox" / "2025-03-12"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{keys[n]}{suffix}" for n in (0, 3) for suffix in (".eml", ".md"))


def test_outbox_without_email_uses_the_name_and_the_configured_sender(tmp_path: Path) -> None:
    config = make_config(tmp_path, email={"sender": SENDER})
    channel = open_channel("outbox", config)
    channel.send(message("20250311-outbox-2021003", email=None, person_name="王五"))
    path = tmp_path / "output" / "outbox" / "2025-03-11" / "20250311-outbox-2021003.eml"
    mail = read_eml(path)
    assert mail["From"].addresses[0].addr_spec == "office@example.edu.cn"
    assert mail["To"].groups[0].display_name == "王五"
    assert "王五" in str(mail["To"])


def test_safe_names_are_valid_everywhere_and_distinct() -> None:
    keys = ["a/b", "a\\b", "a:b", "CON", "aux.txt", "..", "x" * 300, "问题 ?*<>|", "a b",
            "20250310-email-2021001"]
    names = [safe_name(key) for key in keys]
    assert len(set(names)) == len(names)
    for name in names:
        assert name and len(name) <= 100
        assert not set(name) & set('<>:"/\\|?* ')
        assert not name.endswith((".", " "))
        assert name.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL"}
    assert safe_name("20250310-email-2021001") == "20250310-email-2021001"


# --- Robots ----------------------------------------------------------------------------


def secret_for(server: RobotServer, platform: str) -> str:
    return {"dingtalk": server.dingtalk_secret, "feishu": server.feishu_secret}.get(
        platform) or ""


def robot_config(tmp_path: Path, server: RobotServer, platform: str,
                 secret_env: str | None = "ROBOT_SECRET") -> OfficeConfig:
    return make_config(tmp_path, **{platform: {"webhook": server.webhook(platform),
                                               "secret_env": secret_env}})


def test_dingtalk_signature_accepted_and_mentions_shown(tmp_path: Path,
                                                        robot_server: RobotServer,
                                                        fake: FakeTime) -> None:
    channel = open_channel("dingtalk", robot_config(tmp_path, robot_server, "dingtalk"),
                           env={"ROBOT_SECRET": secret_for(robot_server, "dingtalk")},
                           clock=fake.clock, sleep=fake.sleep)
    channel.send(message("20250310-dingtalk-2021001", mentions=("13800138000",)))
    channel.close()
    [post] = robot_server.posts("dingtalk")
    assert set(post.query) == {"access_token", "timestamp", "sign"}
    assert post.body["msgtype"] == "markdown"
    assert post.body["markdown"]["title"] == SUBJECT
    assert post.body["markdown"]["text"].startswith(TEXT.rstrip("\n"))
    assert post.body["markdown"]["text"].endswith("@13800138000")
    assert post.body["at"] == {"atMobiles": ["13800138000"], "isAtAll": False}


def test_feishu_signature_accepted(tmp_path: Path, robot_server: RobotServer,
                                   fake: FakeTime) -> None:
    channel = open_channel("feishu", robot_config(tmp_path, robot_server, "feishu"),
                           env={"ROBOT_SECRET": secret_for(robot_server, "feishu")},
                           clock=fake.clock, sleep=fake.sleep)
    channel.send(message("20250310-feishu-2021001", mentions=("13800138000",)))
    channel.close()
    [post] = robot_server.posts("feishu")
    body = post.body
    assert body["timestamp"].isdigit() and body["sign"]
    assert body["msg_type"] == "post"
    post_zh = body["content"]["post"]["zh_cn"]
    assert post_zh["title"] == SUBJECT
    lines = post_zh["content"]
    assert lines[0] == [{"tag": "text", "text": "张三同学，您好"}]
    assert {"tag": "text", "text": "- 资产 A-0001 笔记本电脑 借用已逾期 3 天（资产台账!C17）"} \
        in lines[2]
    assert {"tag": "a", "text": "办公室主页",
            "href": "https://example.edu.cn/office?a=1&b=2"} in lines[4]
    assert "13800138000" not in post.raw.decode("utf-8")  # Feishu cannot @ by phone


@pytest.mark.parametrize(("platform", "code"), [("dingtalk", "310000"), ("feishu", "19021")])
def test_wrong_secret_is_refused_and_not_retried(tmp_path: Path, robot_server: RobotServer,
                                                 fake: FakeTime, platform: str, code: str,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secret = secret_for(robot_server, platform)
    wrong = "SECwrong0secret0value0123"
    channel = open_channel(platform, robot_config(tmp_path, robot_server, platform),
                           env={"ROBOT_SECRET": wrong}, clock=fake.clock, sleep=fake.sleep)
    with pytest.raises(DeliveryError) as caught:
        channel.send(message(f"20250310-{platform}-2021001"))
    channel.close()
    assert not caught.value.transient
    assert code in caught.value.detail
    for hidden in (wrong, secret, robot_server.token):
        assert hidden not in caught.value.detail and hidden not in caplog.text
    assert len(robot_server.requests) == 1 and robot_server.posts() == []
    assert fake.sleeps == []


def test_missing_signing_secret_variable(tmp_path: Path, robot_server: RobotServer,
                                         fake: FakeTime) -> None:
    channel = open_channel("dingtalk", robot_config(tmp_path, robot_server, "dingtalk",
                                                    "CLERK_DINGTALK_SECRET"),
                           env={}, clock=fake.clock, sleep=fake.sleep)
    with pytest.raises(DeliveryError) as caught:
        channel.send(message("20250310-dingtalk-2021001"))
    assert not caught.value.transient
    assert "CLERK_DINGTALK_SECRET" in caught.value.detail
    assert robot_server.requests == []


def test_unsigned_robot_when_no_secret_is_configured(tmp_path: Path, robot_server: RobotServer,
                                                     fake: FakeTime) -> None:
    robot_server.dingtalk_secret = None
    channel = open_channel("dingtalk", robot_config(tmp_path, robot_server, "dingtalk", None),
                           env={}, clock=fake.clock, sleep=fake.sleep)
    channel.send(message("20250310-dingtalk-2021001"))
    [post] = robot_server.posts()
    assert set(post.query) == {"access_token"}
    assert post.body["at"] == {"atMobiles": [], "isAtAll": False}


def test_wecom_mentions_follow_the_markdown(tmp_path: Path, robot_server: RobotServer,
                                            fake: FakeTime) -> None:
    channel = open_channel("wecom", robot_config(tmp_path, robot_server, "wecom"),
                           env={}, clock=fake.clock, sleep=fake.sleep)
    channel.send(message("20250310-wecom-2021001", mentions=("138 0013 8000", "13900139000")))
    first, second = robot_server.posts("wecom")
    assert first.body == {"msgtype": "markdown", "markdown": {"content": TEXT}}
    assert second.body["msgtype"] == "text"
    assert second.body["text"]["mentioned_mobile_list"] == ["13800138000", "13900139000"]
    assert SUBJECT in second.body["text"]["content"]

    channel.send(message("20250310-wecom-2021002"))  # nobody to mention: markdown only
    channel.close()
    assert [p.body["msgtype"] for p in robot_server.posts("wecom")] == [
        "markdown", "text", "markdown"]


def long_digest() -> str:
    lines = ["## 本周待办汇总"]
    n = 0
    while sum(len(line.encode()) + 1 for line in lines) < 50_000:
        n += 1
        lines.append(f"- 第{n:04d}项：资产 A-{n:04d} 借用已逾期 {n % 30} 天，"
                     f"请尽快归还（资产台账!C{n + 1}）")
    return "\n".join(lines)


@pytest.mark.parametrize("platform", ["dingtalk", "wecom", "feishu"])
def test_a_50kb_digest_is_split_in_order_under_the_limit(tmp_path: Path,
                                                         robot_server: RobotServer,
                                                         fake: FakeTime, platform: str) -> None:
    text = long_digest()
    assert len(text.encode()) >= 50_000
    secret = secret_for(robot_server, platform)
    channel = open_channel(platform, robot_config(tmp_path, robot_server, platform),
                           env={"ROBOT_SECRET": secret}, clock=fake.clock, sleep=fake.sleep)
    channel.send(message(f"20250310-{platform}-2021001", text=text))
    channel.close()
    posts = robot_server.posts(platform)
    assert len(robot_server.requests) == len(posts)  # the server accepted every part
    total = len(posts)
    assert total >= 2
    lines: list[str] = []
    for index, post in enumerate(posts, 1):
        if platform == "feishu":
            assert len(post.raw) <= FEISHU_BODY_BYTES
            body = post.body["content"]["post"]["zh_cn"]
            assert body["title"] == f"{SUBJECT} ({index}/{total})"
            lines += ["".join(e["text"] for e in paragraph) for paragraph in body["content"]]
        else:
            key = "text" if platform == "dingtalk" else "content"
            part = post.body["markdown"][key]
            limit = DINGTALK_MARKDOWN_BYTES if platform == "dingtalk" else WECOM_MARKDOWN_BYTES
            assert len(part.encode("utf-8")) <= limit
            header, *rest = part.split("\n")
            assert header == f"**{SUBJECT} ({index}/{total})**"
            if platform == "dingtalk":
                assert post.body["markdown"]["title"] == f"{SUBJECT} ({index}/{total})"
            lines += rest
    expected = text.split("\n")
    if platform == "feishu":
        expected = [line.removeprefix("## ") for line in expected]
    assert lines == expected
    assert fake.sleeps == []  # 3 to 13 parts: within 20 a minute (and 5 a second for Feishu?)


def test_split_cuts_a_single_overlong_line() -> None:
    text = "前言\n" + "很长" * 5000 + "\n结尾"
    parts = split_markdown(text, "标题", 4096)
    assert all(len(part.encode()) <= 4096 for part in parts)
    body = "".join(part.split("\n", 1)[1].replace("\n", "") for part in parts)
    assert body == text.replace("\n", "")
    assert split_markdown("短消息", "标题", 4096) == ["短消息"]


def test_twenty_messages_a_minute_per_robot(tmp_path: Path, robot_server: RobotServer,
                                            fake: FakeTime) -> None:
    channel = open_channel("dingtalk", robot_config(tmp_path, robot_server, "dingtalk"),
                           env={"ROBOT_SECRET": secret_for(robot_server, "dingtalk")},
                           clock=fake.clock, sleep=fake.sleep)
    for n in range(45):
        channel.send(message(f"20250310-dingtalk-20210{n:02d}", text=f"第 {n} 条"))
    channel.close()
    assert len(robot_server.posts("dingtalk")) == 45
    assert fake.sleeps == [60.0, 60.0]


def test_feishu_also_keeps_five_a_second(tmp_path: Path, robot_server: RobotServer,
                                         fake: FakeTime) -> None:
    channel = open_channel("feishu", robot_config(tmp_path, robot_server, "feishu"),
                           env={"ROBOT_SECRET": secret_for(robot_server, "feishu")},
                           clock=fake.clock, sleep=fake.sleep)
    for n in range(12):
        channel.send(message(f"20250310-feishu-20210{n:02d}", text=f"第 {n} 条"))
    assert fake.sleeps == [1.0, 1.0]


def test_rate_limiter_on_a_rolling_window(fake: FakeTime) -> None:
    limiter = RateLimiter([(20, 60.0)], fake.clock, fake.sleep)
    for _ in range(10):
        limiter.wait()
    fake.now += 30
    for _ in range(10):
        limiter.wait()
    assert fake.sleeps == []
    limiter.wait()  # the 21st within 60 s of the first: wait until the first is 60 s old
    assert fake.sleeps == [30.0]
    for _ in range(9):
        limiter.wait()
    assert fake.sleeps == [30.0]
    limiter.wait()  # the next ten were sent at +30 s
    assert fake.sleeps == [30.0, 30.0]


@pytest.mark.parametrize(("retry_after", "expected"), [("7", 7.0), ("3600", RETRY_AFTER_CAP)])
def test_http_429_is_retried_after_retry_after(tmp_path: Path, robot_server: RobotServer,
                                               fake: FakeTime, retry_after: str,
                                               expected: float) -> None:
    robot_server.throttle("wecom", 1, http_status=429, retry_after=retry_after)
    channel = open_channel("wecom", robot_config(tmp_path, robot_server, "wecom"), env={},
                           clock=fake.clock, sleep=fake.sleep)
    channel.send(message("20250310-wecom-2021001"))
    assert [r.status for r in robot_server.requests] == [429, 200]
    assert len(robot_server.posts("wecom")) == 1
    assert fake.sleeps == [expected]


@pytest.mark.parametrize("platform", ["dingtalk", "wecom", "feishu"])
def test_platform_rate_limit_answer_is_retried(tmp_path: Path, robot_server: RobotServer,
                                               fake: FakeTime, platform: str) -> None:
    robot_server.throttle(platform, 2)
    secret = secret_for(robot_server, platform)
    channel = open_channel(platform, robot_config(tmp_path, robot_server, platform),
                           env={"ROBOT_SECRET": secret}, clock=fake.clock, sleep=fake.sleep)
    channel.send(message(f"20250310-{platform}-2021001"))
    assert len(robot_server.requests) == 3 and len(robot_server.posts()) == 1
    assert len(fake.sleeps) == 2
    assert 1.0 <= fake.sleeps[0] <= 2.0 and 2.0 <= fake.sleeps[1] <= 4.0


def test_server_errors_give_up_after_three_attempts(tmp_path: Path, robot_server: RobotServer,
                                                    fake: FakeTime) -> None:
    robot_server.throttle("feishu", 5, http_status=503)
    channel = open_channel("feishu", robot_config(tmp_path, robot_server, "feishu"),
                           env={"ROBOT_SECRET": secret_for(robot_server, "feishu")},
                           clock=fake.clock, sleep=fake.sleep)
    with pytest.raises(DeliveryError) as caught:
        channel.send(message("20250310-feishu-2021001"))
    assert caught.value.transient
    assert "503" in caught.value.detail
    assert robot_server.token not in caught.value.detail and "hook/***" in caught.value.detail
    assert len(robot_server.requests) == 3


def test_client_errors_and_bad_tokens_are_permanent(tmp_path: Path, robot_server: RobotServer,
                                                    fake: FakeTime) -> None:
    config = make_config(tmp_path, wecom={
        "webhook": robot_server.base + "/nowhere/send?key=" + robot_server.token})
    channel = open_channel("wecom", config, env={}, clock=fake.clock, sleep=fake.sleep)
    with pytest.raises(DeliveryError) as not_found:
        channel.send(message("20250310-wecom-2021001"))
    assert not not_found.value.transient and "404" in not_found.value.detail
    assert robot_server.token not in not_found.value.detail and "send?***" in not_found.value.detail

    config = make_config(tmp_path, wecom={
        "webhook": robot_server.webhook("wecom").replace(robot_server.token, "not-the-key")})
    channel = open_channel("wecom", config, env={}, clock=fake.clock, sleep=fake.sleep)
    with pytest.raises(DeliveryError) as bad_key:
        channel.send(message("20250310-wecom-2021001"))
    assert not bad_key.value.transient and "93000" in bad_key.value.detail
    assert "not-the-key" not in bad_key.value.detail
    assert fake.sleeps == []


def test_unreachable_robot_is_transient_and_redacted(tmp_path: Path, fake: FakeTime) -> None:
    token = "tok0secret0value0123456789"
    webhook = f"http://127.0.0.1:{closed_port()}/robot/send?access_token={token}"
    channel = open_channel("dingtalk", make_config(tmp_path, dingtalk={"webhook": webhook}),
                           env={}, clock=fake.clock, sleep=fake.sleep)
    with pytest.raises(DeliveryError) as caught:
        channel.send(message("20250310-dingtalk-2021001"))
    assert caught.value.transient and len(fake.sleeps) == 2
    assert token not in caught.value.detail


def test_redact_url() -> None:
    assert redact_url("https://oapi.dingtalk.com/robot/send?access_token=abc123") == \
        "https://oapi.dingtalk.com/robot/send?***"
    assert redact_url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k-1") == \
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?***"
    assert redact_url("https://open.feishu.cn/open-apis/bot/v2/hook/tok-en") == \
        "https://open.feishu.cn/open-apis/bot/v2/hook/***"
    assert "secret" not in redact_url("https://user:secret@host.example/x?y=1")


def test_open_channel_refuses_what_is_not_configured(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    for name in ("email", "dingtalk", "wecom", "feishu"):
        with pytest.raises(ConfigError) as caught:
            open_channel(name, config)
        assert name in str(caught.value)
    with pytest.raises(ConfigError):
        open_channel("sms", config)
    assert open_channel("outbox", config).name == "outbox"


# --- The test robot server itself ------------------------------------------------------


def _post(url: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=5) as response:
        return dict(json.loads(response.read()))


def test_robot_server_rejects_stale_timestamps(robot_server: RobotServer) -> None:
    feishu = str(robot_server.feishu_secret)
    dingtalk = str(robot_server.dingtalk_secret)
    stale = int(time.time()) - 2 * 3600
    sign = base64.b64encode(hmac.new(f"{stale}\n{feishu}".encode(), b"",
                                     hashlib.sha256).digest()).decode()
    body = {"timestamp": str(stale), "sign": sign, "msg_type": "text",
            "content": {"text": "x"}}
    assert _post(robot_server.feishu_webhook, body)["code"] == 19021
    fresh = int(time.time())
    body["timestamp"] = str(fresh)
    body["sign"] = base64.b64encode(hmac.new(f"{fresh}\n{feishu}".encode(), b"",
                                             hashlib.sha256).digest()).decode()
    assert _post(robot_server.feishu_webhook, body)["code"] == 0

    stale_ms = (int(time.time()) - 2 * 3600) * 1000
    digest = hmac.new(dingtalk.encode(), f"{stale_ms}\n{dingtalk}".encode(),
                      hashlib.sha256).digest()
    url = robot_server.dingtalk_webhook + "&" + urllib.parse.urlencode(
        {"timestamp": stale_ms, "sign": base64.b64encode(digest).decode()})
    answer = _post(url, {"msgtype": "markdown", "markdown": {"title": "t", "text": "x"}})
    assert answer["errcode"] == 310000
