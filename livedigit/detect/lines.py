"""Ruled and grid lines: found at any slant and spacing, erased, and the strokes across them mended."""
from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np

from .page import grey_percentile
from .regions import blobs_reaching, ink_mask


def remove_ruled_lines(binary: np.ndarray, followed: LineTracker | None = None,
                       darkness: np.ndarray | None = None) -> np.ndarray:
    """Erase ruled and grid lines and mend the digit strokes that crossed them; where the
    ink's `darkness` (how much darker than the paper) is given, keep the strokes lying
    along them (StrokesOnLines).

    A pass finds the lines of a direction and those across it (line_families). Seen close
    up in perspective, the lines of one direction may spread over more slants than one
    search follows: what is left after a pass is looked at again, and as the paper is
    ruled, any one line found then is the page's. In a video (`followed`), the last
    frame's lines, fitted to this frame's ink where they still show, take the first
    pass's place: the passes after it find the lines that came into view.
    """
    passes = followed.refound(binary) if followed is not None else []
    strokes = StrokesOnLines(darkness)
    for families in passes:
        binary = erased(binary, families, strokes)
    fewest = 1 if passes else MIN_RULED_LINES
    for _ in range(MAX_PASSES - 1 if passes else MAX_PASSES):
        families = [new for family in line_families(binary, fewest)
                    if (new := [line for line in family if not found_before(line, passes)])]
        if not families:
            break
        binary, fewest = erased(binary, families, strokes), 1
        passes.append(families)
    if followed is not None:
        followed.passes = passes
    return binary


def found_before(line: Segment, passes: list[list[list[Segment]]]) -> bool:
    """Whether the line lies in the band of a line of the `passes`, from end to end: found
    again where its ink was kept as a stroke lying along a line (darker than the page's
    lines), which every pass after would find again; or followed into a new frame onto
    the line another pass followed (one found alone may move far). Either would be
    erased and followed twice over, one more pass each frame. (What the band left of a
    line, a straight fit of one seen bent by perspective or the lens, runs out of it.)"""
    along = line.dx * line.x0 + line.dy * line.y0
    ends = [(line.x0 + (end - along) * line.dx, line.y0 + (end - along) * line.dy) for end in (line.start, line.end)]
    return any(parallel(line, other) and all(abs(-other.dy * (x - other.x0) + other.dx * (y - other.y0))
                                             <= other.erased_thickness / 2 + 1 for x, y in ends)
               for families in passes for family in families for other in family)


# The first pass, and up to two more for the lines it missed.
MAX_PASSES = 3


class LineTracker:
    """The ruled lines of a video's last frame: fitted to each new frame's ink, where a
    search would cost several times more (line_families), and searched for afresh every
    SEARCH_EVERY frames, lest a line followed stray onto other ink."""

    def __init__(self) -> None:
        self.passes: list[list[list[Segment]]] = []  # the last frame's lines, by pass and direction
        self.frames = 0

    def refound(self, binary: np.ndarray) -> list[list[list[Segment]]]:
        """The last frame's lines that still show in this frame's ink, fitted to it, by
        pass and direction; none every SEARCH_EVERY frames."""
        self.frames += 1
        if self.frames % SEARCH_EVERY == 0:
            return []
        passes: list[list[list[Segment]]] = []
        for families in self.passes:
            # a line followed onto one an earlier pass followed is that one
            families = [[line for line in followed_to_ink(family, binary) if not found_before(line, passes)]
                        for family in families]
            families = [family for family in families if family]
            if families:
                passes.append(families)
        return passes


SEARCH_EVERY = 8
# A line is followed up to this fraction of the frame's width from one frame to the next
# (a hand-held camera's shake), where its neighbours are far enough apart.
FOLLOW_REACH = 0.02


def followed_to_ink(family: list[Segment], binary: np.ndarray) -> list[Segment]:
    """The lines of a direction fitted to the ink of a frame they may have moved in (by
    up to FOLLOW_REACH, less half the space between two of them), less those with under
    FOLLOW_SUPPORT of the ink they had (gone from view or hidden: the stroke of a digit
    along where one was must stay) and those that came onto another's ink."""
    factor = max(1, binary.shape[1] // LINE_SEARCH_WIDTH)
    thickest = max(line.thickness for line in family)
    offsets = np.sort([line.offset for line in family])
    spacing = np.min(np.diff(offsets)) if len(family) > 1 else np.inf
    slack = int(max(1, min(FOLLOW_REACH * binary.shape[1], (spacing - thickest) // 2 - factor - 2)))
    kept: list[Segment] = []
    for line, before in zip(fitted_to_ink(family, binary, (factor + 1, 1), moved=slack), family):
        if line.support >= max(MIN_FIT_PIXELS, FOLLOW_SUPPORT * before.support) and not any(
                abs(line.offset - other.offset) <= line.thickness + 2 for other in kept):
            kept.append(line)
    return kept


FOLLOW_SUPPORT = 0.5


def line_families(binary: np.ndarray, fewest: int) -> list[list[Segment]]:
    """The ruled lines of a direction and those across it (none where there are none).

    The page's lines show as long, sparse blobs, most of whose edges run along the lines:
    one direction on ruled paper, two on squared paper (slant_votes). Long thin runs of
    ink along a direction, or along the slants around it that perspective gives its
    lines, are line segments; collinear segments that together span much of the ink are
    a ruled line. Where either direction has `fewest` such lines, or two that run
    across the whole frame (a grid of large squares seen close up), they are lines of
    the page, and so is any line of the other direction. The lines are looked for on a
    copy of the ink at most about LINE_SEARCH_WIDTH wide, and fitted to the ink at full
    size.
    """
    factor = max(1, binary.shape[1] // LINE_SEARCH_WIDTH)
    return [fitted_to_ink([line.enlarged(factor) for line in family], binary, (factor + 1, 1))
            for family in find_ruled_lines(max_pooled(binary, factor), fewest)]


def erased(binary: np.ndarray, families: list[list[Segment]], strokes: StrokesOnLines) -> np.ndarray:
    """The ink without the lines, from edge to edge (so also where they pass between and
    through digits), and with the strokes cut by them joined again; where the ink's
    darkness tells `strokes` from lines, the strokes lying along them kept."""
    bands = []
    for family in families:  # one direction at a time: the lines across it are mended like any stroke
        band, thickness = band_along(family, binary.shape)
        kept = binary & ~band
        stroke_dark = strokes.darker_than_lines(family, binary & band)
        if stroke_dark is not None:
            kept |= stroke_dark & binary & band  # the strokes lying along the lines
        # where a grid's lines cross they are as dark as a stroke: there, only depth tells one
        edge_dark = stroke_dark if len(families) == 1 else None
        binary = kept | strokes_across(kept, band, -family[0].dy, family[0].dx, thickness + 3, edge_dark)
        bands.append(band)
    if len(bands) == 1:
        return binary
    # The lines of the second direction were mended across the first's band a little wider
    # than they are, where they cross at a slant: what is left of that, wholly near a
    # crossing, is no stroke. How near is judged by the grid's usual line: one line drawn
    # thicker (the last one along the page's edge, its ink run into the edge's) would
    # otherwise count the digits in every square as near a crossing.
    usual = int(np.median([line.erased_thickness for family in families for line in family]))
    near_crossings = cv2.dilate(bands[0] & bands[1], np.ones((2 * usual + 5,) * 2, np.uint8))
    return blobs_reaching(binary, binary & ~near_crossings)


# Ink on the lines at least this many times as dark as the lines' own (the median of the
# ink along them) is a stroke lying along one: the top bar of a 3, the side of an 8's
# loop. Seen from the side it cannot be told from the line; a pen's stroke is darker than
# the faint printed lines it is written on.
STROKE_ON_LINE = 2


class StrokesOnLines:
    """Tells the strokes lying along ruled lines from the lines by the ink's darkness (how
    much darker than the paper), against the first lines found of each direction: a
    page's lines of one direction are printed alike. A later pass may find the strokes
    kept along them between two: the top and bottom sides of a row of boxes drawn in pen
    line up like a ruled line. Judged against their own darkness, they were erased, and
    the boxes' sides left standing read as 1s. Lines a later pass finds beyond the first
    (the page's edge, lines in another light) are judged against their own."""

    def __init__(self, darkness: np.ndarray | None) -> None:
        self.darkness = darkness
        # each direction's first lines found, and the least darkness of a stroke along them
        self.first_found: list[tuple[list[Segment], float]] = []

    def darker_than_lines(self, family: list[Segment], on_lines: np.ndarray) -> np.ndarray | None:
        """Where the ink is at least STROKE_ON_LINE times as dark as the lines of the
        family's direction around it (or as the ink `on_lines`); None where no darkness
        is known."""
        if self.darkness is None:
            return None
        level = next((level for first, level in self.first_found if all(between(line, first) for line in family)), None)
        if level is None:
            level = min(STROKE_ON_LINE * grey_percentile(self.darkness, on_lines, 0.5), 255)
            if not any(parallel(family[0], first[0]) for first, _ in self.first_found):
                self.first_found.append((family, level))
        _, strokes = cv2.threshold(self.darkness, level, 255, cv2.THRESH_BINARY)
        return strokes


def between(line: Segment, family: list[Segment]) -> bool:
    """Whether a line runs along the family's lines, between the outermost two."""
    if not parallel(line, family[0]):
        return False
    nx, ny = -family[0].dy, family[0].dx
    offsets = [nx * other.x0 + ny * other.y0 for other in family]
    return min(offsets) < nx * line.x0 + ny * line.y0 < max(offsets)


def parallel(a: Segment, b: Segment) -> bool:
    return abs(a.dx * b.dx + a.dy * b.dy) > PARALLEL


# Lines whose directions' cosine is above this (within 25 degrees) run one way, spread by
# perspective.
PARALLEL = 0.9


def fitted_to_ink(lines: list[Segment], binary: np.ndarray, reaches: tuple[int, ...], moved: int = 0) -> list[Segment]:
    """The lines fitted again to the full-size ink along them: each first moved across
    itself by up to `moved` pixels to where the ink along it is densest (a line followed
    into the next frame; its ink's width across it is measured there too), then fitted
    to the ink up to the first of `reaches` pixels beyond its edges, again to that up to
    the next reach beyond the last fit's, and so on. Found on a shrunk copy, and from the
    segments of a few slants, a line may stray a pixel or two from the one seen across
    the frame: enough to erase a stroke lying along it, or leave a sliver of its edge
    that reads as a 1. Each line fitted knows the ink pixels it was last fitted to
    (`support`)."""
    if len(lines) > 255:  # numbered in 8 bits below
        return fitted_to_ink(lines[:255], binary, reaches, moved) + fitted_to_ink(lines[255:], binary, reaches, moved)
    band_reach = moved + reaches[0]
    found = ink_along(lines, binary, band_reach)
    if found is None:
        return [line._replace(support=0) for line in lines]
    *in_band, every = found
    xs, ys, owner = in_band
    fit = tuple(np.array([getattr(line, name) for line in lines]) for name in ("x0", "y0", "dx", "dy"))
    thickness = np.array([line.thickness for line in lines])
    if moved:
        x0, y0, dx, dy = fit
        across = densest_across(across_histogram(*in_band, fit, thickness, band_reach), thickness)
        fit = x0 - dy * across, y0 + dx * across, dx, dy
    for reach in reaches:
        x0, y0, dx, dy = fit
        close = np.abs(dx[owner] * (ys - y0[owner]) - dy[owner] * (xs - x0[owner])) <= thickness[owner] / 2 + reach
        xs, ys, owner = xs[close], ys[close], owner[close]
        fit = principal_axes(xs, ys, owner, len(lines))
    widths = (ink_width(across_histogram(*in_band, fit, thickness, band_reach), thickness) if moved
              else np.zeros(len(lines), np.intp))
    support = np.bincount(owner, minlength=len(lines)) * every
    return [refitted(line, *line_fit, int(width), int(pixels))
            for line, *line_fit, width, pixels in zip(lines, *fit, widths, support)]


def ink_along(lines: list[Segment], binary: np.ndarray, reach: int) -> tuple[np.ndarray, ...] | None:
    """The inked pixels up to `reach` beyond the lines' edges (at most about
    MAX_FIT_POINTS of them: every k-th in rows, spread along each line), as x and y, the
    line each lies along (an index into `lines`), and k; None where there are none."""
    nearest = np.zeros_like(binary)  # the line each pixel lies along, numbered from 1
    for number, line in enumerate(lines, 1):
        draw_across(nearest, line, number, line.thickness + 2 * reach)
    points = cv2.findNonZero(cv2.bitwise_and(nearest, binary))
    if points is None:
        return None
    every = max(1, len(points) // MAX_FIT_POINTS)
    points = points.reshape(-1, 2)[::every]
    owner = nearest[points[:, 1], points[:, 0]].astype(np.intp) - 1
    return points[:, 0].astype(np.float64), points[:, 1].astype(np.float64), owner, every


def refitted(line: Segment, x0: float, y0: float, dx: float, dy: float, ink_width: int, support: int) -> Segment:
    """The line through (x0, y0) along (dx, dy), turned as it was, where it was fitted to
    MIN_FIT_PIXELS or more; else the line as it was."""
    if support < MIN_FIT_PIXELS:
        return line._replace(support=support)
    if dx * line.dx + dy * line.dy < 0:
        dx, dy = -dx, -dy
    return line._replace(dx=float(dx), dy=float(dy), x0=float(x0), y0=float(y0), offset=float(-dy * x0 + dx * y0),
                         ink_width=ink_width, support=support)


def across_histogram(xs: np.ndarray, ys: np.ndarray, owner: np.ndarray, lines: tuple[np.ndarray, ...],
                     thickness: np.ndarray, reach: int) -> np.ndarray:
    """For each of the lines (arrays x0, y0, dx, dy), how many of the points (xs, ys) it
    owns lie each whole pixel across it, from `reach` pixels beyond its thickest's edge on
    one side to as far on the other."""
    x0, y0, dx, dy = lines
    half = int(np.ceil(thickness.max() / 2)) + reach
    width = 2 * half + 1
    distances = -dy[owner] * (xs - x0[owner]) + dx[owner] * (ys - y0[owner])
    bins = np.clip(np.rint(distances).astype(np.intp) + half, 0, width - 1)
    return np.bincount(owner * width + bins, minlength=len(x0) * width).reshape(-1, width)


def densest_across(counts: np.ndarray, thickness: np.ndarray) -> np.ndarray:
    """For each line, how far across it (signed, whole pixels) a band its thickness holds
    the most of its ink (`counts` from across_histogram). A line's ink runs all along it;
    strokes across it spread out."""
    half = counts.shape[1] // 2
    running = np.concatenate([np.zeros((len(counts), 1)), np.cumsum(counts, axis=1)], axis=1)
    starts = np.arange(counts.shape[1])
    ends = np.minimum(starts[None, :] + thickness[:, None], counts.shape[1])
    in_band = np.take_along_axis(running, ends, axis=1) - running[:, starts]
    return starts[np.argmax(in_band, axis=1)] + (thickness - 1) / 2 - half


def ink_width(counts: np.ndarray, thickness: np.ndarray) -> np.ndarray:
    """For each line, how many whole pixels across it, up to its `thickness` from it on
    either side, hold at least half as much of its ink as the fullest (`counts` from
    across_histogram)."""
    half = counts.shape[1] // 2
    near = np.abs(np.arange(counts.shape[1])[None, :] - half) <= thickness[:, None]
    counts = np.where(near, counts, 0)
    return np.count_nonzero(counts >= counts.max(axis=1, keepdims=True) / 2, axis=1)


def principal_axes(xs: np.ndarray, ys: np.ndarray, owner: np.ndarray, count: int) -> tuple[np.ndarray, ...]:
    """For each of `count` lines, the least-squares line through the points (xs, ys) it
    owns: their centre x0, y0 and its unit direction dx, dy (arrays of `count`)."""
    n = np.maximum(np.bincount(owner, minlength=count), 1)
    x0, y0 = np.bincount(owner, xs, count) / n, np.bincount(owner, ys, count) / n
    u, v = xs - x0[owner], ys - y0[owner]
    angle = 0.5 * np.arctan2(2 * np.bincount(owner, u * v, count), np.bincount(owner, u * u - v * v, count))
    return x0, y0, np.cos(angle), np.sin(angle)


MIN_FIT_PIXELS = 20
# Enough points to fit the lines of a page, a few hundred a line where there are dozens.
MAX_FIT_POINTS = 20000


def band_along(lines: list[Segment], shape: tuple[int, int]) -> tuple[np.ndarray, int]:
    """The lines drawn from edge to edge of a frame of `shape`, each a little thicker than
    it is, and the thickest line's thickness."""
    band = np.zeros(shape, np.uint8)
    for line in lines:
        draw_across(band, line, 255, line.erased_thickness + 2)
    return band, max(line.erased_thickness for line in lines)


def draw_across(image: np.ndarray, line: Segment, value: int, thickness: int) -> None:
    """Draw the line from edge to edge of the image."""
    reach = image.shape[0] + image.shape[1]
    cv2.line(image, (round(line.x0 - line.dx * reach), round(line.y0 - line.dy * reach)),
             (round(line.x0 + line.dx * reach), round(line.y0 + line.dy * reach)), value, thickness)


# Line segments are runs of ink at least twice this long (a twelfth of the frame's width
# where that is more), on the copy the lines are looked for on.
MIN_RUN = 20
# Lines are looked for on a copy of the ink shrunk by a whole factor to about this width:
# the search costs the factor squared less, and lines a pixel thin stay whole in it.
LINE_SEARCH_WIDTH = 640


def find_ruled_lines(binary: np.ndarray, fewest: int) -> list[list[Segment]]:
    """The ruled lines in the ink (see remove_ruled_lines), a list for each direction."""
    frame_w = binary.shape[1]
    first_search = fewest > 1
    # Lines show as blobs a quarter of the frame's width long; in the first search, a
    # quarter of the ink's longer side where that is shorter: a page small in view, its
    # surroundings masked off, has lines as short. (Not where what earlier passes left is
    # looked at again: the strokes of large digits would pass.)
    long_blob = (min(frame_w, max(cv2.boundingRect(binary)[2:])) if first_search else frame_w) // 4
    if not may_hold_blobs_longer_than(binary, long_blob):
        return []
    long = [(box, pixels) for box, pixels in blobs_longer_than(binary, long_blob)
            if cv2.countNonZero(pixels) < 0.5 * box[2] * box[3]]
    if not long:
        return []
    long_ink = np.zeros_like(binary)
    for (x, y, w, h), pixels in long:
        long_ink[y:y + h, x:x + w] |= pixels
    run = max(frame_w // 12, MIN_RUN)
    thin = run / 4  # a line's thickness at most, but for one from edge to edge (ruled_lines)
    # a line spans much of the ink's extent, not the frame's: a page small in view, its
    # surroundings masked off, has lines as long against it as a page filling the frame
    ink_extent = Extent.around(binary)
    directions = line_directions(slant_votes(long_ink))
    segments: dict[int, list[Segment]] = {}  # each direction's, searched for once

    def lines_along(peak: int, fewest: int) -> list[Segment]:
        if peak not in segments:
            run_along = run
            if first_search:
                # the lines across a long, narrow page are no longer than it is wide: runs
                # half the part of the ink's extent that their runs must span together
                # (not where what earlier passes left is looked at again, any line there
                # taken for the page's: the strokes of digits and boxes would be)
                across_ink = ink_extent.length_through(*ink_extent.middle, *unit(peak))
                run_along = max(min(run, round(LINE_SPAN * across_ink / 2)), MIN_RUN)
            segments[peak] = segments_around(binary, peak, run_along, thickest=THICK_LINES * thin)
        return ruled_lines(segments[peak], ink_extent, binary.shape[::-1], fewest, thin)

    families, passed_over = [], []
    for peak in directions:
        lines = lines_along(peak, fewest)
        if not lines:
            passed_over.append(peak)
            continue
        families.append(lines)
        # the paper is ruled: any line across these is the page's too, also along a
        # direction passed over (where edges of digits, or short lines, outvote them)
        if fewest > 1:
            fewest = 1
            families += [found for passed in passed_over if (found := lines_along(passed, fewest))]
    if not families and len(directions) == 2 and fewest > GRID_LINES:
        return grid_squares([lines_along(peak, GRID_LINES) for peak in directions], ink_extent)
    return families


# Where fewer lines of a direction than MIN_RULED_LINES are in view, this many of each of
# two directions that cross make a grid...
GRID_LINES = 2
# ... where the space between them is about the same both ways: squares, not a box drawn
# around a number.
SQUARENESS = 1.3


def grid_squares(families: list[list[Segment]], ink_extent: Extent) -> list[list[Segment]]:
    """The lines of two directions (`families`) where they are those of a few squares of a
    grid seen close up (or of a small page far off); else none."""
    if any(len(family) < GRID_LINES for family in families) \
            or not any(crossing_inside(a, b, ink_extent) for a in families[0] for b in families[1]):
        return []
    spacings = [np.min(np.diff(np.sort(across_through(family, ink_extent.middle)))) for family in families]
    return families if max(spacings) <= SQUARENESS * min(spacings) else []


def across_through(family: list[Segment], point: tuple[float, float]) -> np.ndarray:
    """How far from `point` each line of a direction crosses the normal to its first line
    through it: the spaces between lines at the point, where perspective has turned them
    apart (their offsets from the origin would be apart as much as the origin is far)."""
    first = family[0]
    nx, ny = -first.dy, first.dx
    distances = []
    for line in family:
        # where point + t * normal meets the line: (point + t n - p0) x d = 0
        towards = (line.x0 - point[0]) * line.dy - (line.y0 - point[1]) * line.dx
        distances.append(towards / (nx * line.dy - ny * line.dx))
    return np.array(distances)


def segments_around(binary: np.ndarray, peak: int, run: int, thickest: float) -> list[Segment]:
    """The line segments at slants around `peak` degrees, that ruled lines are made of
    (ruled_lines): along the peak and SLANT_STEP either side of it, then a step further on
    each side for as long as the last step found a segment that slants on beyond it
    (lines seen in perspective converge, up to MAX_SPREAD degrees apart). Each slant's
    segments are found apart: runs along several slants would join a line to the
    straight strokes of large digits across it."""
    segments = line_segments(binary, peak, run, thickest)
    for side in (-1, 1):
        for step in range(1, MAX_SPREAD // SLANT_STEP + 1):
            slant = peak + side * step * SLANT_STEP
            found = line_segments(binary, slant, run, thickest)
            segments += found
            if not any(side * ((np.degrees(np.arctan2(s.dy, s.dx)) - slant + 90) % 180 - 90) >= 0 for s in found):
                break
    return segments


def line_segments(binary: np.ndarray, slant: float, run: int, thickest: float) -> list[Segment]:
    """Straight runs of ink at least twice `run` long and at most `thickest` thick, along
    `slant` degrees or up to a degree off it (where a run `run` long fits a line a pixel
    thick).

    A marker stroke may be straight and long, but it is thick.
    """
    runs = cv2.morphologyEx(binary, cv2.MORPH_OPEN, line_kernel(*unit(slant), run))
    found = []
    for (x, y, w, h), pixels in blobs_longer_than(runs, 2 * run):
        across = np.count_nonzero(pixels, axis=0 if w >= h else 1)
        thickness = float(np.median(across[across > 0]))  # strokes touching the line do not count
        if thickness <= thickest:
            dx, dy, x0, y0 = cv2.fitLine(cv2.findNonZero(pixels), cv2.DIST_L2, 0, 0.01, 0.01).ravel()
            x0, y0, length = x0 + x, y0 + y, abs(dx) * w + abs(dy) * h  # along its slant
            along = dx * x0 + dy * y0
            found.append(Segment(dx, dy, x0, y0, thickness, -dy * x0 + dx * y0, along - length / 2, along + length / 2))
    return found


def unit(degrees: float) -> tuple[float, float]:
    """The unit vector `degrees` from the x axis (y down)."""
    return float(np.cos(np.radians(degrees))), float(np.sin(np.radians(degrees)))


def max_pooled(binary: np.ndarray, factor: int) -> np.ndarray:
    """The ink shrunk by a whole factor, any ink in a cell inking the cell: blobs stay
    connected and only join."""
    if factor == 1:
        return binary
    h, w = binary.shape
    cells = cv2.dilate(binary, np.ones((factor, factor), np.uint8), anchor=(0, 0))  # ink anywhere in the cell
    return cv2.resize(cells, (max(1, w // factor), max(1, h // factor)), interpolation=cv2.INTER_NEAREST)


def may_hold_blobs_longer_than(binary: np.ndarray, length: int) -> bool:
    """False when no blob can be `length` long: checked on a copy a quarter the size (max_pooled)."""
    coarse = max_pooled(binary, 4)
    contours, _ = cv2.findContours(coarse, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    cells_long = length // 4 - 1
    # An outline `cells_long` cells long goes there and back, one cell a step: most are
    # too short to be measured at all.
    return any(len(contour) >= 2 * (cells_long - 1) and max(cv2.boundingRect(contour)[2:]) >= cells_long
               for contour in contours)


def blobs_longer_than(binary: np.ndarray, length: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Boxes and ink of the blobs whose box is at least `length` long.

    Outer contours and their boxes are found in a fraction of the time that a full
    connected-components labelling with statistics takes.
    """
    contours, _ = cv2.findContours(binary, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    boxes = [np.array(cv2.boundingRect(contour)) for contour in contours]
    return [(box, ink_mask(binary, contour, box))
            for contour, box in zip(contours, boxes) if max(box[2:]) >= length]


def slant_votes(ink: np.ndarray) -> np.ndarray:
    """For each direction in whole degrees (0-179, y down), how much of the ink's edges run
    along it, weighted by their strength and smoothed over a few degrees: a histogram of
    edge orientations, robust where a line fit through a grid, or a line with writing on
    it, is not."""
    smooth = cv2.GaussianBlur(ink, (7, 7), 0)  # a thin slanting line steps in pixels; blurred, it slants
    # the gradients at every other pixel of every other row: votes enough, a quarter of them to weigh
    gx = np.ascontiguousarray(cv2.Sobel(smooth, cv2.CV_32F, 1, 0)[::2, ::2])
    gy = np.ascontiguousarray(cv2.Sobel(smooth, cv2.CV_32F, 0, 1)[::2, ::2])
    strength, angle = cv2.cartToPolar(gx, gy, angleInDegrees=True)
    edges = strength > 0
    across = np.bincount(angle[edges].astype(int) % 180, weights=strength[edges], minlength=180)
    along = np.roll(across, 90)  # edges' gradients point across their lines
    return np.convolve(np.concatenate([along[-2:], along, along[:2]]), np.ones(5), mode="valid")


# Seen in perspective, the lines of one direction converge: they are looked for at slants
# this many degrees apart (a run of ink a pixel thick and a search run long fits a kernel
# up to a degree off its slant), up to MAX_SPREAD either side of their direction.
SLANT_STEP = 2
MAX_SPREAD = 15
# The second direction of a grid is at least this many degrees from the first, and its
# lines' edges have at least this fraction of the first's votes (on ruled paper, only
# the digits' strokes run across the lines: under a tenth).
GRID_ANGLE = 45
GRID_VOTES = 0.2


def line_directions(votes: np.ndarray) -> list[int]:
    """The direction most edges run along, then the strongest at least GRID_ANGLE from it
    where it has GRID_VOTES of the first's votes."""
    first = int(np.argmax(votes))
    apart = np.abs((np.arange(180) - first + 90) % 180 - 90) >= GRID_ANGLE
    second = int(np.flatnonzero(apart)[np.argmax(votes[apart])])
    return [first, second] if votes[second] >= GRID_VOTES * votes[first] else [first]


class Segment(NamedTuple):
    """A thin straight run of ink: its direction, a point on it, and where it lies along it."""

    dx: float
    dy: float
    x0: float
    y0: float
    thickness: float
    offset: float    # signed distance of its line from the origin
    start: float     # extent along the direction
    end: float
    support: int = 0    # the ink pixels it was last fitted to
    ink_width: int = 0  # across it, where measured as it was followed into a new frame

    @property
    def erased_thickness(self) -> int:
        """Its thickness as found, or the ink's width across it where that is more than a
        pixel wider: blur and perspective thicken a line as the camera moves, and its
        edges left unerased read as 1s."""
        return self.ink_width if self.ink_width > self.thickness + 1 else int(self.thickness)

    def enlarged(self, factor: int) -> Segment:
        """The segment found on a copy shrunk by `factor` (max_pooled), at full size: a line
        t pixels thick covers about (t + factor - 1) / factor cells of the copy."""
        if factor == 1:
            return self
        x0, y0 = self.x0 * factor + (factor - 1) / 2, self.y0 * factor + (factor - 1) / 2  # cell centres
        along, half_length = self.dx * x0 + self.dy * y0, (self.end - self.start) * factor / 2
        return self._replace(x0=x0, y0=y0, thickness=max(1, round(self.thickness * factor - (factor - 1))),
                             offset=-self.dy * x0 + self.dx * y0, start=along - half_length, end=along + half_length)


# Ruled paper shows several parallel lines; one or two long lines are more likely the
# sides of a box drawn around an answer, which must stay whole, unless they run across
# the whole frame, from edge to edge (WHOLE_SPAN of their way across it): ruled lines or
# a grid's seen close up, where one or two are all in view. A box's sides end in view.
MIN_RULED_LINES = 3
WHOLE_SPAN = 0.9
# Where there are that many, a line's runs span this much of its way across the ink.
LINE_SPAN = 0.4
# Lines up to this many times the thickness a line is allowed run from edge to edge: the
# lines of large squares seen close up are drawn thick against the frame, and thicker
# still where perspective brings them nearer.
THICK_LINES = 2


def ruled_lines(found: list[Segment], ink_extent: Extent, frame_size: tuple[int, int], fewest: int,
                thin: float) -> list[Segment]:
    """Lines made of collinear segments up to `thin` thick that together span LINE_SPAN of
    the ink's extent (how long their line runs inside it) and cross no longer one inside
    it, where there are `fewest` of them; else those spanning WHOLE_SPAN of their line
    across the frame. Thicker lines count only where they span the frame so, away from
    the thin lines: a marker's straight stroke is as thick, and so is a printed word's
    edge along a thin line, but neither runs from edge to edge.

    A digit's thin straight stroke is long, but alone on its line. The flat side of a
    broad 0 holds straight runs along several slants, but they cross: the lines of a
    page, seen in perspective, meet far beyond it.
    """
    frame = Extent.of_box(0, 0, *frame_size)

    def across_frame(spanned: list[tuple[float, Segment]]) -> list[Segment]:
        return [line for span, line in spanned if span >= WHOLE_SPAN * frame.length_inside(line)]

    spanned = spanning_lines([segment for segment in found if segment.thickness <= thin], ink_extent)
    lines = [line for _, line in spanned] if len(spanned) >= fewest else across_frame(spanned)
    thick = across_frame(spanning_lines([segment for segment in found if segment.thickness > thin], ink_extent))
    return lines + [line for line in thick if all(abs(line.offset - other.offset) > line.thickness for other in lines)]


def spanning_lines(found: list[Segment], ink_extent: Extent) -> list[tuple[float, Segment]]:
    """The lines that collinear segments make, each with the span of its segments, where
    that is LINE_SPAN of the ink's extent along it, longest first, less those that cross
    a longer one inside the extent."""
    lines, used = [], set()
    for i, segment in enumerate(found):
        if i in used:
            continue
        group = [other for j, other in enumerate(found)
                 if j not in used and abs(other.offset - segment.offset) <= 2 * segment.thickness + 2
                 and abs(other.dx * segment.dx + other.dy * segment.dy) > 0.999]
        used.update(j for j, other in enumerate(found) if other in group)
        span = max(s.end for s in group) - min(s.start for s in group)
        if span >= LINE_SPAN * ink_extent.length_inside(segment):
            longest = max(group, key=lambda s: s.end - s.start)  # its slant strays least across the frame
            lines.append((span, longest._replace(thickness=round(max(s.thickness for s in group)))))
    return apart(sorted(lines, key=lambda spanned: -spanned[0]), ink_extent)


def apart(lines: list[tuple[float, Segment]], extent: Extent) -> list[tuple[float, Segment]]:
    """The (span, line) pairs, longest first, less each that crosses a longer one inside the extent."""
    kept: list[tuple[float, Segment]] = []
    for span, line in lines:
        if not any(crossing_inside(line, other, extent) for _, other in kept):
            kept.append((span, line))
    return kept


def crossing_inside(a: Segment, b: Segment, extent: Extent) -> bool:
    """Whether the lines through two segments meet inside the extent."""
    determinant = a.dx * b.dy - a.dy * b.dx
    if abs(determinant) < 1e-9:
        return False
    t = ((b.x0 - a.x0) * b.dy - (b.y0 - a.y0) * b.dx) / determinant
    return extent.holds(a.x0 + t * a.dx, a.y0 + t * a.dy)


class Extent(NamedTuple):
    """Where the ink lies: the overlap of the upright box round it and the smallest
    rectangle at any slant round it. That of a long, narrow page seen turned is as narrow
    as the page, where the upright box may be as tall as it is wide; the turned rectangle
    may reach beyond the frame, where the box does not. Each is two slabs: the points
    whose distance along a unit vector from a middle is at most half the slab's width."""

    slabs: tuple[tuple[float, float, float, float], ...]  # unit vector x, y; middle; half width
    middle: tuple[float, float]  # the turned rectangle's centre

    @classmethod
    def around(cls, binary: np.ndarray) -> Extent:
        """The ink's extent, from the outlines of a copy shrunk by EXTENT_CELL (a fraction
        of the ink's every pixel)."""
        cells, _ = cv2.findContours(max_pooled(binary, EXTENT_CELL), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        (cx, cy), (width, height), degrees = cv2.minAreaRect(np.concatenate(cells))
        half_cell = (EXTENT_CELL - 1) / 2  # a cell's centre at full size
        cx, cy = cx * EXTENT_CELL + half_cell, cy * EXTENT_CELL + half_cell
        (ux, uy), (vx, vy) = unit(degrees), unit(degrees + 90)
        turned = ((ux, uy, ux * cx + uy * cy, (width + 1) * EXTENT_CELL / 2),
                  (vx, vy, vx * cx + vy * cy, (height + 1) * EXTENT_CELL / 2))
        return cls(turned + cls.of_box(*cv2.boundingRect(binary)).slabs, (cx, cy))

    @classmethod
    def of_box(cls, x: float, y: float, w: float, h: float) -> Extent:
        return cls(((1.0, 0.0, x + w / 2, w / 2), (0.0, 1.0, y + h / 2, h / 2)), (x + w / 2, y + h / 2))

    def holds(self, x: float, y: float) -> bool:
        return all(abs(nx * x + ny * y - middle) <= half for nx, ny, middle, half in self.slabs)

    def length_inside(self, line: Segment) -> float:
        """How long the line through the segment runs inside the extent."""
        return self.length_through(line.x0, line.y0, line.dx, line.dy)

    def length_through(self, x: float, y: float, dx: float, dy: float) -> float:
        """How long the line through (x, y) along the unit vector (dx, dy) runs inside the extent."""
        first, last = -np.inf, np.inf
        for nx, ny, middle, half in self.slabs:
            start, step = nx * x + ny * y - middle, nx * dx + ny * dy
            if abs(step) < 1e-9:
                if abs(start) > half:
                    return 0.0
                continue
            low, high = sorted(((-half - start) / step, (half - start) / step))
            first, last = max(first, low), min(last, high)
        return max(0.0, last - first)


# The ink's extent is found on a copy shrunk by this factor.
EXTENT_CELL = 4


def line_kernel(vx: float, vy: float, length: int) -> np.ndarray:
    """A one-pixel line of `length` along direction (vx, vy), as a morphology kernel."""
    half = length // 2
    kernel = np.zeros((2 * half + 1, 2 * half + 1), np.uint8)
    cv2.line(kernel, (round(half - vx * half), round(half - vy * half)),
             (round(half + vx * half), round(half + vy * half)), 1, 1)
    return kernel


BAND_EDGE = np.ones((5, 5), np.uint8)  # ink up to 2 pixels off a line's band touches it


def strokes_across(ink: np.ndarray, band: np.ndarray, nx: float, ny: float, reach: int,
                   stroke_dark: np.ndarray | None = None) -> np.ndarray:
    """The band's pixels with ink touching the band on both sides of them along the normal
    (nx, ny): strokes that crossed. Ink further off is no stroke across: inside a small
    loop the line runs through (of a 6, 8 or 0), the line would close the loop in two.

    Where the band misses the line's edge by a pixel (a slanting line's steps, a stroke's
    halo thickening the line beside it), slivers of the line lie beside the band, and a
    stroke crossing it was mended along them into a + (a 1 then read as 4). So ink touches
    the band where it is more than a pixel deep along the normal, or, where `stroke_dark`
    is given, as dark as a stroke (the edge of a 7's bar left beside the line), or where it
    lies on the frame's edge: a digit the frame cuts a pixel beyond a line along the edge
    must stay joined to the edge, or what is left of it below the line reads as a digit."""
    size = 2 * reach + 1
    ahead = np.zeros((size, size), np.uint8)
    cv2.line(ahead, (reach, reach), (round(reach + nx * reach), round(reach + ny * reach)), 1, 3)
    behind = ahead[::-1, ::-1].copy()
    deep = cv2.morphologyEx(ink, cv2.MORPH_OPEN, line_kernel(nx, ny, 3))
    deep[[0, -1], :] |= ink[[0, -1], :]  # the frame's outermost rows and columns
    deep[:, [0, -1]] |= ink[:, [0, -1]]
    if stroke_dark is not None:
        deep |= ink & stroke_dark
    touching = deep & cv2.dilate(band, BAND_EDGE)
    return band & cv2.dilate(touching, ahead) & cv2.dilate(touching, behind)
