"""A batch: the jobs found, those finished before skipped, the rest run by a local pool of
processes or as Ray tasks, each job's outputs renamed into --out once whole and its row
written to the summary as it finishes."""
from __future__ import annotations

import logging
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

from ..errors import InputError
from .jobs import Job, find_jobs, part
from .summary import job_row, write_summary
from .work import LocalRun, Options, Outcome, remove, run_remote

# A job's pipeline keeps two processes busy, yet as many jobs as cores served best: each job
# spends seconds starting up, which another job's frames fill (on two cores, two workers beat
# one and three in turn with short and long clips: the README's batch figures).
DEFAULT_WORKERS = os.cpu_count() or 2
# livedigit's exit statuses for SIGINT and SIGTERM: the job was stopped, not failed.
STOPPED = {130, 143, -2, -15}
RAY_RETRIES = 3  # a task whose worker dies mid-job runs again, from the start

Finished = Callable[[Job, Outcome], None]


class Batch:
    """The jobs the inputs name and what became of each: `run` once; `stop` may come from a
    signal handler; `progress(row, rows so far, jobs)` hears of each job as it ends."""

    def __init__(self, inputs: list[str], out: str | Path, *, workers: int | None = None,
                 ray_address: str | None = None, options: Options = Options(), force: bool = False,
                 progress: Callable[[dict, int, int], None] | None = None):
        self.jobs, self.skipped = find_jobs(inputs)
        if not self.jobs:
            raise InputError(f"no videos or folders of images found in {' '.join(inputs)}")
        self.out = writable_folder(Path(out))
        self.workers = workers or DEFAULT_WORKERS
        self.ray_address, self.options, self.force = ray_address, options, force
        self.progress = progress or (lambda row, done, total: None)
        self.rows: dict[str, dict] = {}
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.runs: list[LocalRun] = []

    def run(self) -> list[dict]:
        """Runs the jobs not finished before; returns the summary rows, one per job finished."""
        pending = self._sort_out()
        self._save()
        if self.ray_address is not None:
            run_on_ray(pending, self.ray_address, self.options, self._finished, self.stopping)
        else:
            self._run_locally(pending)
        return self.summary()

    def stop(self) -> None:
        """Safe from a signal handler: running jobs close their outputs, none starts."""
        self.stopping.set()
        for run in list(self.runs):
            run.interrupt()

    def summary(self) -> list[dict]:
        return [self.rows[job.source] for job in self.jobs if job.source in self.rows]

    def _sort_out(self) -> list[Job]:
        """The jobs to run: not those whose outputs are whole (unless forced), nor a second job
        whose outputs would land on the first one's."""
        pending, names = [], {}
        for job in self.jobs:
            outputs = job.outputs(self.out, self.options.save_video)
            if job.name in names:
                self.rows[job.source] = job_row(job.source, "failed", error=f"outputs {job.jsonl(self.out)} are "
                                                                            f"those of {names[job.name]}")
            elif not self.force and all(path.exists() for path in outputs):
                self.rows[job.source] = job_row(job.source, "already-done", job.jsonl(self.out))
                self.progress(self.rows[job.source], len(self.rows), len(self.jobs))
            else:
                remove([part(path) for path in outputs])  # left by a run that was killed
                pending.append(job)
            names.setdefault(job.name, job.source)
        return pending

    def _run_locally(self, jobs: list[Job]) -> None:
        def work(run: LocalRun) -> None:
            if not self.stopping.is_set():
                self._finished(run.job, run())

        self.runs = [LocalRun(job, self.out, self.options) for job in jobs]
        with ThreadPoolExecutor(self.workers) as pool:
            for future in [pool.submit(work, run) for run in self.runs]:
                future.result()

    def _finished(self, job: Job, outcome: Outcome) -> None:
        if outcome.returncode in STOPPED:
            return  # stopped by a signal (Ctrl-C reaches every job): neither done nor failed, run again next time
        with self.lock:
            if outcome.returncode == 0:
                place(outcome.contents, job, self.out)
                row = job_row(job.source, "done", job.jsonl(self.out), outcome.seconds)
            else:
                row = job_row(job.source, "failed", error=outcome.error)
            self.rows[job.source] = row
            self._save()
            self.progress(row, len(self.rows), len(self.jobs))

    def _save(self) -> None:
        write_summary(self.out, self.summary())


def writable_folder(out: Path) -> Path:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(f"--out {out}: cannot be made ({error.strerror})") from None
    if not os.access(out, os.W_OK):
        raise InputError(f"--out {out}: not writable")
    return out


def place(contents: dict[str, bytes], job: Job, out: Path) -> None:
    """Outputs sent back by a remote job, written under part names and renamed once whole."""
    for key, path in (("jsonl", job.jsonl(out)), ("video", job.video(out))):
        if key in contents:
            path.parent.mkdir(parents=True, exist_ok=True)
            part(path).write_bytes(contents[key])
            os.replace(part(path), path)


def run_on_ray(jobs: list[Job], address: str, options: Options, finished: Finished, stopping: threading.Event) -> None:
    """The jobs as Ray tasks on the cluster at `address` ("": a local Ray started for the run)."""
    try:
        import ray
    except ImportError:
        raise InputError("--ray: Ray is not installed (pip install 'livedigit[ray]')") from None
    try:
        ray.init(address=address or "local", log_to_driver=False, include_dashboard=False,  # "local": a new one
                 logging_level=logging.ERROR, configure_logging=False)
    except (ConnectionError, ValueError, RuntimeError) as error:
        raise InputError(f"--ray {address}: no Ray cluster there ({str(error).splitlines()[0]})") from None
    try:
        task = ray.remote(max_retries=RAY_RETRIES)(run_remote)
        pending = {task.remote(job, options): job for job in jobs}
        while pending and not stopping.is_set():
            done, _ = ray.wait(list(pending), num_returns=1, timeout=0.5)
            for reference in done:
                finished(pending.pop(reference), ray_outcome(ray, reference))
        for reference in pending:
            ray.cancel(reference, force=True)
    finally:
        ray.shutdown()


def ray_outcome(ray, reference) -> Outcome:
    try:
        return ray.get(reference)
    except ray.exceptions.RayError as error:  # the task failed for good: its retries are spent
        return Outcome(1, f"Ray task failed: {str(error).splitlines()[0]}")


def run_batch(inputs: list[str], out: str | Path, *, workers: int | None = None, ray_address: str | None = None,
              save_video: bool = False, model: str | None = None, profile: str | None = None,
              force: bool = False) -> list[dict]:
    """Runs livedigit on every video and folder of images the inputs name; returns the summary rows."""
    return Batch(inputs, out, workers=workers, ray_address=ray_address,
                 options=Options(save_video, model, profile), force=force).run()


class Progress:
    """Jobs done of total, frames a second over all workers and time left: a tqdm bar on a
    terminal, else one line per finished job."""

    def __init__(self, total: int):
        self.started, self.frames = time.perf_counter(), 0
        self.bar = None
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="job", file=sys.stderr, dynamic_ncols=True)

    def __call__(self, row: dict, done: int, total: int) -> None:
        if row["status"] != "already-done":  # read before this run: not part of its rate
            self.frames += int(row["frames"] or 0)
        rate = self.frames / max(time.perf_counter() - self.started, 1e-9)
        if self.bar is not None:
            self.bar.set_postfix_str(f"{rate:.0f} frames/s", refresh=False)
            self.bar.update(1)
            return
        detail = row["error"] if row["status"] == "failed" else f"{row['frames']} frames, {row['digits']} digits"
        print(f"livedigit-batch: [{done}/{total}] {row['input']}: {row['status']}, {detail} "
              f"({rate:.0f} frames/s over all workers)", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
