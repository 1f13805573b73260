"""Strokes lying along ruled lines told by how much darker they are than their own line's ink.

A page's lines may be nearly as dark as the pen (squared paper printed dark, a grid in a
dim light), so that no one level of darkness tells the strokes lying along them from the
lines (StrokesOnLines). But a stroke written on a line is darker than the line it lies
on: each line is sampled into an upright strip (a row for each whole-pixel offset across
it, a column for each pixel along it), and its ink at each offset is compared, stretch by
stretch, with the rest of its ink at that offset and with its ink at its core. A line's
blurred edges are as light as each other all along it; a stroke on it stands out of both,
and runs along it.
"""
from __future__ import annotations

import cv2
import numpy as np

from .geometry import Segment, bends_at, sampled_along, steps_inside

# A stroke stands this many grey levels of darkness over the median of its line's ink at
# its own offset across the line, in a stretch of STRETCH pixels along it, and is darker
# than the median at the line's core: the darkest of the offsets along which the line's
# ink is unbroken (holds at least nine tenths of the most ink of any). The edge of a thin
# line bent off its straight fit stands over the light edge at its own offset, not the core
# (against their own offset alone, slivers of `squared-far`'s lines were read as 1s);
# where a blurred line is thick, its core is darker than the offsets that hold as much ink.
EXCESS = 24
STRETCH = 64


def standing_out(darkness: np.ndarray, binary: np.ndarray, lines: list[Segment],
                 lines_across: list[Segment]) -> np.ndarray:
    """The ink along the lines that stands out of their own (see the module), at the core
    of what stands out over its own offset (at least half as much as anywhere within two
    pixels), in runs along a line longer than the widest line's strip is wide, away from
    the `lines_across` them (where a stroke crossing those stands out too); 255 on 0 in a
    frame of the ink's shape. A stroke crossing a line is left to be mended across it:
    kept whole where a 2's tail crosses a grid line, it closed the 2's loop into a 0. A
    few pixels of a stroke along a slanting line fall between the strip's columns: masks
    are grown by a pixel before they are read."""
    strips = Strips(lines, binary.shape)
    excess, stands_out = excess_over_lines(strips.sampled(cv2.bitwise_and(darkness, binary)), len(lines))
    core = cv2.compare(excess, cv2.dilate(excess, np.ones((5, 5), np.uint8)) // 2, cv2.CMP_GT)
    along = np.ones((1, strips.widest), np.uint8)
    points = cv2.findNonZero(cv2.morphologyEx(core & stands_out, cv2.MORPH_OPEN, along))
    kept = np.zeros_like(binary)
    if points is None:
        return kept
    x, y = strips.in_frame(points.reshape(-1, 2))
    away = ~near(x, y, lines_across)
    kept[y[away], x[away]] = 255
    return kept


def excess_over_lines(strips: np.ndarray, line_count: int) -> tuple[np.ndarray, np.ndarray]:
    """For strips of the ink's darkness (0 where there is none; ink is darker than the
    paper, so 1 or more): how much darker each pixel is than the median of its line's ink
    at its offset in its stretch (0 where it is not), and where it stands out (255 on 0:
    EXCESS over that, and darker than the median at the line's core). Medians are taken
    from every other pixel along the line: sorting them is the cost."""
    rows, length = strips.shape
    sample = strips.reshape(line_count, rows // line_count, length // STRETCH, STRETCH)[..., ::2]
    counts = np.count_nonzero(sample, axis=-1)
    inked = counts > 0
    medians = np.zeros(counts.shape, np.uint8)
    medians[inked] = quantiles(sample[inked], counts[inked], 0.5)
    unbroken = inked & (10 * counts >= 9 * counts.max(axis=1, keepdims=True))
    cores = np.where(unbroken, medians, 0).max(axis=1, keepdims=True)
    least = np.maximum(np.minimum(medians.astype(np.int16) + EXCESS, 255), cores)
    nothing = np.uint8(255)  # where there is no ink, nothing stands out
    excess = cv2.subtract(strips, spread(np.where(inked, medians, nothing), rows, length))
    return excess, cv2.compare(strips, spread(np.where(inked, least, nothing), rows, length), cv2.CMP_GT)


def spread(levels: np.ndarray, rows: int, length: int) -> np.ndarray:
    """Levels by line, row and stretch spread over the pixels of the strips, in 8 bits."""
    return np.repeat(levels.astype(np.uint8), STRETCH, axis=-1).reshape(rows, length)


def quantiles(groups: np.ndarray, counts: np.ndarray, fraction: float) -> np.ndarray:
    """The level under which `fraction` of the ink of each group lies, for rows of ink
    1-255 and nothing 0, with `counts` of ink a row."""
    ordered = np.sort(groups, axis=-1, kind="stable")  # a radix sort for 8 bits
    index = groups.shape[-1] - counts + np.minimum((fraction * counts).astype(np.intp), counts - 1)
    return ordered[np.arange(len(groups)), index]


def near(x: np.ndarray, y: np.ndarray, lines: list[Segment]) -> np.ndarray:
    """Whether each pixel (x, y) lies on one of the lines' bands as erased, or within two
    pixels of it."""
    close = np.zeros(len(x), bool)
    for line in lines:
        close |= line.distance_across(x, y) <= (line.erased_thickness + 2) / 2 + 2
    return close


class Strips:
    """The lines' strips: for each, a row for each whole-pixel offset across it up to two
    pixels past its band's half-width (`widest` rows for the widest), and REACH rows of
    nothing, on either side; a column for each pixel along it from edge to edge of a frame
    of `shape`, padded to whole STRETCHes; stacked from the first line down."""

    def __init__(self, lines: list[Segment], shape: tuple[int, int]) -> None:
        self.lines, self.shape = lines, shape
        self.halves = [line.erased_thickness // 2 + 2 for line in lines]
        self.widest = 2 * max(self.halves) + 1
        self.reach = max(self.halves) + REACH
        self.steps = [steps_inside(line, shape) for line in lines]
        longest = max(last - first for first, last in self.steps) + 1
        self.length = max(STRETCH, -(-longest // STRETCH) * STRETCH)

    def sampled(self, image: np.ndarray) -> np.ndarray:
        """The image's pixels nearest each strip pixel; 0 beyond the frame and each line's rows."""
        rows = 2 * self.reach + 1
        strips = np.zeros((len(self.lines) * rows, self.length), image.dtype)
        for index, (line, half, (first, _)) in enumerate(zip(self.lines, self.halves, self.steps)):
            strip = strips[index * rows:(index + 1) * rows]
            strip[:] = sampled_along(image, line, first, self.length, self.reach)
            strip[:self.reach - half] = strip[self.reach + half + 1:] = 0
        return strips

    def in_frame(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The frame's pixels (x, then y) that strip pixels (x, y) were sampled from (on the
        frame's edge where cv2.warpAffine rounded a coordinate half a pixel beyond it)."""
        owner, row = np.divmod(points[:, 1], 2 * self.reach + 1)
        dx, dy, x0, y0 = (np.array([getattr(line, name) for line in self.lines])[owner]
                          for name in ("dx", "dy", "x0", "y0"))
        along = np.array([first for first, _ in self.steps])[owner] + points[:, 0]
        across = row - self.reach + bends_at(self.lines, dx * x0 + dy * y0 + along, owner)  # rows follow a bend
        height, width = self.shape
        return (np.clip(np.rint(x0 + dx * along - dy * across).astype(np.intp), 0, width - 1),
                np.clip(np.rint(y0 + dy * along + dx * across).astype(np.intp), 0, height - 1))


# Rows of nothing between two lines' strips: what stands out in one is judged apart from the next.
REACH = 2
