"""Find candidate digit regions in a frame, one step a module:

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
from .regions import Regions
from .threshold import binarize, to_gray

__all__ = ["Regions", "binarize", "find_regions", "regions_in", "to_gray"]


def find_regions(frame: np.ndarray, params: DetectionParams) -> Regions:
    """Candidate digits of a frame of any shape or depth."""
    return regions_in(binarize(to_gray(frame), params), params)
