"""DIR/summary.csv: a row per job, rewritten whole each time a job finishes."""
from __future__ import annotations

import csv
import json
import os
from pathlib import Path

from .jobs import part

COLUMNS = ("input", "status", "frames", "digits", "numbers", "seconds", "fps", "error")
SUMMARY = "summary.csv"


def job_row(source: str, status: str, jsonl: Path | None = None, seconds: float | None = None,
            error: str = "") -> dict:
    """A summary row; frames, digits and the numbers read (each with the frame it was first
    seen in, as VALUE@FRAME) are read back from the job's finished JSONL."""
    row = {"input": source, "status": status, "frames": "", "digits": "", "numbers": "", "seconds": "", "fps": "",
           "error": error}
    if jsonl is not None:
        frames, digits, first_seen = 0, 0, {}
        with open(jsonl, encoding="utf-8") as lines:
            for line in map(json.loads, lines):
                frames += 1
                digits += len(line["detections"])
                for number in line.get("numbers", []):
                    first_seen.setdefault(number["value"], line["frame"])
        row.update(frames=frames, digits=digits, numbers=" ".join(f"{v}@{f}" for v, f in first_seen.items()))
        if seconds:
            row.update(seconds=f"{seconds:.2f}", fps=f"{frames / seconds:.1f}")
    return row


def write_summary(out: Path, rows: list[dict]) -> None:
    path = out / SUMMARY
    temporary = part(path)
    with open(temporary, "w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    os.replace(temporary, path)
