"""Find each frame's regions a frame ahead of reading them: in a process of its own for
video files, on a background thread for cameras and streams.

Decoding and finding regions (thresholds, contours) take about half of the work a frame
needs; reading the regions (normalization, the model, tracking, sinks) the other half.
Run side by side, the two halves keep both cores of a two-core machine busy. Python's
GIL lets threads overlap only while OpenCV runs; processes overlap all the time.
"""
from __future__ import annotations

import multiprocessing
import queue
import signal
import sys
import threading
import time
from dataclasses import replace
from functools import partial
from typing import Callable, Generic, Iterable, Iterator, TypeVar

import cv2
import numpy as np

from .detect import Regions, find_regions
from .errors import InputError
from .params import DetectionParams
from .sources import Frame

Item = TypeVar("Item")
FoundFrame = tuple[Frame, Regions, float]  # the frame, its regions, seconds spent finding them
# The threads make many short OpenCV calls. With Python's default 5 ms switch interval a
# thread that wants the GIL back often waits out another's whole interval; 0.2 ms lets
# them overlap (measured: 100 -> 150 frames a second at 640x480).
SWITCH_INTERVAL_S = 0.0002


class Ahead(Generic[Item]):
    """Iterates `items` on a background thread, at most `depth` items ahead of the consumer,
    so the frames of a live source do not go stale.

    An error raised while producing an item is raised where the items are consumed.
    """

    def __init__(self, items: Iterable[Item], depth: int = 1, name: str = "livedigit-ahead"):
        self.ready: queue.Queue = queue.Queue(maxsize=depth)
        self.stopped = threading.Event()
        self.switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        self.thread = threading.Thread(target=self._produce, args=(items,), name=name, daemon=True)
        self.thread.start()

    def _produce(self, items: Iterable[Item]) -> None:
        try:
            for item in items:
                if not self._hand_over(item):
                    return
        except BaseException as error:  # handed to the consumer, which raises it
            self._hand_over(error)
            return
        self._hand_over(None)

    def _hand_over(self, item) -> bool:
        """Queue the item once there is room; False when the consumer stopped first."""
        while not self.stopped.is_set():
            try:
                self.ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                pass
        return False

    def __iter__(self) -> Iterator[Item]:
        while (item := self.ready.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=1.0)
        sys.setswitchinterval(self.switch_interval)

    def __enter__(self) -> "Ahead[Item]":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def find_in_each(frames: Iterable[Frame], find: Callable[[np.ndarray], Regions]) -> Iterator[FoundFrame]:
    """Each frame with its regions and the time it took to find them."""
    for frame in frames:
        started = time.perf_counter()
        regions = find(frame.image)
        yield frame, regions, time.perf_counter() - started


class FindingProcess:
    """Decodes a reopenable source and finds its frames' regions in a process of its own.

    The source is opened again in that process. Regions arrive without the thresholded
    frame, and frames without their image unless `with_images` (for drawing). An error
    raised in the process is raised where the frames are consumed.
    """

    def __init__(self, source, params: DetectionParams, with_images: bool):
        self.source_name = source.name
        context = multiprocessing.get_context("spawn")  # a fork would copy the model and its threads
        self.results, sender = context.Pipe(duplex=False)
        self.process = context.Process(target=find_in_process, args=(source, params, with_images, sender),
                                       name="livedigit-find", daemon=True)
        self.process.start()
        sender.close()  # the process holds its own end; at its exit, recv() sees the end of the pipe

    def __iter__(self) -> Iterator[FoundFrame]:
        while True:
            try:
                item = self.results.recv()
            except EOFError:  # the process died without a word: killed, or crashed in a decoder
                self.process.join(timeout=1.0)
                raise InputError(f"source {self.source_name}: reading stopped, the finding process ended "
                                 f"with exit code {self.process.exitcode}") from None
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def close(self) -> None:
        self.results.close()  # a process still sending stops at its next frame
        self.process.join(timeout=2.0)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join()

    def __enter__(self) -> "FindingProcess":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def find_in_process(source, params: DetectionParams, with_images: bool, results) -> None:
    """The finding process's work: every frame's regions, sent in order, then None."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the main process stops us
    cv2.setNumThreads(0)  # the other core runs the main process: OpenCV's own threads would only wait
    try:
        for frame, regions, seconds in find_in_each(source, partial(find_regions, params=params)):
            results.send((frame if with_images else replace(frame, image=None), replace(regions, binary=None),
                          seconds))
        results.send(None)
    except (BrokenPipeError, ConnectionResetError):  # the main process stopped reading
        pass
    except BaseException as error:  # handed to the main process, which raises it
        results.send(error)
    finally:
        source.close()


def find_ahead(source, params: DetectionParams, with_images: bool) -> FindingProcess | Ahead[FoundFrame]:
    """Each frame of the source with its regions, found a frame ahead: in another process
    where the source can be opened there, else on a thread (cameras and streams, which
    also decode on a thread of their own; images)."""
    if source.reopenable:
        return FindingProcess(source, params, with_images)
    return Ahead(find_in_each(source, partial(find_regions, params=params)), name="livedigit-find")
