"""``python -m orchestration.sample_data``: the command line of :mod:`.cli`."""

from orchestration.sample_data.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
