"""Run an expectation suite on a DataFrame with Great Expectations and describe the outcome.

GX is imported here and only here, when a gate runs (it takes seconds to import), so that
loading the Dagster definitions stays fast. A GX that fails to import or to run raises
``GxError``: the gate then fails, it never passes by default.

The context is ephemeral (nothing under ``~``, no config files to drift): suites are loaded
from ``expectations/*.json`` at run time (``suites.add_or_update``) and validation results
are rendered as Data Docs under ``CX_GX_DIR`` (``data/gx/data_docs/index.html``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestration.quality.suites import Suite

if TYPE_CHECKING:
    import pandas as pd

DATASOURCE = "cx_frames"
DOCS_SITE = "cx_data_docs"
EXAMPLES = 5


class GxError(RuntimeError):
    """Great Expectations could not import, load a suite or validate."""


@dataclass(frozen=True)
class Failure:
    """One failed expectation, in words a person can act on."""

    table: str
    expectation: str
    column: str | None
    rule: str | None
    unexpected_count: int | None
    element_count: int | None
    examples: list[Any]
    observed: Any
    expected: dict[str, Any]
    error: str | None = None

    def describe(self) -> str:
        where = f"{self.table}.{self.column}" if self.column else self.table
        text = f"{where}: {self.expectation}"
        if self.rule:
            text += f" ({self.rule})"
        if self.error:
            return f"{text} could not be evaluated: {self.error}"
        if self.unexpected_count is not None:
            total = f" of {self.element_count:,}" if self.element_count is not None else ""
            text += f" failed for {self.unexpected_count:,}{total} rows"
            if self.examples:
                text += ", e.g. " + "; ".join(self._example(e) for e in self.examples)
        else:
            text += f" failed: observed {_short(self.observed)}"
            if self.expected:
                text += ", expected " + ", ".join(
                    f"{k}={_short(v)}" for k, v in self.expected.items()
                )
        return text

    def _example(self, example: Any) -> str:
        """A failing row: its identifying columns first, then the failing value."""
        if not isinstance(example, dict):
            return _short(example)
        first = {k: v for k, v in example.items() if k != self.column}
        last = {k: v for k, v in example.items() if k == self.column}
        return _short({**first, **last})


@dataclass
class Validation:
    table: str
    suite: str
    success: bool
    evaluated: int
    rows: int
    failures: list[Failure] = field(default_factory=list)
    docs_url: str | None = None

    def describe(self) -> str:
        if self.success:
            return f"{self.table}: {self.evaluated} expectations of {self.suite} passed"
        lines = [
            f"{self.table}: {len(self.failures)} of {self.evaluated} expectations of "
            f"{self.suite} failed"
        ]
        lines += [f"  - {failure.describe()}" for failure in self.failures]
        return "\n".join(lines)


def combine(parts: list[Validation]) -> Validation:
    """One suite validated chunk by chunk, as one validation: failures of the same expectation
    add up their counts and keep the first examples."""
    first = parts[0]
    merged: dict[tuple[str, str | None, str | None], Failure] = {}
    for part in parts:
        for failure in part.failures:
            key = (failure.expectation, failure.column, failure.rule)
            seen = merged.get(key)
            if seen is None or failure.unexpected_count is None or seen.unexpected_count is None:
                merged.setdefault(key, failure)
                continue
            merged[key] = dataclasses.replace(
                seen,
                unexpected_count=seen.unexpected_count + failure.unexpected_count,
                element_count=(seen.element_count or 0) + (failure.element_count or 0),
                examples=(seen.examples + failure.examples)[:EXAMPLES],
            )
    rows = sum(p.rows for p in parts)
    for key, failure in merged.items():  # a rate is over every row, not the failing chunks'
        if failure.unexpected_count is not None and len(parts) > 1:
            merged[key] = dataclasses.replace(failure, element_count=rows)
    failed = next((p for p in parts if not p.success), None)
    return Validation(
        table=first.table,
        suite=first.suite,
        success=all(p.success for p in parts),
        evaluated=first.evaluated,
        rows=rows,
        failures=list(merged.values()),
        docs_url=(failed or first).docs_url,
    )


def _short(value: Any, width: int = 160) -> str:
    if isinstance(value, dict):
        text = ", ".join(f"{k}={_plain(v)!r}" for k, v in value.items())
    else:
        text = repr(_plain(value))
    return text if len(text) <= width else text[: width - 3] + "..."


def _plain(value: Any) -> Any:
    """numpy/pandas scalars as Python values (NaN/NaT as None)."""
    import pandas as pd

    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat(sep=" ")
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        with contextlib.suppress(ValueError, AttributeError):  # not a scalar: keep it
            value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


_BOUND_KEYS = ("min_value", "max_value", "value_set", "column_set", "value", "strict_min")


class GxRunner:
    """An ephemeral GX context that validates DataFrames against suites and renders Data Docs
    into ``docs_dir``. Use ``runner_for`` to share one per process (the raw and the mart gate
    of a run then render into one Data Docs index)."""

    def __init__(self, docs_dir: Path) -> None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        try:
            import great_expectations as gx
            from great_expectations.core import ExpectationSuite
            from great_expectations.data_context.types.base import ProgressBarsConfig
        except Exception as error:  # any import failure fails the gate
            raise GxError(f"Great Expectations failed to import: {error!r}") from error
        self._gx = gx
        self._suite_class = ExpectationSuite
        docs_dir.mkdir(parents=True, exist_ok=True)
        try:
            self.context = gx.get_context(mode="ephemeral")
            self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
            for site in list(self.context.list_data_docs_sites()):
                self.context.delete_data_docs_site(site)
            self.context.add_data_docs_site(
                DOCS_SITE,
                {
                    "class_name": "SiteBuilder",
                    "store_backend": {
                        "class_name": "TupleFilesystemStoreBackend",
                        "base_directory": str(docs_dir),
                    },
                    "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                },
            )
            self.datasource = self.context.data_sources.add_or_update_pandas(DATASOURCE)
        except Exception as error:
            raise GxError(f"Great Expectations context failed to start: {error!r}") from error
        self.docs_dir = docs_dir

    def _batch_definition(self, asset_name: str) -> Any:
        try:
            asset = self.datasource.get_asset(asset_name)
        except LookupError:
            asset = self.datasource.add_dataframe_asset(asset_name)
        try:
            return asset.get_batch_definition("whole")
        except (KeyError, LookupError):
            return asset.add_batch_definition_whole_dataframe("whole")

    def validate(
        self,
        table: str,
        suite: Suite,
        frame: pd.DataFrame,
        parameters: dict[str, Any] | None = None,
    ) -> Validation:
        """Validate ``frame`` against ``suite``; examples of failing rows are identified by the
        suite's ``meta.index_columns``."""
        gx = self._gx
        name = suite["name"]
        index_columns = [c for c in suite["meta"].get("index_columns", []) if c in frame.columns]
        result_format: dict[str, Any] = {
            "result_format": "SUMMARY",
            "partial_unexpected_count": EXAMPLES,
        }
        if index_columns:
            result_format["unexpected_index_column_names"] = index_columns
        try:
            gx_suite = self.context.suites.add_or_update(
                self._suite_class(name=name, expectations=suite["expectations"], meta=suite["meta"])
            )
            definition = self.context.validation_definitions.add_or_update(
                gx.ValidationDefinition(
                    name=name, data=self._batch_definition(name), suite=gx_suite
                )
            )
            checkpoint = self.context.checkpoints.add_or_update(
                gx.Checkpoint(
                    name=name,
                    validation_definitions=[definition],
                    actions=[],
                    result_format=result_format,
                )
            )
            result = checkpoint.run(
                batch_parameters={"dataframe": frame},
                expectation_parameters=parameters or {},
            )
        except Exception as error:
            raise GxError(
                f"Great Expectations failed to validate {table} ({name}): {error!r}"
            ) from error
        (identifier, run_result), *_ = result.run_results.items()
        failures = [self._failure(table, r) for r in run_result.results if not r.success]
        return Validation(
            table=table,
            suite=name,
            success=bool(run_result.success),
            evaluated=len(run_result.results),
            rows=len(frame),
            failures=failures,
            docs_url=self._docs_url(identifier),
        )

    @staticmethod
    def _failure(table: str, result: Any) -> Failure:
        config = result.expectation_config
        kwargs = dict(config.kwargs)
        info = result.exception_info or {}
        error = info.get("exception_message") if info.get("raised_exception") else None
        details = result.result or {}
        examples: list[Any] = list(
            details.get("partial_unexpected_index_list")
            or details.get("partial_unexpected_list")
            or []
        )[:EXAMPLES]
        observed = details.get("observed_value")
        mismatched = (details.get("details") or {}).get("mismatched")
        if mismatched:
            observed = mismatched
        expected = {k: kwargs[k] for k in _BOUND_KEYS if kwargs.get(k) is not None}
        if "column_set" in expected and mismatched:
            expected = {}
        column = kwargs.get("column") or (
            ", ".join(kwargs["column_list"]) if kwargs.get("column_list") else None
        )
        if column is None and kwargs.get("column_A"):
            column = f"{kwargs['column_A']}, {kwargs['column_B']}"
        return Failure(
            table=table,
            expectation=config.type,
            column=column,
            rule=(config.meta or {}).get("rule"),
            unexpected_count=details.get("unexpected_count"),
            element_count=details.get("element_count"),
            examples=examples,
            observed=observed,
            expected=expected,
            error=error,
        )

    def _docs_url(self, identifier: Any) -> str | None:
        try:
            sites = self.context.get_docs_sites_urls(resource_identifier=identifier)
        except Exception:  # the link is a convenience; the validation result stands
            return None
        return sites[0]["site_url"] if sites else None

    def build_docs(self) -> Path:
        """Render Data Docs for this process's validations; returns the index page."""
        try:
            self.context.build_data_docs()
        except Exception as error:
            raise GxError(f"Great Expectations failed to build Data Docs: {error!r}") from error
        return self.docs_dir / "index.html"


_RUNNERS: dict[Path, GxRunner] = {}


def runner_for(docs_dir: Path) -> GxRunner:
    """The process's runner for ``docs_dir`` (GX imports and starts once)."""
    if docs_dir not in _RUNNERS:
        _RUNNERS[docs_dir] = GxRunner(docs_dir)
    return _RUNNERS[docs_dir]
