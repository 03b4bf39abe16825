"""Which commit of this project is running: recorded with every publish and export."""

from __future__ import annotations

import subprocess
from functools import cache

from orchestration.lib.settings import PROJECT_DIR

UNKNOWN = "unknown"


@cache
def git_sha() -> str:
    """HEAD's sha, with ``-dirty`` when tracked files differ from it; ``unknown`` outside git.

    Cached: one process records one commit, however often it asks."""
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "diff", "--quiet", "HEAD", "--"],
            cwd=PROJECT_DIR,
            capture_output=True,
            check=False,
        ).returncode
    except (OSError, subprocess.CalledProcessError):
        return UNKNOWN
    return sha + ("-dirty" if dirty == 1 else "")
