"""Frame sources: camera index, stream URL, video file, image file, folder or glob of images.

Files are read frame by frame, none dropped. Live sources (camera, stream) are read
on a background thread that keeps only the newest frame, so the loop never falls behind.
"""
from __future__ import annotations

import glob
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import cv2
import numpy as np

from .errors import InputError, opencv_log_held_to, warn

IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".pgm", ".ppm", ".pbm", ".jp2"}
STREAM_PREFIXES = ("rtsp://", "http://", "https://")
DEFAULT_FPS = 30.0
OPEN_TIMEOUT_MS = 5000
RECONNECT_DELAYS_S = (0.5, 1.0, 2.0, 4.0)


@dataclass(frozen=True)
class Frame:
    index: int          # 0-based index in the source
    image: np.ndarray
    source: str         # the image file for image inputs, else the source string


class VideoFileSource:
    """Every frame of a video file, in order: in colour, or as grey images (`gray`) for
    runs that neither show nor record the frames."""

    sequential = True   # consecutive frames show the same digits: worth tracking
    live = False        # frames wait to be read, none dropped

    def __init__(self, path: str, gray: bool = False):
        self.name = path
        with opencv_log_held_to():
            self.capture = open_video(path)
        if not self.capture.isOpened():
            raise InputError(f"source {path}: not a readable video or image file")
        self.fps = self.capture.get(cv2.CAP_PROP_FPS) or DEFAULT_FPS
        self.reported_frames = int(self.capture.get(cv2.CAP_PROP_FRAME_COUNT))
        ok, self.first = self.capture.read()
        if not ok:
            self.close()
            raise InputError(f"source {path}: no frame could be decoded")
        self.gray_lookup: np.ndarray | None = None  # a lookup table, once frames come as luma
        if gray:
            self._read_luma()

    def _read_luma(self) -> None:
        """Read only the luma plane from here on, where the decoder hands it out and it maps
        onto the grey image of the colour frame: FFmpeg then skips its conversion to BGR,
        and to_gray its conversion to grey (together 0.3 ms a frame at 640x480).

        Luma is stored as 16-235 in most videos, as 0-255 in JPEG-based ones, and
        converters round differently: the map is learnt from the first frame and kept
        where it matches that frame's grey image within a grey level on average. (A
        straight line alone was off by a level in dark footage: F1 0.004 lower on `dim`.)
        """
        with opencv_log_held_to(LUMA_LOG_LEVEL):
            capture = open_video(self.name, convert_to_bgr=False)
            ok, luma = capture.read()
        table = None
        if ok and luma.dtype == np.uint8 and self.first.ndim == 3 and luma.shape == self.first.shape[:2]:
            table = luma_to_gray(luma, cv2.cvtColor(self.first, cv2.COLOR_BGR2GRAY))
        if table is None:
            capture.release()
            return
        self.capture.release()
        self.capture, self.gray_lookup, self.first = capture, table, cv2.LUT(luma, table)

    def _read(self) -> np.ndarray | None:
        if self.gray_lookup is None:
            ok, image = self.capture.read()
            return image if ok else None
        with opencv_log_held_to(LUMA_LOG_LEVEL):
            ok, luma = self.capture.read()
        return cv2.LUT(luma, self.gray_lookup) if ok else None

    def __iter__(self) -> Iterator[Frame]:
        image, index = self.first, 0
        while image is not None:
            yield Frame(index, image, self.name)
            image = self._read()
            index += 1
        if index < self.reported_frames:
            warn(f"source {self.name}: read {index} of {self.reported_frames} frames; the rest is truncated or corrupt")

    def close(self) -> None:
        self.capture.release()


def open_video(path: str, convert_to_bgr: bool = True) -> cv2.VideoCapture:
    # One decoding thread: the capture loop keeps both cores busy, and FFmpeg's own
    # threads would cost more than they save (measured: 6 % fewer frames a second).
    return cv2.VideoCapture(path, cv2.CAP_ANY,
                            [cv2.CAP_PROP_N_THREADS, 1, cv2.CAP_PROP_CONVERT_RGB, int(convert_to_bgr)])


# FFmpeg's reader warns on every frame it hands out unconverted, which reading luma asks of it.
LUMA_LOG_LEVEL = cv2.utils.logging.LOG_LEVEL_ERROR

# Luma levels with at least this many pixels in the first frame map to their pixels' mean grey level.
LEVEL_PIXELS = 20


def luma_to_gray(luma: np.ndarray, gray: np.ndarray) -> np.ndarray | None:
    """The 8-bit lookup table from a frame's luma to its grey image: each luma level that
    is common in the frame maps to the mean grey level of its pixels, the others to the
    straight line that fits best (least squares on every 4th pixel each way). None where
    the table misses by more than a grey level on average, or the frame is too even to
    fit a line to."""
    x, y = luma[::4, ::4].ravel().astype(np.float64), gray[::4, ::4].ravel().astype(np.float64)
    if x.std() < 1:
        return None
    slope, offset = np.polyfit(x, y, 1)
    levels = slope * np.arange(256) + offset
    pixels = np.bincount(luma.ravel(), minlength=256)
    common = pixels >= LEVEL_PIXELS
    levels[common] = np.bincount(luma.ravel(), weights=gray.ravel(), minlength=256)[common] / pixels[common]
    table = np.clip(np.round(levels), 0, 255).astype(np.uint8)
    return table if cv2.norm(cv2.LUT(luma, table), gray, cv2.NORM_L1) <= gray.size else None


class ImageSource:
    """Still images, one frame each, sorted by name; unreadable files are skipped with a warning."""

    sequential = False
    live = False
    fps = DEFAULT_FPS

    def __init__(self, spec: str, paths: list[Path]):
        self.name = spec
        self.paths = []
        for path in paths:
            if path.suffix.lower() in IMAGE_EXTENSIONS:
                self.paths.append(path)
            elif path.is_file():
                warn(f"source {spec}: skipping {path}, not an image file")
        if not self.paths:
            raise InputError(f"source {spec}: no image files found")

    def __iter__(self) -> Iterator[Frame]:
        for index, path in enumerate(self.paths):
            with opencv_log_held_to():  # a broken file is reported below, in livedigit's words
                image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
            if image is None or image.size == 0:
                if len(self.paths) == 1:
                    raise InputError(f"source {path}: cannot be decoded as an image")
                warn(f"source {self.name}: skipping {path}, cannot be decoded as an image")
                continue
            yield Frame(index, image, str(path))

    def close(self) -> None:
        pass


class LiveSource:
    """A camera or network stream read on a background thread that keeps only the newest frame."""

    sequential = True
    live = True

    def __init__(self, spec: str):
        self.name = spec
        self.target = int(spec) if spec.isdigit() else spec
        self.capture = self._open()
        self.fps = self.capture.get(cv2.CAP_PROP_FPS) or DEFAULT_FPS
        if not 1 <= self.fps <= 240:
            self.fps = DEFAULT_FPS
        self.newest: tuple[int, np.ndarray] | None = None
        self.ended = False
        self.stopping = False
        self.condition = threading.Condition()
        self.thread = threading.Thread(target=self._grab, name=f"capture {spec}", daemon=True)
        self.thread.start()

    def _open(self) -> cv2.VideoCapture:
        with opencv_log_held_to():
            capture, problem = self._open_capture()
        if not capture.isOpened():
            raise InputError(f"source {self.name}: {problem}")
        return capture

    def _open_capture(self) -> tuple[cv2.VideoCapture, str]:
        if isinstance(self.target, int):
            capture = cv2.VideoCapture(self.target)
            problem = f"no camera at index {self.target}"
        else:
            capture = cv2.VideoCapture(self.target, cv2.CAP_FFMPEG, [
                cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, OPEN_TIMEOUT_MS, cv2.CAP_PROP_READ_TIMEOUT_MSEC, OPEN_TIMEOUT_MS])
            problem = f"stream could not be opened within {OPEN_TIMEOUT_MS / 1000:g} s"
        return capture, problem

    def _grab(self) -> None:
        index = 0
        while not self.stopping:
            ok, image = self.capture.read()
            if ok:
                with self.condition:
                    self.newest = (index, image)
                    self.condition.notify()
                index += 1
            elif not self._reconnect():
                break
        with self.condition:
            self.ended = True
            self.condition.notify()

    def _reconnect(self) -> bool:
        """After a dropped stream, reopen it with growing pauses; False when it stays gone."""
        self.capture.release()
        for delay in RECONNECT_DELAYS_S:
            if self.stopping:
                return False
            warn(f"source {self.name}: stream lost, reconnecting in {delay:g} s")
            time.sleep(delay)
            try:
                self.capture = self._open()
                return True
            except InputError:
                continue
        warn(f"source {self.name}: stream lost for good after {len(RECONNECT_DELAYS_S)} reconnection attempts")
        return False

    def __iter__(self) -> Iterator[Frame]:
        while True:
            with self.condition:
                while self.newest is None and not self.ended and not self.stopping:
                    self.condition.wait(0.2)
                if self.newest is None or self.stopping:
                    return
                index, image = self.newest
                self.newest = None
            yield Frame(index, image, self.name)

    def stop(self) -> None:
        """Safe from a signal handler: the reader and the grabber notice within 0.2 s."""
        self.stopping = True

    def close(self) -> None:
        self.stop()
        self.thread.join(timeout=2)
        self.capture.release()


def open_source(spec: str, gray: bool = False) -> VideoFileSource | ImageSource | LiveSource:
    """Open what --source names: camera index, stream URL, video, image, folder or glob.
    With `gray`, a video file hands out grey frames (see VideoFileSource)."""
    if spec.isdigit() or spec.startswith(STREAM_PREFIXES):
        return LiveSource(spec)
    path = Path(spec)
    if path.is_dir():
        return ImageSource(spec, sorted(p for p in path.iterdir() if not p.name.startswith(".")))
    if path.is_file():
        if path.suffix.lower() in IMAGE_EXTENSIONS:
            return ImageSource(spec, [path])
        return VideoFileSource(spec, gray)
    if glob.has_magic(spec):
        matches = sorted(Path(p) for p in glob.glob(spec))
        if matches:
            return ImageSource(spec, matches)
        raise InputError(f"source {spec}: pattern matches no files")
    raise InputError(f"source {spec}: no such file or folder, and not a camera index or stream URL")
