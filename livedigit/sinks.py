"""Where results go: a window, an annotated video file, a JSON Lines file.

Each sink is a context manager, so whatever ends the run (the last frame, an error,
Ctrl-C) leaves the video finalized and every JSONL line written.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import cv2
import numpy as np

from .detections import Detections
from .errors import InputError

VIDEO_CODECS = {".mp4": "mp4v", ".avi": "MJPG"}
QUIT_KEYS = {ord("q"), 27}
STDOUT = "-"  # as a --jsonl path: standard output
STDOUT_FD = 1

# OpenCV's wheel points Qt at a font folder it does not ship: every window would warn
# about it, and the tuning trackbars' labels would be blank. Point Qt at the system's
# fonts instead, where that folder is missing (before the first window opens).
SYSTEM_FONTS = "/usr/share/fonts/truetype/dejavu"
if not os.path.isdir(os.environ.get("QT_QPA_FONTDIR", "")) and os.path.isdir(SYSTEM_FONTS):
    os.environ["QT_QPA_FONTDIR"] = SYSTEM_FONTS


def check_writable(path: str | Path, option: str) -> Path:
    """Refuse an output path before any work is done, naming the option."""
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        raise InputError(f"{option} {path}: folder {folder} does not exist")
    if path.is_dir():
        raise InputError(f"{option} {path}: is a folder, expected a file name")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise InputError(f"{option} {path}: not writable")
    return path


class Sink:
    """A context manager that closes the sink however the run ends."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class JsonlSink(Sink):
    """One JSON object per frame, written as soon as the frame is done, each line whole or
    not at all: a write that fails (a full disk) is cut back to the last whole line.

    "-" writes to standard output. The sink then has it to itself: whatever else the process
    prints, Python's or a library's own, goes to stderr, so stdout holds JSON lines only.
    """

    def __init__(self, path: str | Path):
        self.to_stdout = str(path) == STDOUT
        if self.to_stdout:
            self.path = STDOUT
            sys.stdout.flush()
            self.fd = os.dup(STDOUT_FD)
            os.dup2(sys.stderr.fileno(), STDOUT_FD)
        else:
            self.path = check_writable(path, "--jsonl")
            try:
                self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
            except OSError as error:  # what permissions do not tell: a read-only or virtual filesystem
                raise InputError(f"--jsonl {self.path}: cannot be written ({error.strerror})") from None
        self.whole_lines_end = 0  # bytes
        self.encoder = json.JSONEncoder(check_circular=False)  # records are plain trees: a fifth faster

    def write(self, frame_index: int, source: str, time_ms: float, detections: Detections, **extra) -> None:
        record = {"frame": frame_index, "source": source, "time_ms": round(time_ms, 3),
                  "detections": detections.to_records(), **extra}
        line = (self.encoder.encode(record) + "\n").encode()
        try:
            write_all(self.fd, line)
        except BrokenPipeError:
            raise  # not a full disk: stdout's reader is gone (`| head`), and the caller ends quietly
        except OSError as error:
            self._cut_back_to_whole_lines()
            raise InputError(f"--jsonl {self.path}: write failed ({error.strerror})") from None
        self.whole_lines_end += len(line)

    def _cut_back_to_whole_lines(self) -> None:
        if not self.to_stdout:
            try:
                os.ftruncate(self.fd, self.whole_lines_end)
            except OSError:
                pass  # the part-line stays; nothing more can be done about it

    def close(self) -> None:
        if self.to_stdout:
            os.dup2(self.fd, STDOUT_FD)
        os.close(self.fd)


def write_all(fd: int, data: bytes) -> None:
    """os.write until every byte is out: a write may take only part of them."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


class VideoSink(Sink):
    """An annotated video at the source's size and fps; opened on the first frame."""

    def __init__(self, path: str | Path, fps: float):
        self.path = check_writable(path, "--save-video")
        codec = VIDEO_CODECS.get(self.path.suffix.lower())
        if codec is None:
            raise InputError(f"--save-video {self.path}: use a .mp4 or .avi file name")
        self.fourcc = cv2.VideoWriter_fourcc(*codec)
        self.fps = fps
        self.writer: cv2.VideoWriter | None = None
        self.size: tuple[int, int] | None = None

    def write(self, image: np.ndarray) -> None:
        if self.writer is None:
            self.size = (image.shape[1], image.shape[0])
            self.writer = cv2.VideoWriter(str(self.path), self.fourcc, self.fps, self.size)
            if not self.writer.isOpened():
                raise InputError(f"--save-video {self.path}: cannot open a video writer")
        if (image.shape[1], image.shape[0]) != self.size:
            image = cv2.resize(image, self.size, interpolation=cv2.INTER_AREA)
        self.writer.write(image)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.release()


class WindowSink(Sink):
    """An OpenCV window; `show` returns False once the user pressed q or Esc."""

    def __init__(self, title: str = "livedigit"):
        self.title = title
        cv2.namedWindow(title, cv2.WINDOW_AUTOSIZE)

    def show(self, image: np.ndarray) -> bool:
        cv2.imshow(self.title, image)
        return (cv2.waitKey(1) & 0xFF) not in QUIT_KEYS

    def close(self) -> None:
        cv2.destroyWindow(self.title)
