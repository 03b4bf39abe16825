"""Session-wide test setup."""

from __future__ import annotations

import sys

# pytest-xdist runs each worker as `python -c ...`: its __main__ has neither __spec__ nor
# __file__. pyspark (installed for the Spark target) takes exactly that for a doctest run and
# calls sys.exit(0) from pyspark.sql.connect's dependency check when Great Expectations probes
# for pyspark inside the raw gate. Give the worker's __main__ a file name, as every real entry
# point (`python -m orchestration.cli`, `dagster dev`) has.
_main = sys.modules["__main__"]
if getattr(_main, "__spec__", None) is None and not hasattr(_main, "__file__"):
    _main.__file__ = "<pytest-xdist worker>"
