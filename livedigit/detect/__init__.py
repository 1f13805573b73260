"""Find candidate digit regions in a frame, one step a module:

- `page`: the paper in view, where digits are read, followed from frame to frame;
- `threshold`: 8-bit grey, the paper's brightness under each pixel, ink darker than it;
- `lines`: ruled and grid lines erased, the strokes across them mended;
- `contours`: outlines of ink blobs, filtered by size, surroundings and ink;
- `split`: blobs wider than a digit cut apart;
- `regions`: what the steps hand on.
"""
from __future__ import annotations

import numpy as np

from ..params import DetectionParams
from .contours import regions_in
from .page import Page, PageTracker, find_page
from .regions import Regions
from .threshold import binarize, to_gray

__all__ = ["Page", "PageTracker", "Regions", "binarize", "find_page", "find_regions", "regions_in", "to_gray"]


def find_regions(frame: np.ndarray, params: DetectionParams, pages: PageTracker | None = None) -> Regions:
    """Candidate digits of a frame of any shape or depth, read on the paper in view where
    the profile looks for it; `pages` follows the paper through a video's frames."""
    gray = to_gray(frame)
    page = find_page(gray) if params.page else None
    if pages is not None:
        page = pages.follow(page)
    return regions_in(binarize(gray, params, page=page), params, page)
