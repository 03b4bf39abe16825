"""The raw gate: every landing table validated with GX before dbt reads it.

Per table, three suites: ``<table>.raw_files`` on the per-file schema frame (every batch file
has the contract columns with the contract types), ``<table>.raw`` on current rows (nulls,
enums, ranges, key uniqueness among current rows) and ``<table>.raw_table`` on one row of
figures over all current rows (row count against the last publish, freshness of
``_loaded_at``); plus ``billing__fx_rates.coverage`` (every needed FX rate).

Batch files are append-only, so the row rules need not read again what the last publish's
gate validated: ``<table>.raw`` sees the current rows from new batch files plus the current
rows sharing a key with them (a tie between an old and a new row is still a duplicate key).
The first run, a full refresh, or a publish from another landing dir validate every row.
Which rows are current is found from the landing index (``quality/landing_index.py``), which
keeps every batch file's keys and load order and reads only files it has not seen: a daily
run reads the day's batch files, whole, once (a full refresh rebuilds the index).

Freshness is measured against the as-of time: the end of ``as_of_date`` when the run gives
one, otherwise the newest ``_loaded_at`` in the landing (the same default as the dbt
as-of date), so that replaying an old landing directory is not "stale" by construction; a
table whose newest load is older than its suite's ``freshness_max_age_hours`` before that
fails. The row-count baseline is ``meta.raw_row_counts`` of the serving file (the last
publish): a table whose current rows fell below ``row_count_min_ratio_of_previous`` of it
fails, unless the run sets ``accept_row_count_drop``.
"""

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
from dagster import AssetCheckExecutionContext

from orchestration.defs.publish.serving import remove_stale_candidates
from orchestration.defs.raw.assets import raw_asset_key
from orchestration.lib.contract import raw_tables
from orchestration.lib.landing import batch_files, fingerprint, stat_of
from orchestration.lib.meta import Baseline, RawCount, read_baseline
from orchestration.lib.options import RefreshOptions
from orchestration.lib.run_log import progress
from orchestration.lib.run_records import FINGERPRINT_KEY, FX_COVERAGE_CHECK, RAW_GATE_CHECK
from orchestration.lib.settings import Settings
from orchestration.quality.frames import (
    TableFigures,
    current_rows,
    file_schema_frame,
    fx_needs_frame,
)
from orchestration.quality.gx_runner import Failure, GxRunner, Validation, combine, runner_for
from orchestration.quality.suites import load_suite, suite_name

FX_TABLE = "billing/fx_rates"
FX_INPUTS = (
    "billing/subscriptions",
    "billing/invoices",
    "billing/refunds",
    "crm/marketing_spend",
    FX_TABLE,
)


@dataclass
class TableOutcome:
    table: str
    validations: list[Validation] = field(default_factory=list)
    count: RawCount | None = None
    previous_rows: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return (
            bool(self.validations)
            and all(v.success for v in self.validations)
            and not any(n.startswith("FAILED") for n in self.notes)
        )

    def describe(self) -> str:
        lines = [v.describe() for v in self.validations] + self.notes
        return "\n".join(lines)


@dataclass
class RawGateOutcome:
    tables: dict[str, TableOutcome]
    coverage: TableOutcome
    landing_fingerprint: str
    reference_time: datetime | None
    last_complete_month: date | None
    baseline: Baseline | None
    data_docs: Path | None = None

    @property
    def passed(self) -> bool:
        return self.coverage.passed and all(t.passed for t in self.tables.values())


def _error_validation(table: str, suite: str, error: Exception) -> Validation:
    failure = Failure(table, "read", None, None, None, None, [], None, {}, error=str(error))
    return Validation(table, suite, False, 1, 0, [failure])


def _validated_files(settings: Settings, baseline: Baseline | None, revalidate: bool) -> set:
    """Batch files the last publish's raw gate validated in this landing dir (none when the
    run revalidates everything, or the last publish read another landing dir)."""
    if revalidate or baseline is None or baseline.raw_dir != str(settings.raw_dir):
        return set()
    return set(baseline.validated_files)


def validate_landing(
    settings: Settings,
    runner: GxRunner,
    as_of_end: datetime | None = None,
    accept_row_count_drop: bool = False,
    revalidate: bool = False,
    report: Callable[[str], None] = lambda _message: None,
) -> RawGateOutcome:
    """Run every raw suite on the landing directory; never raises on bad data.

    Row rules run on the current rows from batch files the last publish did not validate
    (every current row when ``revalidate``, e.g. on a full refresh); table rules (row count,
    freshness) on figures over all current rows. ``report`` gets a line per table.
    """
    import pandas as pd

    before = fingerprint(settings.raw_dir)
    baseline = read_baseline(settings.serving_path)
    validated = _validated_files(settings, baseline, revalidate)
    files = batch_files(settings.raw_dir)
    outcomes: dict[str, TableOutcome] = {}
    figures: dict[str, TableFigures] = {}
    for table, spec in raw_tables().items():
        began = time.perf_counter()
        outcome = outcomes[table] = TableOutcome(table)
        schema_frame = file_schema_frame(files[table], spec)
        files_suite = load_suite(settings.expectations_dir, table, "raw_files")
        checked = runner.validate(table, files_suite, schema_frame)
        outcome.validations.append(checked)
        if not checked.success:
            outcome.notes.append(
                f"{table}: current rows not validated, its batch files break the contract"
            )
            continue
        suite = load_suite(settings.expectations_dir, table, "raw")
        old = [str(f.path) for f in files[table] if stat_of(f) in validated]
        try:
            with current_rows(
                settings.raw_dir,
                spec,
                suite["meta"].get("derived_columns", {}),
                validated_paths=old,
                memory_limit=settings.gate_memory_limit,
                temp_directory=str(settings.gate_temp_dir),
                index_path=settings.gate_index_path,
                rebuild_index=revalidate,
            ) as rows:
                figures[table] = rows.figures
                parts = [
                    runner.validate(table, suite, frame)
                    for frame in rows.frames(settings.gate_chunk_rows)
                ]
        except duckdb.Error as error:
            outcome.validations.append(_error_validation(table, suite["name"], error))
            continue
        outcome.validations.append(combine(parts))
        outcome.notes.append(
            f"{table}: row rules on {rows.rows:,} current rows from "
            f"{len(files[table]) - len(old)} new batch file(s)"
            + (f" ({len(old)} validated by publish #{baseline.publish_id})" if old else "")
            + f"; {rows.index_note}"
        )
        newest = figures[table].newest_loaded_at
        outcome.count = RawCount(
            table,
            figures[table].current_rows,
            figures[table].raw_rows,
            len(files[table]),
            None if newest is None or pd.isna(newest) else pd.Timestamp(newest).to_pydatetime(),
        )
        report(
            f"{table}: {rows.rows:,} current rows of {len(files[table]) - len(old)} new batch "
            f"file(s) validated in {time.perf_counter() - began:.1f}s ({rows.index_note})"
        )
    newest_loads = [
        o.count.newest_loaded_at for o in outcomes.values() if o.count and o.count.newest_loaded_at
    ]
    reference = as_of_end or (max(newest_loads) if newest_loads else None)
    for table, table_figures in figures.items():
        outcome = outcomes[table]
        suite = load_suite(settings.expectations_dir, table, "raw_table")
        meta = suite["meta"]
        ratio = float(meta.get("row_count_min_ratio_of_previous", 0))
        minimum = (
            None
            if accept_row_count_drop
            else (baseline.min_current_rows(table, ratio) if baseline else None)
        )
        current = table_figures.current_rows
        if baseline is not None and table in baseline.current_rows:
            outcome.previous_rows = baseline.current_rows[table]
            outcome.notes.append(
                f"{table}: {current:,} current rows, {outcome.previous_rows:,} at publish "
                f"#{baseline.publish_id} ({baseline.published_at:%Y-%m-%d %H:%M}, "
                f"{baseline.raw_dir})"
                + (f"; at least {minimum:,} required" if minimum is not None else "")
            )
        max_age = meta.get("freshness_max_age_hours")
        fresh_since = None
        if reference is not None and max_age is not None and current:
            fresh_since = reference - timedelta(hours=float(max_age))
        parameters = {"min_current_rows": minimum, "fresh_since": fresh_since}
        frame = table_figures.frame(len(files[table]))
        outcome.validations.append(runner.validate(table, suite, frame, parameters))
    coverage = TableOutcome(FX_TABLE)
    last_complete_month = None
    unreadable = [t for t in FX_INPUTS if t not in figures]
    if reference is None:
        coverage.notes.append("FAILED: FX rate coverage not evaluated: the landing has no rows")
    elif unreadable:
        coverage.notes.append(
            "FAILED: FX rate coverage not evaluated: "
            + ", ".join(unreadable)
            + " could not be validated"
        )
    else:
        as_of = reference.date()
        last_complete_month = (as_of.replace(day=1) - timedelta(days=1)).replace(day=1)
        suite = load_suite(settings.expectations_dir, FX_TABLE, "coverage")
        try:
            needs = fx_needs_frame(settings.raw_dir, last_complete_month)
        except duckdb.Error as error:
            coverage.validations.append(_error_validation(FX_TABLE, suite["name"], error))
        else:
            coverage.validations.append(runner.validate(FX_TABLE, suite, needs))
            coverage.notes.append(
                f"{len(needs):,} (currency, month, source) needs through {last_complete_month}"
            )
    after = fingerprint(settings.raw_dir)
    if after != before:
        for outcome in outcomes.values():
            outcome.notes.append(
                f"FAILED: the landing directory {settings.raw_dir} changed while the gate read it"
            )
    return RawGateOutcome(
        tables=outcomes,
        coverage=coverage,
        landing_fingerprint=before,
        reference_time=reference,
        last_complete_month=last_complete_month,
        baseline=baseline,
    )


def _metadata(outcome: TableOutcome, gate: RawGateOutcome) -> dict[str, dg.MetadataValue]:
    failures = [f.describe() for v in outcome.validations for f in v.failures]
    metadata: dict[str, dg.MetadataValue] = {
        "table": dg.MetadataValue.text(outcome.table),
        "suites": dg.MetadataValue.json([f"{v.suite}.json" for v in outcome.validations]),
        "expectations_evaluated": dg.MetadataValue.int(
            sum(v.evaluated for v in outcome.validations)
        ),
        "expectations_failed": dg.MetadataValue.int(len(failures)),
        "result": dg.MetadataValue.md(
            "\n".join(f"- {line}" for line in outcome.describe().splitlines()) or "-"
        ),
        FINGERPRINT_KEY: dg.MetadataValue.text(gate.landing_fingerprint),
    }
    if outcome.count is not None:
        metadata["current_rows"] = dg.MetadataValue.int(outcome.count.current_rows)
        metadata["raw_rows"] = dg.MetadataValue.int(outcome.count.raw_rows)
        metadata["batch_files"] = dg.MetadataValue.int(outcome.count.batch_files)
        if outcome.count.newest_loaded_at is not None:
            metadata["newest_loaded_at"] = dg.MetadataValue.text(
                outcome.count.newest_loaded_at.isoformat(sep=" ")
            )
    if outcome.previous_rows is not None:
        metadata["previous_current_rows"] = dg.MetadataValue.int(outcome.previous_rows)
    if gate.reference_time is not None:
        metadata["freshness_reference"] = dg.MetadataValue.text(
            gate.reference_time.isoformat(sep=" ")
        )
    docs = next((v.docs_url for v in outcome.validations if not v.success and v.docs_url), None)
    docs = docs or next((v.docs_url for v in outcome.validations if v.docs_url), None)
    if docs:
        metadata["data_docs"] = dg.MetadataValue.url(docs)
    if gate.data_docs is not None:
        metadata["data_docs_index"] = dg.MetadataValue.path(str(gate.data_docs))
    return metadata


def _describe(outcome: TableOutcome) -> str:
    if outcome.passed:
        evaluated = sum(v.evaluated for v in outcome.validations)
        return f"{outcome.table}: all {evaluated} expectations passed"
    return outcome.describe()


def build_raw_gate() -> dg.AssetChecksDefinition:
    specs = [
        dg.AssetCheckSpec(
            RAW_GATE_CHECK,
            asset=raw_asset_key(table),
            blocking=True,
            description=(
                f"GX suites {suite_name(table, 'raw_files')}, {suite_name(table, 'raw')} and "
                f"{suite_name(table, 'raw_table')}: contract columns and types per batch file; "
                "nulls, enums, ranges and unique keys on the current rows of new batch files; "
                "row count vs the last publish and freshness of _loaded_at over all rows."
            ),
        )
        for table in raw_tables()
    ]
    specs.append(
        dg.AssetCheckSpec(
            FX_COVERAGE_CHECK,
            asset=raw_asset_key(FX_TABLE),
            blocking=True,
            description=(
                "GX suite billing__fx_rates.coverage: every (currency, month) that "
                "subscriptions, invoices, refunds and marketing spend need has a rate."
            ),
        )
    )

    @dg.multi_asset_check(specs=specs, name="raw_gate")
    def raw_gate(
        context: AssetCheckExecutionContext, refresh_options: RefreshOptions
    ) -> Iterator[dg.AssetCheckResult]:
        """Validate the landing directory with GX before dbt reads it; blocks the build."""
        settings = Settings.from_env()
        for stale in remove_stale_candidates(settings.serving_path):
            context.log.info(f"removed stale candidate {stale}")
        runner = runner_for(settings.data_docs_dir)
        gate = validate_landing(
            settings,
            runner,
            refresh_options.as_of_end(),
            refresh_options.accept_row_count_drop,
            revalidate=refresh_options.full_refresh,
            report=lambda message: context.log.info(progress(message)),
        )
        gate.data_docs = runner.build_docs()
        for table, outcome in gate.tables.items():
            if not outcome.passed:
                context.log.error(outcome.describe())
            yield dg.AssetCheckResult(
                asset_key=raw_asset_key(table),
                check_name=RAW_GATE_CHECK,
                passed=outcome.passed,
                severity=dg.AssetCheckSeverity.ERROR,
                description=_describe(outcome),
                metadata=_metadata(outcome, gate),
            )
        if not gate.coverage.passed:
            context.log.error(gate.coverage.describe())
        yield dg.AssetCheckResult(
            asset_key=raw_asset_key(FX_TABLE),
            check_name=FX_COVERAGE_CHECK,
            passed=gate.coverage.passed,
            severity=dg.AssetCheckSeverity.ERROR,
            description=_describe(gate.coverage),
            metadata=_metadata(gate.coverage, gate),
        )

    return raw_gate
