"""Publishing: the one place that turns results into files and owned tabs, for every caller
(the CLI, the buttons, the nightly job, the archive). The engines return results and write
nothing; this package writes them.

- `tabs`: the owned-tab tables (校验结果, KPI看板, 提醒记录) and `write_tabs`, the one call
  into the write-back.
- `files`: validation.{json,xlsx,html}, the KPI dashboards and monthly reports, the
  reminder log, the handover checklist.
- `commands`: one library call per command that publishes (`validate_and_publish`,
  `kpi_and_publish`, `remind_and_publish`).

Submodules are imported by name (`from automation.publish.files import ...`): nothing is
imported here, so that an engine-side import of one writer does not pull in the others.
"""
