"""Find candidate digit regions in a frame, one step a module:

- `page`: the paper in view, where digits are read, followed from frame to frame;
- `threshold`: 8-bit grey, the paper's brightness under each pixel, ink darker than it;
- `lines`: ruled and grid lines erased, the strokes across them mended, followed from frame to frame
  (a package of those steps: `search`, `fit`, `bend`, `follow`, `erase`, `strips`);
- `frames`: boxes drawn around numbers taken off, so that the digits touching them come apart;
- `contours`: outlines of ink blobs, filtered by size, surroundings and ink;
- `grain`: how much the surface around a blob varies against its ink (wood grain, plaster, cloth);
- `split`: blobs wider than a digit cut apart;
- `regions`: what the steps hand on.
"""
from __future__ import annotations

import numpy as np

from ..params import DetectionParams
from .contours import regions_in
from .lines import LineTracker
from .page import Page, PageTracker, find_page
from .regions import Regions
from .threshold import binarize, to_gray

__all__ = ["Page", "PageTracker", "Regions", "SceneTracker", "binarize", "find_ink", "find_page", "find_regions",
           "page_in", "regions_in", "to_gray"]


class SceneTracker:
    """The page in view and its ruled lines, followed through a video's frames, and
    forgotten where the frames change size (a stream that changed its resolution)."""

    def __init__(self) -> None:
        self.frame_shape: tuple[int, ...] = ()
        self.pages = PageTracker()
        self.lines = LineTracker()

    def follow_size(self, frame_shape: tuple[int, ...]) -> None:
        """Start afresh where this frame is not the size of the last."""
        if frame_shape != self.frame_shape:
            self.frame_shape, self.pages, self.lines = frame_shape, PageTracker(), LineTracker()


def page_in(gray: np.ndarray, params: DetectionParams) -> Page | None:
    """The paper in a grey frame, where the profile looks for it and one is found."""
    return find_page(gray) if params.page else None


def find_ink(gray: np.ndarray, params: DetectionParams, scene: SceneTracker | None = None,
             page: Page | None = None) -> tuple[np.ndarray, Page | None]:
    """The ink of a grey frame (255), ruled lines erased, and the paper it lies on: `page`
    (page_in) followed through a video's frames by `scene`, with their lines."""
    if scene is not None:
        scene.follow_size(gray.shape)
        page = scene.pages.follow(page, gray)
    lines = scene.lines if scene is not None else None
    return binarize(gray, params, page=page, lines=lines), page


def find_regions(frame: np.ndarray, params: DetectionParams, scene: SceneTracker | None = None) -> Regions:
    """Candidate digits of a frame of any shape or depth, read on the paper in view where
    the profile looks for it; `scene` follows the paper and its lines through a video's frames."""
    gray = to_gray(frame)
    binary, page = find_ink(gray, params, scene, page_in(gray, params))
    return regions_in(binary, params, page, gray)
