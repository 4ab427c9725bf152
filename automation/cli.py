"""The `clerk` command: a thin shell over library functions the buttons and the nightly job
call too. Exit status: 0 all well, 1 problems reported, 2 could not run."""

from __future__ import annotations

import json
import os
import sys
import traceback
import warnings
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from . import __version__
from .config import OfficeConfig, find_config_path, load_config
from .errors import ClerkError, UsageError
from .i18n import DEFAULT_LOCALE, current_locale, resolve_locale, t

if TYPE_CHECKING:
    from .checks.findings import Finding

_BOOT_LOCALE = resolve_locale(os.environ.get("CLERK_LOCALE")) or DEFAULT_LOCALE


def _help(key: str) -> str:
    return t(f"help.{key}", _BOOT_LOCALE)


app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    help=_help("app"),
)

ConfigOption = Annotated[
    Path | None, typer.Option("-c", "--config", help=_help("config"), show_default=False)
]
LocaleOption = Annotated[
    str | None, typer.Option("--locale", help=_help("locale"), show_default=False)
]
DebugOption = Annotated[bool, typer.Option("--debug", help=_help("debug"))]
TodayOption = Annotated[str | None, typer.Option("--today", help=_help("today"))]
TextJsonOption = Annotated[
    str, typer.Option("--format", "-f", help=_help("format_text_json"))
]


def _console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _use_locale(explicit: str | None, config: OfficeConfig | None = None) -> str:
    locale = resolve_locale(explicit) or (config.locale if config else None) or _BOOT_LOCALE
    current_locale.set(locale)
    return locale


def _plain_warning(message: Warning | str, category: type[Warning], *args: Any,
                   **kwargs: Any) -> None:
    """A year the working-day calendar does not know is said as the line it is, not as a
    Python warning with a file name and a source line."""
    from .workdays import UncoveredYearWarning

    if issubclass(category, UncoveredYearWarning):
        _console(stderr=True).print(str(message), markup=False, highlight=False)
    else:
        _SHOW_WARNING(message, category, *args, **kwargs)


_SHOW_WARNING = warnings.showwarning


def _run(debug: bool, locale: str | None, body: Callable[[], int]) -> None:
    """Run a command body; turn every failure into one clear line and exit status 2."""
    _use_locale(locale)
    warnings.showwarning = _plain_warning
    try:
        code = body()
    except ClerkError as exc:
        if debug:
            traceback.print_exc()
        _console(stderr=True).print(exc.message(resolve_locale(locale)), markup=False,
                                    highlight=False)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        _console(stderr=True).print(t("cli.interrupted"), markup=False)
        raise typer.Exit(130) from None
    except typer.Exit:
        raise
    except PermissionError as exc:
        if debug:
            traceback.print_exc()
        _console(stderr=True).print(t("cli.write_locked", path=exc.filename or ""), markup=False)
        raise typer.Exit(2) from None
    except Exception as exc:
        if debug:
            traceback.print_exc()
        detail = f"{type(exc).__name__}: {exc}".splitlines()[0]
        _console(stderr=True).print(t("cli.internal_error", detail=detail), markup=False)
        raise typer.Exit(2) from None
    raise typer.Exit(code)


def _load(config_path: Path | None, locale: str | None) -> OfficeConfig:
    config = load_config(config_path)
    _use_locale(locale, config)
    return config


def _parse_day(value: str | None) -> date:
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError("cli.bad_date", value=value) from None


FORMATS = ("text", "json", "xlsx", "html")


def _text_or_json(format: str) -> None:
    if format not in ("text", "json"):
        raise UsageError("cli.unknown_format", format=format, known="text, json")


def _say_misplaced(findings: list[Finding]) -> int:
    """Each register pointed at the wrong workbook, as `clerk validate` lists it, on stderr;
    1 when there is one (an error a nightly job must not pass over), else 0."""
    from .reports.text import finding_line

    console = _console(stderr=True)
    for finding in findings:
        console.print(finding_line(finding), markup=False, highlight=False)
    return 1 if findings else 0


def _print_json(data: object) -> None:
    """Machine output on stdout: one JSON document, UTF-8, Chinese left readable."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@app.command(help=_help("validate"))
def validate(
    register: Annotated[
        list[str] | None, typer.Option("--register", "-r", help=_help("register"))
    ] = None,
    format: Annotated[str, typer.Option("--format", "-f", help=_help("format"))] = "text",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help=_help("output"), show_default=False)
    ] = None,
    config: ConfigOption = None,
    locale: LocaleOption = None,
    debug: DebugOption = False,
) -> None:
    def body() -> int:
        from .publish.commands import validate_and_publish

        if format not in FORMATS:
            raise UsageError("cli.unknown_format", format=format, known=", ".join(FORMATS))
        office = _load(config, locale)
        published = validate_and_publish(office, register, format, output,
                                         locale=current_locale.get())
        show_validation(published.result, format, published.files)
        for line in published.notes:
            _console(stderr=True).print(line, markup=False, highlight=False)
        return 1 if published.result.errors else 0

    _run(debug, locale, body)


def show_validation(result: Any, format: str, written: list[Path]) -> None:
    """Print a validation result in one of FORMATS, or say where it was written."""
    from .reports.text import render_findings

    if format == "json":
        if written:
            for path in written:
                _console(stderr=True).print(t("cli.written", path=path), markup=False)
        else:
            sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n")
        return
    if format == "text":
        render_findings(result.findings, result.summary(), _console())
        return
    console = _console()
    console.print(t("cli.summary", errors=result.errors, warnings=result.warnings,
                    rows=result.rows_checked), markup=False)
    for path in written:
        console.print(t("cli.written", path=path), markup=False)


@app.command(help=_help("remind"))
def remind(
    today: TodayOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=_help("dry_run"))] = False,
    periodic: Annotated[bool, typer.Option("--periodic", help=_help("periodic"))] = False,
    format: TextJsonOption = "text",
    config: ConfigOption = None,
    locale: LocaleOption = None,
    debug: DebugOption = False,
) -> None:
    def body() -> int:
        from .publish.commands import remind_and_publish
        from .reports.reminders import render_remind
        from .scheduler import periodic_reminders

        _text_or_json(format)
        if periodic and (today or dry_run):
            raise UsageError("cli.periodic_alone")
        office = _load(config, locale)
        if periodic:
            found = periodic_reminders(office)
            if found is None or not (found.result.sent or found.result.failed
                                     or found.result.in_doubt):
                return 0  # nothing to do now, or nothing new: the cron log stays quiet
            published = found
        else:
            published = remind_and_publish(office, dry_run=dry_run,
                                           today=_parse_day(today) if today else None)
        report = published.result
        if format == "json":
            if notice := report.calendar_notice(office.office.region):
                _console(stderr=True).print(notice, markup=False, highlight=False)
            _print_json(report.to_dict())
        else:
            render_remind(report, office, _console(), published.notes)
        misplaced = _say_misplaced(published.misplaced)
        return 0 if report.ok and not misplaced else 1

    _run(debug, locale, body)


@app.command(help=_help("kpi"))
def kpi(
    period: Annotated[str | None, typer.Option("--period", "-p", help=_help("period"))] = None,
    today: TodayOption = None,
    format: TextJsonOption = "text",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help=_help("kpi_dir"), show_default=False)
    ] = None,
    config: ConfigOption = None,
    locale: LocaleOption = None,
    debug: DebugOption = False,
) -> None:
    def body() -> int:
        from .publish.commands import kpi_and_publish
        from .reports.kpi_text import render_kpis

        _text_or_json(format)
        office_config = _load(config, locale)
        published = kpi_and_publish(office_config, period, _parse_day(today), output)
        if format == "json":
            _print_json(published.result.to_dict())
        else:
            render_kpis(published.result, _console())
        for line in published.notes:
            _console(stderr=True).print(line, markup=False, highlight=False)
        for path in published.files:
            _console(stderr=True).print(t("cli.written", path=path), markup=False)
        return _say_misplaced(published.misplaced)

    _run(debug, locale, body)


@app.command("policy", help=_help("policy"))
def policy_command(
    today: TodayOption = None,
    format: TextJsonOption = "text",
    config: ConfigOption = None,
    locale: LocaleOption = None,
    debug: DebugOption = False,
) -> None:
    def body() -> int:
        from .policy_report import policy_report
        from .reports.policy_text import render_policy

        _text_or_json(format)
        office = load_config(config, check_sources=False)
        chosen = _use_locale(locale, office)
        report = policy_report(office, locale=chosen, today=_parse_day(today))
        if format == "json":
            _print_json(report.to_dict())
        else:
            render_policy(report, _console())
        return 0

    _run(debug, locale, body)


@app.command(help=_help("archive"))
def archive(
    period: Annotated[str | None, typer.Option("--period", "-p", help=_help("archive_period"))
                      ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help=_help("archive_dir"), show_default=False)
    ] = None,
    redact: Annotated[bool, typer.Option("--redact", help=_help("redact"))] = False,
    zip_: Annotated[bool, typer.Option("--zip", help=_help("zip"))] = False,
    retention: Annotated[str | None, typer.Option("--retention", help=_help("retention"))
                         ] = None,
    prune: Annotated[bool, typer.Option("--prune", help=_help("prune"))] = False,
    yes: Annotated[bool, typer.Option("--yes", help=_help("yes"))] = False,
    today: TodayOption = None,
    format: TextJsonOption = "text",
    config: ConfigOption = None,
    locale: LocaleOption = None,
    debug: DebugOption = False,
) -> None:
    def body() -> int:
        from .archive import archive_period
        from .archive import prune as prune_snapshots

        _text_or_json(format)
        office = _load(config, locale)
        day = _parse_day(today)
        if prune:
            pruned = prune_snapshots(office, today=day, out_dir=output, remove=yes)
            if format == "json":
                _print_json(pruned.to_dict())
            else:
                render_prune(pruned, yes)
            return 0
        if not period:
            raise UsageError("archive.period_required")
        report = archive_period(office, period, today=day, out_dir=output, redact=redact,
                                as_zip=zip_, retention=retention)
        if format == "json":
            _print_json(report.to_dict())
        else:
            render_archive(report)
        return _say_misplaced(report.misplaced)

    _run(debug, locale, body)


def _size(count: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024  # type: ignore[assignment]
    return str(count)


def render_archive(report: Any) -> None:
    console = _console()
    period = report.period
    until = report.keep_until.isoformat() if report.keep_until else t("archive.forever")
    lines = [
        t("archive.done", path=report.path),
        t("archive.summary", period=period.key, start=period.start, end=period.end,
          as_of=period.as_of, files=report.files, size=_size(report.bytes),
          retention=report.retention_class, until=until),
        t("archive.checklist", **report.checklist),
    ]
    if report.errors:
        lines.append(t("archive.errors_left", count=report.errors))
    if report.redacted:
        lines.append(t("archive.redacted"))
    lines.append(t("archive.fingerprint", fingerprint=report.fingerprint))
    for line in lines:
        console.print(line, markup=False)


def render_prune(report: Any, removing: bool) -> None:
    console = _console()
    if not report.entries:
        console.print(t("prune.none", folder=report.folder), markup=False)
        return
    for entry in report.entries:
        if entry.unfinished:
            state = t("prune.unfinished")
        else:
            state = t("prune.expired" if entry.expired else "prune.kept")
        until = (entry.keep_until.isoformat() if entry.keep_until
                 else t("prune.forever" if entry.retention_class else "prune.unknown"))
        console.print(t("prune.line", name=entry.path.name, retention=entry.retention_class
                        or "-", made=entry.made or "-", until=until, state=state),
                      markup=False)
    if removing:
        for path in report.removed:
            console.print(t("prune.removed", path=path), markup=False)
    elif report.expired:
        console.print(t("prune.hint", count=len(report.expired)), markup=False)
    else:
        console.print(t("prune.nothing"), markup=False)


@app.command(help=_help("verify"))
def verify(
    path: Annotated[Path, typer.Argument(help=_help("verify_path"))],
    format: TextJsonOption = "text",
    locale: LocaleOption = None,
    debug: DebugOption = False,
) -> None:
    def body() -> int:
        from .archive import verify as verify_bag

        _text_or_json(format)
        result = verify_bag(path)
        if format == "json":
            _print_json(result.to_dict())
            return 0 if result.ok else 1
        console = _console()
        if result.info:
            console.print(t("verify.about", office=result.tag("Source-Organization"),
                            period=result.tag("Period"), date=result.tag("Bagging-Date"),
                            retention=result.tag("Retention-Class")), markup=False)
        if result.ok:
            console.print(t("verify.ok", files=result.files, path=path), markup=False)
        else:
            console.print(t("verify.bad", path=path), markup=False)
            for problem in result.problems:
                console.print("  " + t(f"verify.{problem.kind}", path=problem.path,
                                       detail=problem.detail), markup=False)
        if result.fingerprint:
            console.print(t("verify.fingerprint", fingerprint=result.fingerprint),
                          markup=False)
        return 0 if result.ok else 1

    _run(debug, locale, body)


@app.command(help=_help("nightly"))
def nightly(
    today: TodayOption = None,
    format: TextJsonOption = "text",
    config: ConfigOption = None,
    locale: LocaleOption = None,
    debug: DebugOption = False,
) -> None:
    def body() -> int:
        from .nightly import run_nightly

        _text_or_json(format)
        office = _load(config, locale)
        day = _parse_day(today) if today else None
        if format == "json":
            report = run_nightly(office, today=day)
            _print_json(report.to_dict())
            return report.exit_code
        console = _console()
        if console.is_terminal:
            from rich.progress import Progress

            from .nightly import STEPS

            with Progress(console=console, transient=True) as bar:
                task = bar.add_task(t("nightly.title", day=day or date.today()),
                                    total=len(STEPS))

                def advance(name: str) -> None:
                    bar.update(task, description=t(f"nightly.step.{name}"), advance=1)

                report = run_nightly(office, today=day, progress=advance)
        else:
            report = run_nightly(office, today=day)
        render_nightly(report, console)
        return report.exit_code

    _run(debug, locale, body)


def _counts_text(counts: dict[str, int]) -> str:
    return t("list.separator").join(
        t("nightly.count._item", name=t(f"nightly.count.{key}"), value=value)
        for key, value in counts.items())


def render_nightly(report: Any, console: Console) -> None:
    """A table when a person is watching, plain lines for a log when not."""
    rows = [(t(f"nightly.step.{s.name}"), t(f"nightly.status.{s.status}"),
             _counts_text(s.counts), s.detail, f"{s.seconds:.1f}") for s in report.steps]
    if console.is_terminal:
        from rich.table import Table

        table = Table(title=t("nightly.title", day=report.today))
        for key in ("step", "status", "counts", "detail", "seconds"):
            table.add_column(t(f"nightly.col_{key}"))
        for row in rows:
            table.add_row(*row)
        console.print(table)
    else:
        for step, status, counts, detail, _ in rows:
            console.print(t("nightly.line", step=step, status=status, counts=counts,
                            detail=detail).rstrip(), markup=False)
    for line in report.notes:
        console.print(line, markup=False, highlight=False)
    for path in report.outputs:
        if path.suffix == ".html":
            console.print(t("cli.demo_look", path=path), markup=False)
    console.print(t(f"nightly.done_{report.status}"), markup=False)
    if report.alert in ("sent", "failed"):
        console.print(t(f"nightly.alert_{report.alert}"), markup=False)


@app.command(help=_help("status"))
def status(
    limit: Annotated[int, typer.Option("--limit", "-n", help=_help("limit"))] = 10,
    format: TextJsonOption = "text",
    config: ConfigOption = None,
    locale: LocaleOption = None,
    debug: DebugOption = False,
) -> None:
    def body() -> int:
        from .nightly import run_status

        _text_or_json(format)
        runs = run_status(_load(config, locale), limit)
        if format == "json":
            _print_json({"runs": runs})
            return 0
        console = _console()
        if not runs:
            console.print(t("nightly.no_runs"), markup=False)
        for run in runs:
            console.print(t("nightly.run_line", id=run["id"], today=run["today"],
                            started=run["started_at"], finished=run["finished_at"] or "-",
                            status=t(f"nightly.status.{run['status']}")), markup=False)
            for step in run["steps"]:
                if step["status"] == "failed":
                    console.print(t("nightly.failed_step", step=t(f"nightly.step.{step['name']}"),
                                    detail=step["detail"]), markup=False)
        return 0

    _run(debug, locale, body)


@app.command(help=_help("schedule"))
def schedule(
    print_kind: Annotated[str | None, typer.Option("--print", help=_help("print_kind"))
                          ] = None,
    config: ConfigOption = None,
    locale: LocaleOption = None,
    debug: DebugOption = False,
) -> None:
    def body() -> int:
        from .scheduler import print_entry, run_forever

        office = _load(config, locale)
        if print_kind:
            sys.stdout.write(print_entry(office, print_kind))
            return 0
        console = _console()
        assert office.path is not None
        return run_forever(office.path, say=lambda line: console.print(line, markup=False))

    _run(debug, locale, body)


@app.command(help=_help("serve"))
def serve(
    host: Annotated[str | None, typer.Option("--host", help=_help("serve_host"))] = None,
    port: Annotated[int | None, typer.Option("--port", help=_help("serve_port"))] = None,
    config: ConfigOption = None,
    locale: LocaleOption = None,
    debug: DebugOption = False,
) -> None:
    def body() -> int:
        from .server import check_license, server_token
        from .server import serve as run_server

        office = _load(config, locale)
        server_token(office)
        check_license()
        _console(stderr=True).print(t("server.listening", host=host or office.server.host,
                                      port=port or office.server.port), markup=False)
        run_server(office, host, port)
        return 0

    _run(debug, locale, body)


@app.command(help=_help("init"))
def init(
    directory: Annotated[Path | None, typer.Argument(help=_help("init_dir"))] = None,
    demo: Annotated[bool, typer.Option("--demo", help=_help("demo_flag"))] = False,
    google: Annotated[
        str | None, typer.Option("--google", help=_help("init_google"), show_default=False)
    ] = None,
    register: Annotated[
        str | None, typer.Option("--register", "-r", help=_help("init_register"),
                                 show_default=False)
    ] = None,
    today: TodayOption = None,
    config: ConfigOption = None,
    locale: LocaleOption = None,
    debug: DebugOption = False,
) -> None:
    def body() -> int:
        if google is not None:
            return _init_google(google, register, config, locale)
        from .office import init_office

        if directory is None:
            raise UsageError("cli.init_needs_folder")
        chosen = _use_locale(locale)
        path = init_office(directory, locale=chosen, demo=demo, today=_parse_day(today))
        _console().print(t("cli.init_done", path=path.parent), markup=False)
        return 0

    _run(debug, locale, body)


def _init_google(key: str, register: str | None, config_path: Path | None,
                 locale: str | None) -> int:
    from .config import GoogleSheet
    from .registers import REGISTERS
    from .sources.google_setup import setup_google_register

    if register not in REGISTERS:
        raise UsageError("cli.unknown_register", name=register or "",
                         known=", ".join(REGISTERS))
    office = load_config(config_path, check_sources=False)
    chosen = _use_locale(locale, office)
    done = setup_google_register(office, GoogleSheet(google_sheet=key).google_sheet, register,
                                 chosen)
    _console().print(t("google.init_done", title=done.title, register=register,
                       tabs=t("list.separator").join(done.tabs), url=done.url),
                     markup=False)
    return 0


@app.command("google-login", help=_help("google_login"))
def google_login(
    client_secrets: Annotated[Path, typer.Argument(help=_help("client_secrets"))],
    no_browser: Annotated[bool, typer.Option("--no-browser", help=_help("no_browser"))] = False,
    port: Annotated[int, typer.Option("--port", help=_help("login_port"))] = 0,
    config: ConfigOption = None,
    locale: LocaleOption = None,
    debug: DebugOption = False,
) -> None:
    def body() -> int:
        from .sources.google_setup import google_login as login

        office = load_config(config, check_sources=False)
        _use_locale(locale, office)
        path = login(office, client_secrets, open_browser=not no_browser, port=port)
        console = _console()
        console.print(t("google.login_saved", path=path), markup=False)
        if not office.google.credentials:
            console.print(t("google.login_add_line", path=path), markup=False)
        return 0

    _run(debug, locale, body)


@app.command(help=_help("demo"))
def demo(
    directory: Annotated[Path, typer.Argument(help=_help("demo_dir"))] = Path("demo-office"),
    today: TodayOption = None,
    locale: LocaleOption = None,
    debug: DebugOption = False,
) -> None:
    def body() -> int:
        from .office import run_demo

        chosen = _use_locale(locale)
        report = run_demo(directory, locale=chosen, today=_parse_day(today))
        console = _console()
        console.print(t("cli.demo_next", path=report.config.parent), markup=False)
        checked = report.nightly.step("validate").counts
        if checked:
            console.print(t("cli.summary", errors=checked["errors"],
                            warnings=checked["warnings"], rows=checked["rows_checked"]),
                          markup=False)
        for line in report.nightly.notes:
            console.print(line, markup=False, highlight=False)
        for path in report.outputs:
            console.print(t("cli.demo_look", path=path), markup=False)
        if report.button:
            shown = report.button
            if shown.licence_assumed:
                console.print(t("cli.demo_licence"), markup=False)
            console.print(t("cli.demo_button", url=shown.url, workbook=shown.workbook,
                            actions=shown.actions, findings=shown.findings,
                            errors=shown.errors_marked, warnings=shown.warnings_marked),
                          markup=False)
        elif report.button_problem:
            console.print(t("cli.demo_button_failed", detail=report.button_problem),
                          markup=False)
        return 0 if report.nightly.status != "failed" else 2

    _run(debug, locale, body)


@app.command(help=_help("templates"))
def templates(
    output: Annotated[
        Path, typer.Option("-o", "--output", help=_help("templates_dir"))
    ] = Path("workbook_templates"),
    locale: LocaleOption = None,
    debug: DebugOption = False,
) -> None:
    def body() -> int:
        from .templates import write_all_templates

        written = write_all_templates(output)
        _console().print(t("cli.templates_done", count=len(written), path=output), markup=False)
        return 0

    _run(debug, locale, body)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"clerk {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help=_help("version"))
    ] = False,
) -> None:
    """Sheet Clerk."""


def _utf8_streams() -> None:
    """Chinese output must survive a Windows pipe or a cp936 console."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", "") or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")


def main() -> None:
    _utf8_streams()
    app(prog_name="clerk")


__all__ = ["app", "find_config_path", "main"]
