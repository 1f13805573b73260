"""Work a frame ahead on background threads: decoding, and finding regions.

Decoding and finding regions (thresholds, contours) are mostly OpenCV work, which
releases the GIL; reading the regions (normalization, the model, tracking, sinks) is
partly Python. Run as a pipeline on three threads, the stages overlap and a two-core
machine gets through about twice as many frames.
"""
from __future__ import annotations

import queue
import sys
import threading
import time
from typing import Callable, Generic, Iterable, Iterator, TypeVar

import numpy as np

from .detect import Regions
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
