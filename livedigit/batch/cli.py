"""livedigit-batch: read every video and folder of images under the inputs, with progress,
a summary and resume; on this machine or on a Ray cluster."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..cli import EXIT_BAD_INPUT, EXIT_INTERRUPTED, add_version, positive_int
from ..errors import InputError
from ..signals import StopOnSignals
from .run import DEFAULT_WORKERS, Batch, Progress
from .summary import SUMMARY
from .work import Options

EXIT_JOB_FAILED = 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="livedigit-batch", description=__doc__)
    add_version(parser)
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="video files, folders (walked recursively), globs")
    parser.add_argument("--out", required=True, metavar="DIR", help="where the outputs and summary.csv go")
    parser.add_argument("--workers", type=positive_int, default=DEFAULT_WORKERS, metavar="N",
                        help=f"jobs at a time on this machine (default {DEFAULT_WORKERS}: each uses two processes)")
    parser.add_argument("--ray", nargs="?", const="", metavar="ADDRESS",
                        help="run the jobs as Ray tasks on the cluster at ADDRESS (none: a local Ray for the run)")
    parser.add_argument("--save-video", action="store_true", help="also write each job's annotated video")
    parser.add_argument("--model", metavar="PATH", help="a .keras or .tflite model (default: the shipped one)")
    parser.add_argument("--profile", metavar="PATH", help="calibration profile (JSON)")
    parser.add_argument("--force", action="store_true", help="redo the jobs whose outputs are already whole")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.ray and Path(args.ray).exists():
        parser.error(f"--ray took the input {args.ray} for a cluster address: put --ray after the inputs, "
                     "or write --ray=ADDRESS")
    try:
        batch = Batch(args.inputs, args.out, workers=args.workers, ray_address=args.ray,
                      options=Options(args.save_video, args.model, args.profile), force=args.force)
    except InputError as error:
        print(f"livedigit-batch: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    for skipped in batch.skipped:
        print(f"livedigit-batch: skipping {skipped}", file=sys.stderr)
    return run(batch, args.out)


def run(batch: Batch, out: str) -> int:
    progress = Progress(len(batch.jobs))
    batch.progress = progress
    try:
        with StopOnSignals(batch.stop) as signals:
            rows = batch.run()
    except InputError as error:  # Ray could not be started or reached
        print(f"livedigit-batch: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        progress.close()
    failed = sum(row["status"] == "failed" for row in rows)
    done = len(rows) - failed
    print(f"livedigit-batch: {done} of {len(batch.jobs)} jobs done, {failed} failed; "
          f"summary in {Path(out) / SUMMARY}", file=sys.stderr)
    if signals.received or len(rows) < len(batch.jobs):
        return signals.exit_code or EXIT_INTERRUPTED
    return EXIT_JOB_FAILED if failed else 0


if __name__ == "__main__":
    sys.exit(main())
