"""The ``serving_warehouse`` asset: publish the run's validated build once every gate passed."""

from datetime import UTC, datetime

import dagster as dg
from dagster import AssetExecutionContext

from orchestration.defs.publish.serving import PublishError, publish
from orchestration.defs.publish.spark_serving import publish_on_spark
from orchestration.lib.landing import file_stats, fingerprint_of
from orchestration.lib.meta import RawCount
from orchestration.lib.run_records import (
    FINGERPRINT_KEY,
    FX_COVERAGE_CHECK,
    MART_GATE_CHECK,
    RAW_GATE_CHECK,
    CheckOutcome,
    check_outcomes,
)
from orchestration.lib.settings import Settings


def serving_location(settings: Settings) -> str:
    """Where BI reads the marts: the serving file, or on Spark the views in the metastore."""
    if settings.on_spark:
        return (
            f"Spark database serving (views serving.<mart>; warehouse {settings.spark_warehouse}, "
            f"metastore {settings.spark_metastore})"
        )
    return str(settings.serving_path)


def _run_started_at(context: AssetExecutionContext) -> datetime:
    record = context.instance.get_run_record_by_id(context.run.run_id)
    started = record.start_time if record is not None else None
    if started is None:
        return datetime.now(UTC).replace(tzinfo=None)
    return datetime.fromtimestamp(started, UTC).replace(tzinfo=None)


def _raw_counts(outcomes: list[CheckOutcome]) -> dict[str, RawCount]:
    counts = {}
    for outcome in outcomes:
        meta = outcome.metadata
        if outcome.check_name != RAW_GATE_CHECK or "current_rows" not in meta:
            continue
        newest = meta.get("newest_loaded_at")
        counts[meta["table"]] = RawCount(
            table=meta["table"],
            current_rows=int(meta["current_rows"]),
            raw_rows=int(meta["raw_rows"]),
            batch_files=int(meta["batch_files"]),
            newest_loaded_at=datetime.fromisoformat(newest) if newest else None,
        )
    return counts


def _gates_passed(
    outcomes: list[CheckOutcome], required: set[tuple[dg.AssetKey, str]]
) -> list[str]:
    """Problems that forbid publishing: a required gate that did not pass in this run."""
    latest = {(o.asset_key, o.check_name): o for o in outcomes}
    problems = []
    for key, check in sorted(required, key=lambda kc: (kc[0].to_user_string(), kc[1])):
        outcome = latest.get((key, check))
        if outcome is None:
            problems.append(f"{check} on {key.to_user_string()} did not run in this run")
        elif not outcome.passed:
            problems.append(f"{check} on {key.to_user_string()} failed")
    return problems


def build_publish_asset(
    mart_keys: dict[str, dg.AssetKey], raw_keys: list[dg.AssetKey], fx_key: dg.AssetKey
) -> dg.AssetsDefinition:
    required = (
        {(key, RAW_GATE_CHECK) for key in raw_keys}
        | {(fx_key, FX_COVERAGE_CHECK)}
        | {(key, MART_GATE_CHECK) for key in mart_keys.values()}
    )

    @dg.asset(
        name="serving_warehouse",
        group_name="publish",
        deps=list(mart_keys.values()),
        kinds={"duckdb"},
        description=(
            "The serving DuckDB file (CX_SERVING_PATH) BI tools open read-only: every mart "
            "plus meta.publish_log, replaced atomically once every gate of the run passed. "
            "On CX_TARGET=spark: the views serving.<mart> of the Spark metastore, switched to "
            "the new publish in one view update (docs/spark.md)."
        ),
    )
    def serving_warehouse(context: AssetExecutionContext) -> dg.MaterializeResult:
        settings = Settings.from_env()
        outcomes = check_outcomes(context)
        problems = _gates_passed(outcomes, required)
        if problems:
            raise dg.Failure(
                "Not publishing: every gate must pass in the same run.\n  " + "\n  ".join(problems)
            )
        fingerprints = {
            str(o.metadata[FINGERPRINT_KEY])
            for o in outcomes
            if o.check_name == RAW_GATE_CHECK and FINGERPRINT_KEY in o.metadata
        }
        # the files the raw gate validated: the landing as it is now, if it is still the landing
        # the gate read (else record none, and the next raw gate reads every file)
        stats = file_stats(settings.raw_dir)
        validated = stats if {fingerprint_of(stats)} == fingerprints else []
        if not validated:
            context.log.warning(
                f"the landing {settings.raw_dir} changed since the raw gate: the next raw gate "
                "validates every batch file again"
            )
        try:
            if settings.on_spark:
                record = publish_on_spark(
                    settings,
                    run_id=context.run.run_id,
                    marts=sorted(mart_keys),
                    raw_counts=_raw_counts(outcomes),
                    landing_fingerprint=",".join(sorted(fingerprints)),
                    run_started_at=_run_started_at(context),
                    validated_files=validated,
                )
            else:
                record = publish(
                    settings.build_path,
                    settings.serving_path,
                    run_id=context.run.run_id,
                    marts=sorted(mart_keys),
                    raw_counts=_raw_counts(outcomes),
                    raw_dir=settings.raw_dir,
                    landing_fingerprint=",".join(sorted(fingerprints)),
                    run_started_at=_run_started_at(context),
                    validated_files=validated,
                    keep=settings.serving_keep,
                    storage_version=settings.serving_storage_version,
                )
        except PublishError as error:
            raise dg.Failure(f"Not published: {error}") from error
        served_at = serving_location(settings)
        context.log.info(
            f"published {len(record.mart_rows)} marts as of {record.as_of_date} to "
            f"{served_at} (publish #{record.publish_id})"
        )
        return dg.MaterializeResult(
            metadata={
                "serving_path": dg.MetadataValue.text(served_at)
                if settings.on_spark
                else dg.MetadataValue.path(served_at),
                "publish_id": dg.MetadataValue.int(record.publish_id),
                "as_of_date": dg.MetadataValue.text(record.as_of_date.isoformat()),
                "last_complete_month": dg.MetadataValue.text(
                    record.last_complete_month.isoformat()
                ),
                "git_sha": dg.MetadataValue.text(record.git_sha),
                "duration_seconds": dg.MetadataValue.float(round(record.duration_seconds, 2)),
                "mart_rows": dg.MetadataValue.json(record.mart_rows),
                "total_rows": dg.MetadataValue.int(sum(record.mart_rows.values())),
                "serving_bytes": dg.MetadataValue.int(record.serving_bytes),
                "data_docs_index": dg.MetadataValue.path(str(settings.data_docs_index)),
            }
        )

    return serving_warehouse
