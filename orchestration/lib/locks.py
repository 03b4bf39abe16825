"""Exclusive file locks between refreshes (``flock``: released by the kernel if a process dies)."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class LockHeldError(RuntimeError):
    """Another process holds the lock."""


def lock_path(path: Path) -> Path:
    """The lock file guarding ``path``: ``<path>.lock`` beside it."""
    return path.with_name(path.name + ".lock")


class FileLock:
    """An exclusive ``flock`` on ``path``; the kernel releases it if the process dies."""

    def __init__(self, path: Path, what: str, wait: bool = False) -> None:
        self.path = path
        self.what = what
        self.wait = wait
        self._fd: int | None = None

    def acquire(self) -> FileLock:
        """Take the lock, waiting for it if ``wait``, else raising ``LockHeldError``."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if self.wait else fcntl.LOCK_NB))
        except BlockingIOError as error:
            os.close(fd)
            raise LockHeldError(
                f"{self.what} is in use by another refresh (lock {self.path} is held); "
                "wait for it to finish"
            ) from error
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> FileLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
