"""Find each frame's regions ahead of reading them, in a process of its own.

Thresholds and contours take about half of the work a frame needs; reading the regions
(normalization, the model, tracking, sinks) the other half. Run side by side in two
processes, the halves keep both cores of a two-core machine busy, which threads would
not: Python's GIL lets them overlap only while OpenCV runs.

The main process decodes each frame and hands its grey image over through shared
memory; regions come back through a pipe. Which half is the larger changes from frame
to frame (with the number of digits, ruled lines, how many readings are remembered),
and the work between them moves with it: when no next frame waits for it, the finding
process takes the ink signatures of the regions off the main process; when one does,
it hands back the ink (through the frame's shared memory) and the page, and the main
process, which would only wait for it, cuts out the regions. While the regions it
wants are not back, the main process also finds the page of each frame it hands over.
"""
from __future__ import annotations

import ctypes
import multiprocessing
import signal
import time
from collections import Counter, OrderedDict
from dataclasses import replace
from multiprocessing.shared_memory import SharedMemory
from typing import Iterable, Iterator, NamedTuple

import cv2
import numpy as np

from .detect import Page, Regions, SceneTracker, find_ink, page_in, regions_in, to_gray
from .errors import InputError
from .params import DetectionParams
from .reuse import signatures
from .sources import Frame

FoundFrame = tuple[Frame, Regions, float]  # the frame, its regions, seconds spent finding them


class HandedOver(NamedTuple):
    frame: Frame
    gray: np.ndarray  # the grey image handed over
    slot: int         # the shared memory it went through
    seconds: float    # the main process's time finding its page, where it did


# Frames of a file handed over and not yet read back: the process finds the next ones
# while the main process reads the one before them. Two ahead rather than one evens out
# frames that take either process longer (1-3 % more frames a second at 640x480, in 17
# interleaved pairs of runs). A live source hands over one frame at a time: waiting for
# the camera's next frames before reading this one would only add latency.
IN_FLIGHT = 3


class FindingProcess:
    """Finds the regions of frames in a process of its own, in order, `IN_FLIGHT` at a time;
    the page is followed from frame to frame where the frames are a video's (`sequential`).

    An error raised in the process is raised where the frames are consumed.
    """

    def __init__(self, params: DetectionParams, sequential: bool = False):
        self.params = params
        context = multiprocessing.get_context("spawn")  # a fork would copy the model and its threads
        self.pipe, far_end = context.Pipe()
        self.process = context.Process(target=find_in_process, args=(params, sequential, far_end),
                                       name="livedigit-find", daemon=True)
        self.process.start()
        far_end.close()  # the process holds its own end; when it dies, recv() sees the end of the pipe
        self.slots: list[SharedMemory | None] = [None] * IN_FLIGHT
        self.taken_over: Counter[str] = Counter()  # frames whose step this process took off the finding one
        self.behind = False  # whether the finding process's last regions were not back when wanted

    def find_in_each(self, frames: Iterable[Frame], live: bool = False) -> Iterator[FoundFrame]:
        """Each frame with its regions and the time it took to find them; frames of a
        `live` source are handed over one at a time (see IN_FLIGHT)."""
        frames = iter(frames)
        in_flight: list[HandedOver] = []
        handed_over = 0
        most_in_flight = 1 if live else IN_FLIGHT
        failed: Exception | None = None  # the source's error, raised once the frames before it are out
        while True:
            # frame n goes through slot n % IN_FLIGHT, free again once frame n - IN_FLIGHT is back
            while not failed and len(in_flight) < most_in_flight:
                try:
                    frame = next(frames)
                except StopIteration:
                    break
                except Exception as error:
                    failed = error
                    break
                in_flight.append(self._hand_over(frame, handed_over % IN_FLIGHT))
                handed_over += 1
            if not in_flight:
                if failed:
                    raise failed
                return
            self.behind = not live and not self.pipe.poll()
            found, seconds = self._receive()
            handed = in_flight.pop(0)
            started = time.perf_counter()
            regions = replace(found, gray=handed.gray) if isinstance(found, Regions) else self._cut_out(found, handed)
            yield handed.frame, regions, handed.seconds + seconds + time.perf_counter() - started

    def _cut_out(self, page: Page | None, handed: HandedOver) -> Regions:
        """The regions of the ink the finding process left in the frame's slot, on the `page`."""
        self.taken_over["regions"] += 1
        ink = np.ndarray(handed.gray.shape, np.uint8, self.slots[handed.slot].buf).copy()  # the slot takes a next frame
        return replace(regions_in(ink, self.params, page, handed.gray), binary=None)

    def _hand_over(self, frame: Frame, slot: int) -> HandedOver:
        """Hands the frame's grey image over through shared memory; with the page in it,
        where the finding process is behind (the main process would only wait for it)."""
        gray = to_gray(frame.image)
        memory = self.slots[slot]
        if memory is None or memory.size < gray.nbytes:
            self._release(slot)
            memory = self.slots[slot] = SharedMemory(create=True, size=gray.nbytes)
        np.copyto(np.ndarray(gray.shape, np.uint8, memory.buf), gray)
        started = time.perf_counter()
        found_page = (page_in(gray, self.params),) if self.behind else ()
        self.taken_over["page"] += len(found_page)
        try:
            self.pipe.send((memory.name, gray.shape, *found_page))
        except (BrokenPipeError, ConnectionResetError):
            raise self._ended() from None
        return HandedOver(frame, gray, slot, time.perf_counter() - started if found_page else 0.0)

    def _receive(self) -> tuple[Regions | Page | None, float]:
        """What the finding process sent for the oldest frame in flight (find_in_shared) and its seconds."""
        try:
            item = self.pipe.recv()
        except (EOFError, ConnectionResetError):
            raise self._ended() from None
        if isinstance(item, BaseException):
            raise item
        return item

    def _ended(self) -> InputError:
        """The error for a process that died without a word: killed, or out of memory."""
        self.process.join(timeout=1.0)
        return InputError(f"finding regions stopped: its process ended with exit code {self.process.exitcode}")

    def _release(self, slot: int) -> None:
        if self.slots[slot] is not None:
            self.slots[slot].close()
            self.slots[slot].unlink()
            self.slots[slot] = None

    def close(self) -> None:
        try:
            self.pipe.send(None)
        except OSError:  # the process is gone already
            pass
        self.process.join(timeout=2.0)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join()
        self.pipe.close()
        for slot in range(IN_FLIGHT):
            self._release(slot)

    def __enter__(self) -> "FindingProcess":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def find_in_process(params: DetectionParams, sequential: bool, pipe) -> None:
    """The finding process: for each grey frame named (shared memory, shape), its regions
    or its ink and page (find_in_shared), and the seconds they took, until None arrives."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the main process stops us
    cv2.setNumThreads(0)  # the other core runs the main process: OpenCV's own threads would only wait
    keep_freed_memory()
    attached: OrderedDict[str, SharedMemory] = OrderedDict()
    scene = SceneTracker() if sequential else None
    try:
        while (request := pipe.recv()) is not None:
            name, shape, *found_page = request  # the page, where the main process looked for it
            if name not in attached:
                attached[name] = SharedMemory(name=name)
                if len(attached) > IN_FLIGHT:  # a slot the main process has replaced
                    attached.popitem(last=False)[1].close()
            started = time.perf_counter()
            behind = pipe.poll()  # a next frame waits already
            found = find_in_shared(attached[name], shape, params, scene, behind, found_page)
            if not behind and not pipe.poll():  # this process is ahead (15 % more frames a second at 640x480)
                found = replace(found, signatures=signatures(found.masks))
            pipe.send((found, time.perf_counter() - started))
    except (EOFError, BrokenPipeError, ConnectionResetError):  # the main process is gone
        pass
    except BaseException as error:  # handed to the main process, which raises it
        pipe.send(error)
    finally:
        for memory in attached.values():
            memory.close()


# glibc's mallopt parameters
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3


def keep_freed_memory() -> None:
    """Keep memory freed by this process for its next allocations, where the C library is glibc.

    Every frame allocates and frees frame-sized arrays. By default glibc gives the
    freed memory back to the system and the next frame faults it in again, page by
    page: a fifth of the finding process's time at 1280x720 (measured with perf), and
    about 35 % more frames a second at 1280x720 once kept.
    """
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc
        return
    mallopt(M_MMAP_THRESHOLD, 32 << 20)  # arrays up to 32 MB come from the heap, not fresh mappings
    mallopt(M_TRIM_THRESHOLD, 256 << 20)  # and the heap keeps up to 256 MB of free memory


def find_in_shared(memory: SharedMemory, shape: tuple[int, int], params: DetectionParams,
                   scene: SceneTracker | None, behind: bool, found_page: list[Page | None]) -> Regions | Page | None:
    """The regions of the grey frame in `memory`, on the page the main process found in
    it (`found_page`, where it looked), without the thresholded frame (which would cost
    more to send back than the regions) or the grey frame (the main process has it).
    Where this process is `behind`, only the ink, written over the grey frame for the
    main process to cut the regions out of, and the page it lies on (or None)."""
    gray = np.ndarray(shape, np.uint8, memory.buf)  # a view: gone when this returns, so the memory can close
    ink, page = find_ink(gray, params, scene, found_page[0] if found_page else page_in(gray, params))
    if behind:
        np.copyto(gray, ink)
        return page
    return replace(regions_in(ink, params, page, gray), binary=None, gray=None)
