"""Find the next frame's regions while the current frame is read, on a second thread.

Finding regions (thresholds, contours) is mostly OpenCV work, which releases the GIL;
reading them (normalization, the model, tracking, sinks) is partly Python. On two
threads the halves overlap, and a two-core machine gets through about half as many
frames again.
"""
from __future__ import annotations

import queue
import sys
import threading
import time
from typing import Callable, Iterable, Iterator

import numpy as np

from .detect import Regions
from .sources import Frame

FoundFrame = tuple[Frame, Regions, float]  # the frame, its regions, seconds spent finding them
# Both threads make many short OpenCV calls. With Python's default 5 ms switch interval a
# thread that wants the GIL back often waits out the other's whole interval; 0.2 ms lets
# the two overlap (measured: 100 -> 150 frames a second at 640x480).
SWITCH_INTERVAL_S = 0.0002


class FindAhead:
    """Iterates the frames of `source` with their regions found by `find` on a background
    thread, at most `depth` frames ahead, so a live source's frames do not go stale.

    An error in the source or in `find` is raised where the frames are consumed.
    """

    def __init__(self, source: Iterable[Frame], find: Callable[[np.ndarray], Regions], depth: int = 1):
        self.found: queue.Queue = queue.Queue(maxsize=depth)
        self.stopped = threading.Event()
        self.switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        self.thread = threading.Thread(target=self._find_all, args=(source, find), name="livedigit-find", daemon=True)
        self.thread.start()

    def _find_all(self, source: Iterable[Frame], find: Callable[[np.ndarray], Regions]) -> None:
        try:
            for frame in source:
                started = time.perf_counter()
                regions = find(frame.image)
                if not self._hand_over((frame, regions, time.perf_counter() - started)):
                    return
        except BaseException as error:  # handed to the consumer, which raises it
            self._hand_over(error)
            return
        self._hand_over(None)

    def _hand_over(self, item) -> bool:
        """Queue the item once there is room; False when the consumer stopped first."""
        while not self.stopped.is_set():
            try:
                self.found.put(item, timeout=0.1)
                return True
            except queue.Full:
                pass
        return False

    def __iter__(self) -> Iterator[FoundFrame]:
        while (item := self.found.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=1.0)
        sys.setswitchinterval(self.switch_interval)

    def __enter__(self) -> "FindAhead":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
