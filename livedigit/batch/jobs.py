"""What a batch is made of: one job per video, one per folder of images, and where each job's
outputs go inside --out."""
from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from pathlib import Path

from ..sources import IMAGE_EXTENSIONS

VIDEO_EXTENSIONS = {".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg"}
IMAGES_NAME = "images"
PART = ".part"  # outputs are written under this mark and renamed once whole


@dataclass(frozen=True)
class Job:
    source: str      # what `livedigit --source` is given: a video file or a folder of images
    name: str        # the outputs' path inside --out, without their suffixes: "sub/clip.mp4", "sub/images"

    def jsonl(self, out: Path) -> Path:
        return out / f"{self.name}.jsonl"

    def video(self, out: Path) -> Path:
        return out / f"{self.name}.annotated.mp4"

    def outputs(self, out: Path, save_video: bool) -> list[Path]:
        return [self.jsonl(out)] + ([self.video(out)] if save_video else [])


def part(path: Path) -> Path:
    """Where `path` is written until it is whole (the suffix stays last: it picks the video codec)."""
    return path.with_name(f"{path.stem}{PART}{path.suffix}")


NOT_MEDIA = "not a video or image file"


def find_jobs(inputs: list[str]) -> tuple[list[Job], list[str]]:
    """The jobs the inputs name (video files, folders walked recursively, globs), in order and
    once each, and what was skipped, each as 'PATH, why'."""
    jobs: dict[str, Job] = {}
    skipped: list[str] = []
    for spec in inputs:
        found = expand(spec)
        if not found:
            skipped.append(f"{spec}, no such file or folder, or no match")
        for base, path in found:
            relative = os.path.relpath(path, base)
            if path.is_dir():
                add_folder(path, relative, jobs, skipped)
            elif path.suffix.lower() in VIDEO_EXTENSIONS:
                jobs.setdefault(str(path), Job(str(path), safe_name(relative)))
            elif path.suffix.lower() in IMAGE_EXTENSIONS:
                folder = path.parent
                jobs.setdefault(str(folder), Job(str(folder), safe_name(os.path.join(os.path.dirname(relative),
                                                                                     IMAGES_NAME))))
            else:
                skipped.append(f"{path}, {NOT_MEDIA}")
    return list(jobs.values()), skipped


def expand(spec: str) -> list[tuple[str, Path]]:
    """(the base outputs are named relative to, a path) for each file or folder the input names."""
    if glob.has_magic(spec):
        base = glob_base(spec)
        return [(base, Path(match)) for match in sorted(glob.glob(spec, recursive=True))]
    path = Path(spec)
    if path.is_dir():
        return [(spec, path)]
    return [(str(path.parent), path)] if path.exists() else []


def glob_base(spec: str) -> str:
    """The folders of a glob before its first wildcard."""
    parts = Path(spec).parts
    fixed = parts[:next(i for i, p in enumerate(parts) if glob.has_magic(p))]
    return str(Path(*fixed)) if fixed else "."


def add_folder(folder: Path, relative: str, jobs: dict[str, Job], skipped: list[str]) -> None:
    """Each video under the folder is a job, and so are the images of each folder under it.
    Links to folders are not followed: a walk stays where it was pointed."""
    for root, folders, files in os.walk(folder):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        here = os.path.normpath(os.path.join(relative, os.path.relpath(root, folder)))
        has_images = False
        for name in sorted(f for f in files if not f.startswith(".")):
            suffix = Path(name).suffix.lower()
            if suffix in VIDEO_EXTENSIONS:
                path = os.path.join(root, name)
                jobs.setdefault(path, Job(path, safe_name(os.path.join(here, name))))
            elif suffix in IMAGE_EXTENSIONS:
                has_images = True
            else:
                skipped.append(f"{os.path.join(root, name)}, {NOT_MEDIA}")
        if has_images:
            jobs.setdefault(root, Job(root, safe_name(os.path.join(here, IMAGES_NAME))))


def safe_name(relative: str) -> str:
    """A relative path that stays inside --out: no '..' climbs out, no root or drive."""
    parts = [p for p in Path(os.path.normpath(relative)).parts if p not in ("..", ".") and not Path(p).anchor]
    return str(Path(*parts)) if parts else "input"
