"""How livedigit reports trouble: errors the user can fix, and warnings."""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager

# LIVEDIGIT_DEBUG=1 lets OpenCV's and FFmpeg's own log lines through, for bug reports.
DEBUG = os.environ.get("LIVEDIGIT_DEBUG", "") not in ("", "0")
if not DEBUG:  # FFmpeg's decoder chatter would bury livedigit's one-line messages
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
    os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")

import cv2  # noqa: E402  (after its log levels are set)


class InputError(Exception):
    """Bad input named by the message (a source, model, profile or output path): exit status 2."""


def warn(message: str) -> None:
    print(f"livedigit: warning: {message}", file=sys.stderr, flush=True)


@contextmanager
def opencv_log_held_to(level: int = cv2.utils.logging.LOG_LEVEL_SILENT):
    """OpenCV's log held to `level` meanwhile: opening an absent camera or a bad file makes
    OpenCV log its own line before livedigit's one-line error, and reading luma makes FFmpeg's
    reader warn on every frame. Left alone with LIVEDIGIT_DEBUG."""
    if DEBUG:
        yield
        return
    previous = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(level)
    try:
        yield
    finally:
        cv2.utils.logging.setLogLevel(previous)
