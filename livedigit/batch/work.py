"""One job: the `livedigit` command run on its source, headless, as a user would run it.

Each job is a process of its own, so a batch gives exactly the detections a single run
gives, and a crash, a hang or a bad file stays inside its job.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .jobs import Job, part


@dataclass(frozen=True)
class Options:
    save_video: bool = False
    model: str | None = None
    profile: str | None = None


@dataclass
class Outcome:
    returncode: int
    error: str = ""                    # livedigit's own one-line reason, when it failed
    seconds: float = 0.0
    contents: dict[str, bytes] = field(default_factory=dict)  # "jsonl", "video": outputs sent back from afar


def command(job: Job, jsonl: Path, video: Path | None, options: Options) -> list[str]:
    return [sys.executable, "-m", "livedigit", "--source", job.source, "--no-display", "--jsonl", str(jsonl),
            *(["--save-video", str(video)] if video else []),
            *(["--model", options.model] if options.model else []),
            *(["--profile", options.profile] if options.profile else [])]


class LocalRun:
    """A job run on this machine, writing straight into --out under part names."""

    def __init__(self, job: Job, out: Path, options: Options):
        self.job, self.options = job, options
        self.outputs = job.outputs(out, options.save_video)
        self.process: subprocess.Popen | None = None

    def __call__(self) -> Outcome:
        parts = [part(path) for path in self.outputs]
        for path in parts:
            path.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        self.process = subprocess.Popen(command(self.job, parts[0], parts[1] if len(parts) > 1 else None,
                                                self.options),
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                        text=True)
        _, stderr = self.process.communicate()
        outcome = Outcome(self.process.returncode, reason(stderr, self.process.returncode),
                          time.perf_counter() - started)
        if outcome.returncode == 0:
            for path, final in zip(parts, self.outputs):
                os.replace(path, final)
        else:
            remove(parts)
        return outcome

    def interrupt(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # livedigit closes its outputs and exits 130


def run_remote(job: Job, options: Options) -> Outcome:
    """A job run wherever a Ray task lands: outputs in a scratch folder there, sent back whole."""
    with tempfile.TemporaryDirectory(prefix="livedigit-batch-") as scratch:
        jsonl, video = Path(scratch, "out.jsonl"), Path(scratch, "out.mp4") if options.save_video else None
        started = time.perf_counter()
        result = subprocess.run(command(job, jsonl, video, options), stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        outcome = Outcome(result.returncode, reason(result.stderr, result.returncode), time.perf_counter() - started)
        if result.returncode == 0:
            outcome.contents = {"jsonl": jsonl.read_bytes(), **({"video": video.read_bytes()} if video else {})}
        return outcome


def reason(stderr: str, returncode: int) -> str:
    """The last line livedigit printed, less its prefix: its one-line error."""
    if returncode == 0:
        return ""
    lines = [line for line in stderr.splitlines() if line.strip()]
    if not lines:
        return f"livedigit ended with exit status {returncode}"
    return lines[-1].removeprefix("livedigit: ")


def remove(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
