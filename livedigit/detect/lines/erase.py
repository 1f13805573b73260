"""Ruled lines taken off the ink, the strokes across them mended, the strokes along them kept."""
from __future__ import annotations

import cv2
import numpy as np

from ..page import grey_percentile
from ..regions import blobs_reaching
from .geometry import Segment, draw_across, line_kernel, parallel
from .strips import standing_out


def erased(binary: np.ndarray, families: list[list[Segment]], strokes: StrokesOnLines) -> np.ndarray:
    """The ink without the lines, from edge to edge (so also where they pass between and
    through digits), and with the strokes cut by them joined again; where the ink's
    darkness tells `strokes` from lines, the strokes lying along them kept: those much darker
    than the lines on the whole (StrokesOnLines), and those darker than their own line's ink
    around them (standing_out)."""
    bands = []
    for family in families:  # one direction at a time: the lines across it are mended like any stroke
        band, thickness = band_along(family, binary.shape)
        kept = binary & ~band
        stroke_dark = strokes.darker_than_lines(family, binary & band)
        if stroke_dark is not None:  # the strokes lying along the lines
            across = [line for other in families if other is not family for line in other]
            kept |= (stroke_dark | standing_out(strokes.darkness, binary, family, across)) & binary & band
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


def band_along(lines: list[Segment], shape: tuple[int, int]) -> tuple[np.ndarray, int]:
    """The lines drawn from edge to edge of a frame of `shape`, each a little thicker than
    it is, and the thickest line's thickness."""
    band = np.zeros(shape, np.uint8)
    for line in lines:
        draw_across(band, line, 255, line.erased_thickness + 2)
    return band, max(line.erased_thickness for line in lines)


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
