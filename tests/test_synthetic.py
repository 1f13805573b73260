"""Generated clips: frames of the preset's size with exact, stable ground truth."""
import numpy as np
import pytest

from livedigit.synthetic import PRESETS, make_clip, preset


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_films_its_page_with_ground_truth_inside_the_frame(mnist, name):
    style = preset(name)
    frames = list(make_clip(mnist["x_test"][:400], mnist["y_test"][:400], style, frames=3, seed=1))
    width, height = style.frame_size
    for image, items in frames:
        assert image.shape == (height, width, 3) and image.dtype == np.uint8
        assert sum(item.label >= 0 for item in items) >= 15
        for item in items:
            x, y, w, h = item.box
            assert 0 < x and 0 < y and x + w < width and y + h < height
            assert -1 <= item.label <= 9
    first, second = ({item.id: item.label for item in items} for _, items in frames[:2])
    assert all(first[key] == second[key] for key in first.keys() & second.keys())
