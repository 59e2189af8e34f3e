"""Rendering emails off the event loop.

Rendering the templates and flattening a MIME message is pure CPU (a few milliseconds a
message, most of it in the standard library's email generator). Done on the event loop it
delays every room command that shares the loop; in a thread it would still hold the GIL.
So messages are rendered by a small process pool (``EVENFLOOR_NOTIFY_RENDER_WORKERS``,
default 1; 0 renders on the loop), each worker holding its own ``Templates``.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from server.notifications.render import Job, Templates
from server.notifications.transports import Outbound

_worker_templates: Templates | None = None


def _start(template_dir: Path, public_url: str, sender: str, secret: str) -> None:
    global _worker_templates  # one per worker process, built once
    _worker_templates = Templates(template_dir, public_url, sender, secret)


def _render(job: Job) -> Outbound:
    assert _worker_templates is not None
    return _worker_templates.outbound(job)


class Renderer:
    def __init__(self, templates: Templates, workers: int) -> None:
        self.templates = templates
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            t = self.templates
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                # Not fork: the server's threads (database drivers, the loop) must not be
                # copied mid-flight into a child.
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start,
                initargs=(t.template_dir, t.public_url, t.sender, t.secret),
            )
        return self._pool

    async def render(self, job: Job) -> Outbound:
        if self.workers <= 0:
            return self.templates.outbound(job)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor(), _render, job)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
