"""Lines seen bent (a lens's distortion, a sheet's curl) followed along their ink.

Found and fitted straight, a bowed line meets its fit along part of its length only: the
rest, left on the ink, runs through the digits beside it. Where the ink of a line leaves
its straight fit, the line is followed along its ink stretch by stretch, and its offsets
across the fit, smoothed, are its bend (`Segment.bend`), which the steps after it draw,
sample and measure it along.
"""
from __future__ import annotations

import cv2
import numpy as np

from .geometry import Segment, steps_inside, strip_maps

# A line seen bent (a lens's distortion, a sheet's curl) is followed along its ink in
# stretches this long, within each of which it runs straight to a pixel, sampled every
# BEND_SAMPLE pixels along it.
BEND_STRETCH = 64
BEND_SAMPLE = 4
# Its ink is looked for up to this many pixels across its straight fit, and from one
# stretch to the next within BEND_STEP pixels of where the last two put it. The fit of a
# sheet's row sagging by 0.03 of its width runs up to 50 px off the row's ends at
# 1280x720: looked for within 24 px, they were traced along that band's edge.
BEND_REACH = 48
BEND_STEP = 3
# A stretch shows the line where its ink across the line's thickness fills this fraction
# of the stretch; elsewhere (a gap, a digit's blob across it) the line runs on as before.
# A line is followed so only where this fraction of its stretches show it: traced across
# gaps from a few stretches, a line strays onto the strokes of the writing beside it.
BEND_INK = 0.4
BEND_SEEN = 0.75
# A line off its straight fit by no more than this anywhere is straight; so is one whose
# bend holds less than MORE_INK times the ink its straight fit holds (a stroke along the
# line, or words beside it, drew the stretches off it).
STRAIGHT = 1
MORE_INK = 1.0


def bent_along_ink(lines: list[Segment], binary: np.ndarray) -> list[Segment]:
    """The lines (straight fits) with their bends where they are seen bent (bend_of); those
    whose ink shows within STRAIGHT of the fit all along, as most do, straight."""
    if not lines:
        return lines
    nearly_straight = shows_on_fit(lines, binary)
    return [line if on_fit else line._replace(bend=bend_of(line, binary))
            for line, on_fit in zip(lines, nearly_straight)]


def bend_of(line: Segment, binary: np.ndarray) -> tuple[tuple[float, float], ...]:
    """The line's bend where it is seen bent, off its straight fit by more than STRAIGHT
    pixels somewhere: followed stretch by stretch (BEND_STRETCH) from the one where its ink
    lies on the fit, along the ink its thickness holds most of (traced); none elsewhere."""
    (bands, on_fit, first), = ink_in_bands([line], binary, BEND_REACH)
    stretches = bands.shape[1]
    if stretches < 3:
        return ()
    offsets, seen = traced(bands, on_fit, least_ink(line))
    if len(seen) < BEND_SEEN * stretches or np.abs(offsets[seen]).max() <= STRAIGHT:
        return ()
    bend = smooth_bend(np.arange(stretches), offsets, seen)
    on_bend = np.clip(np.rint(bend).astype(np.intp) + on_fit, 0, len(bands) - 1)
    if (np.abs(bend).max() <= STRAIGHT
            or bands[on_bend, np.arange(stretches)].sum() < MORE_INK * bands[on_fit].sum()):
        return ()
    along = line.dx * line.x0 + line.dy * line.y0 + first + (np.arange(stretches) + 0.5) * BEND_STRETCH
    return tuple(zip(along.tolist(), bend.tolist()))


def least_ink(line: Segment) -> float:
    """The ink samples a stretch's band holds where it shows the line (BEND_INK)."""
    return BEND_INK * BEND_STRETCH / BEND_SAMPLE * thick(line)


def thick(line: Segment) -> int:
    return max(1, round(line.thickness))


def ink_in_bands(lines: list[Segment], binary: np.ndarray, reach: int) -> list[tuple[np.ndarray, int, int]]:
    """For each straight line, how much ink (samples, every BEND_SAMPLE pixels along) each of
    its stretches inside the frame holds in a band as thick as the line at each whole-pixel
    offset across it, up to `reach` either way, by the band's first row (offsets,
    stretches); the row of the band on the fit; and the step along the line (from x0, y0)
    its first stretch starts at. All lines are sampled at once."""
    spans = [steps_inside(line, binary.shape) for line in lines]
    samples = max(1, max(last - first + 1 for first, last in spans) // BEND_STRETCH) * (BEND_STRETCH // BEND_SAMPLE)
    sampled = cv2.remap(binary, *strip_maps(lines, [first for first, _ in spans], samples, reach, BEND_SAMPLE),
                        cv2.INTER_NEAREST, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    rows = (sampled > 0).reshape(len(lines), 2 * reach + 1, -1, BEND_STRETCH // BEND_SAMPLE).sum(axis=3, dtype=np.int32)
    running = np.concatenate([np.zeros_like(rows[:, :1]), np.cumsum(rows, axis=1)], axis=1)
    found = []
    for line, line_running, (first, last) in zip(lines, running, spans):
        thickness, stretches = thick(line), (last - first + 1) // BEND_STRETCH
        found.append(((line_running[thickness:] - line_running[:-thickness])[:, :stretches],
                      reach - (thickness - 1) // 2, first))
    return found


def shows_on_fit(lines: list[Segment], binary: np.ndarray) -> np.ndarray:
    """For each straight line, whether every stretch of it that shows its ink within
    BEND_STEP of the fit shows it within STRAIGHT of it: nothing to trace (sampled in
    strips only as wide as that needs)."""
    nearly_straight = []
    for line, (bands, on_fit, _) in zip(lines, ink_in_bands(lines, binary, BEND_STEP + max(map(thick, lines)))):
        near = bands[on_fit - BEND_STEP:on_fit + BEND_STEP + 1]
        shown = near.max(axis=0, initial=0) >= least_ink(line)
        nearly_straight.append(bool(np.all((np.abs(near.argmax(axis=0) - BEND_STEP) <= STRAIGHT) | ~shown)))
    return np.array(nearly_straight, bool)


def traced(bands: np.ndarray, on_fit: int, enough: float) -> tuple[np.ndarray, list[int]]:
    """For each stretch, how far across the fit (whole pixels) the line's band lies, and
    the stretches that showed it, traced from the stretch with the most ink on the fit;
    where the band densest there lies off the fit, also from the stretch with the most ink
    on the fit of those whose densest band lies on it (within STRAIGHT), and the trace
    that showed the line in more stretches kept. (On a bowed sheet the fit is a chord of
    the line: where a digit's stroke crosses the fit far from the line, that stretch may
    hold the most ink on the fit, and a trace from there lost the line on one side.)"""
    on_line = np.abs(bands.argmax(axis=0) - on_fit) <= STRAIGHT
    start = int(np.argmax(bands[on_fit]))
    trace = traced_from(start, bands, on_fit, enough)
    if on_line[start] or not on_line.any():
        return trace
    other = traced_from(int(np.argmax(np.where(on_line, bands[on_fit], -1))), bands, on_fit, enough)
    return other if len(other[1]) > len(trace[1]) else trace


def traced_from(start: int, bands: np.ndarray, on_fit: int, enough: float) -> tuple[np.ndarray, list[int]]:
    """traced's offsets and stretches that showed the line, traced both ways from the
    `start` stretch: at each the band within BEND_STEP of where the last two stretches that
    showed the line put it, that holds `enough` ink, else where they put it."""
    count = bands.shape[1]
    offsets = np.zeros(count)
    if bands[on_fit, start] < enough:
        return offsets, []
    seen = [start]
    for direction in (1, -1):
        shown = [start]
        for index in range(start + direction, count if direction > 0 else -1, direction):
            expected = offsets[shown[-1]]
            if len(shown) > 1:  # on along the slope of the last two
                expected += (offsets[shown[-1]] - offsets[shown[-2]]) * (index - shown[-1]) / (shown[-1] - shown[-2])
            low = min(max(int(np.floor(expected)) - BEND_STEP + on_fit, 0), len(bands) - 1)
            high = min(max(int(np.ceil(expected)) + BEND_STEP + on_fit, 0), len(bands) - 1)
            column = bands[low:high + 1, index]
            best = int(column.argmax())
            if column[best] >= enough:
                offsets[index] = low + best - on_fit
                shown.append(index)
            else:
                offsets[index] = expected
        seen += shown[1:]
    return offsets, sorted(seen)


# A lens's distortion and a sheet's curl bend a line smoothly: the offsets of the stretches
# that showed it are fitted by a polynomial of this degree at most, those off it by more
# than OFF_BEND pixels (a stroke lying along the line drew the stretch to it) left out.
BEND_DEGREE = 3
OFF_BEND = 1.5


def smooth_bend(stretches: np.ndarray, offsets: np.ndarray, seen: list[int]) -> np.ndarray:
    """The line's offset at each stretch from a polynomial fitted to those `seen` (twice,
    the second time without those off the first fit by more than OFF_BEND)."""
    x, y = stretches[seen] / max(len(stretches) - 1, 1), offsets[seen]
    kept = np.ones(len(seen), bool)
    for _ in range(2):
        degree = min(BEND_DEGREE, int(kept.sum()) - 1)
        coefficients = np.polyfit(x[kept], y[kept], degree)
        kept = np.abs(np.polyval(coefficients, x) - y) <= OFF_BEND
        if kept.sum() < 2:
            break
    return np.polyval(coefficients, stretches / max(len(stretches) - 1, 1))

