"""Batches of recorded video: every video and folder of images under the inputs read by
livedigit, by a local pool of processes or as Ray tasks, with progress, a summary and resume.

    from livedigit.batch import run_batch
    rows = run_batch(["archive/"], "results/", workers=1)      # the summary rows

Steps: `jobs` (what the inputs hold, where each job's outputs go), `work` (one job: the
livedigit command), `run` (the pool, Ray, progress), `summary` (summary.csv), `cli`.
"""
from .run import Batch, run_batch

__all__ = ["Batch", "run_batch"]
