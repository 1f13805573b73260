"""Normalization makes crops the way MNIST was made."""
import cv2
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from livedigit.normalize import CROP_SIZE, normalize_grey, normalize_mask, stroke_width


def ink(shape, *lines, thickness=3):
    mask = np.zeros(shape, np.uint8)
    for start, end in lines:
        cv2.line(mask, start, end, 255, thickness)
    return mask


def test_crop_is_28x28_float_in_0_to_1_with_white_ink_on_black():
    crop = normalize_mask(ink((60, 40), ((20, 5), (20, 55))))
    assert crop.shape == (CROP_SIZE, CROP_SIZE) and crop.dtype == np.float32
    assert crop.min() == 0.0 and 0.9 <= crop.max() <= 1.0
    assert crop[0].max() == 0 and crop[:, 0].max() == 0  # black border


def test_longer_side_fits_20_pixels_and_aspect_is_kept():
    crop = normalize_mask(ink((100, 100), ((10, 30), (90, 30)), ((10, 70), (90, 70)), ((10, 30), (10, 70))))
    ys, xs = np.nonzero(crop > 0.05)
    width, height = np.ptp(xs) + 1, np.ptp(ys) + 1
    assert 19 <= width <= 21
    assert abs(height / width - 0.5) < 0.15


def test_centre_of_mass_sits_at_the_centre():
    crop = normalize_mask(ink((80, 80), ((5, 5), (75, 5)), ((75, 5), (20, 75))))  # a 7
    ys, xs = np.indices(crop.shape)
    total = crop.sum()
    assert abs((ys * crop).sum() / total - 13.5) <= 1.0
    assert abs((xs * crop).sum() / total - 13.5) <= 1.0


def test_thin_strokes_on_big_digits_are_thickened_to_mnist_width():
    thin = ink((200, 120), ((60, 10), (60, 190)), thickness=2)
    assert stroke_width(thin) < 4
    crop = normalize_mask(thin)
    assert crop.sum(axis=1).max() >= 1.6  # about two pixels of ink across, as in MNIST


def on_paper(mask, darkness, paper=220):
    """A grey frame of paper with ink `darkness` grey levels darker where the mask is, the mask's box at (10, 10)."""
    gray = np.full((mask.shape[0] + 20, mask.shape[1] + 20), paper, np.uint8)
    gray[10:-10, 10:-10] -= (mask > 0).astype(np.uint8) * darkness
    return gray, [(10, 10, mask.shape[1], mask.shape[0])]


def test_dark_sharp_ink_gives_the_crop_of_its_mask():
    seven = ink((80, 80), ((5, 5), (75, 5)), ((75, 5), (20, 75)))
    gray, boxes = on_paper(seven, 150)
    assert np.abs(normalize_grey(gray, boxes, [seven])[0] - normalize_mask(seven)).max() < 0.02


def test_a_loop_the_blur_filled_in_the_mask_stays_lighter_than_its_strokes_in_the_grey_crop():
    ring = ink((60, 60), thickness=0)
    cv2.circle(ring, (30, 30), 22, 255, 4)
    gray, boxes = on_paper(ring, 120)
    gray = cv2.GaussianBlur(gray, (0, 0), 3)
    filled = np.zeros_like(ring)
    cv2.circle(filled, (30, 30), 24, 255, cv2.FILLED)  # the mask the threshold made of the blurred 0
    crop = normalize_grey(gray, boxes, [filled])[0]
    assert crop[14, 14] < 0.5 * crop[14, 5:10].max()  # the middle of the loop, its left stroke


def test_empty_mask_gives_an_empty_crop():
    assert not normalize_mask(np.zeros((10, 10), np.uint8)).any()


@settings(max_examples=60, deadline=None)
@given(arrays(np.uint8, st.tuples(st.integers(1, 120), st.integers(1, 120)),
              elements=st.sampled_from([0, 255])))
def test_any_mask_gives_a_well_formed_crop(mask):
    crop = normalize_mask(mask)
    assert crop.shape == (CROP_SIZE, CROP_SIZE) and crop.dtype == np.float32
    assert np.isfinite(crop).all() and crop.min() >= 0 and crop.max() <= 1
