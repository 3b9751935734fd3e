"""Worker processes of the pipeline figures.

`python -m bench.workers noop [name=value ...]` is a bare arq worker: one function that does
nothing, on a queue of its own, with the arq settings of `chorus worker` (jobs at a time, poll
delay, read limit, tries, timeout, result retention) or the ones given.

`python -m bench.workers chorus name=value ...` runs what `chorus worker` runs (Chorus's
WorkerSettings) with some arq settings changed: only for `--worker-tuning` experiments, never
for the figures of a plain run.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from arq import run_worker

QUEUE = "bench:noop"
# What sets an arq worker's pace; the no-op worker copies whichever `chorus worker` sets.
TUNING = ("max_jobs", "poll_delay", "queue_read_limit", "max_tries", "job_timeout", "keep_result")


async def noop(ctx: dict[str, Any]) -> None:
    return None


def parse_tuning(pairs: list[str]) -> dict[str, float]:
    """`poll_delay=0.02 max_jobs=50` → {"poll_delay": 0.02, "max_jobs": 50}."""
    tuning: dict[str, float] = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        if name not in TUNING or not value:
            raise SystemExit(f"worker tuning: expected one of {', '.join(TUNING)} =value")
        number = float(value)
        tuning[name] = int(number) if number.is_integer() and name != "poll_delay" else number
    return tuning


def noop_settings(overrides: dict[str, float]) -> type:
    from backend import jobs
    from workers.settings import WorkerSettings as Chorus

    tuning = {name: getattr(Chorus, name) for name in TUNING if hasattr(Chorus, name)}
    return type(
        "NoopWorkerSettings",
        (),
        {
            "functions": [noop],
            "queue_name": QUEUE,
            "redis_settings": jobs.redis_settings(os.environ["CHORUS_REDIS_URL"]),
            # jobs as msgpack, like `chorus worker` (and the same serialization cost)
            "job_serializer": jobs.serialize_job,
            "job_deserializer": jobs.deserialize_job,
            **tuning,
            **overrides,
        },
    )


def main(argv: list[str]) -> None:
    if not argv or argv[0] not in ("noop", "chorus"):
        raise SystemExit("usage: python -m bench.workers noop|chorus [name=value ...]")
    overrides = parse_tuning(argv[1:])
    if argv[0] == "noop":
        run_worker(noop_settings(overrides))
        return
    from backend.logs import configure_logging
    from backend.settings import get_settings
    from workers.settings import WorkerSettings

    settings = get_settings()
    settings.check()
    configure_logging(settings.log_level, settings.log_format)
    run_worker(WorkerSettings, **overrides)  # type: ignore[arg-type]


if __name__ == "__main__":
    main(sys.argv[1:])
