"""Crops for training: hard negatives that are never a piece of a digit, labelled crops of scenes."""
import sys

import numpy as np

from livedigit.synthetic import make_clip, preset

from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import scene_crops  # noqa: E402  (a script's module: scripts/ is not a package)


def test_a_page_of_digits_alone_gives_no_negatives(mnist):
    frame, items, _ = next(make_clip(mnist["x_test"], mnist["y_test"], preset("clean"), frames=1, seed=3))
    digit_boxes = np.array([item.box for item in items if item.label >= 0], np.float64)
    assert len(scene_crops.not_digit_crops(frame, digit_boxes)) == 0


def test_a_real_photo_of_grass_gives_negatives_cut_like_digits():
    rng = np.random.default_rng(0)
    crops = scene_crops.not_digit_crops(scene_crops.photo_frame(scene_crops.load_photo("grass"), rng), np.zeros((0, 4)))
    assert len(crops) > 0 and crops.shape[1:] == (28, 28)
    assert crops.min() >= 0 and crops.max() <= 1


def test_mining_finds_as_many_as_asked_and_the_same_seed_finds_the_same(mnist):
    first = scene_crops.mine_hard_negatives(40, 5, mnist["x_train"], mnist["y_train"])
    second = scene_crops.mine_hard_negatives(40, 5, mnist["x_train"], mnist["y_train"])
    assert first.shape == (40, 28, 28)
    assert np.array_equal(first, second)


def test_mining_keeps_regions_read_as_digits_but_never_a_stroke_read_as_one():
    from livedigit.classify import NOT_A_DIGIT

    readings = np.zeros((3, NOT_A_DIGIT + 1), np.float32)
    readings[[0, 1, 2], [7, 1, NOT_A_DIGIT]] = 1.0  # a 7, a 1, no digit
    kept = scene_crops.keep_hard(np.repeat(readings, 200, axis=0), np.random.default_rng(0)).reshape(3, 200)
    assert kept[0].all() and not kept[1].any()
    assert 0 < kept[2].mean() < 0.2  # a share of the easy ones


def test_labelled_crops_of_scenes_are_the_digits_they_show_or_not_a_digit(mnist):
    from livedigit.classify import NOT_A_DIGIT, DigitClassifier

    crops, labels = scene_crops.labelled_scene_crops(200, 0, mnist["x_test"], mnist["y_test"])
    assert len(crops) == len(labels) >= 200 and set(labels.tolist()) <= set(range(NOT_A_DIGIT + 1))
    read = DigitClassifier()(crops).argmax(axis=1)
    # where the shipped model reads a digit, it agrees with most labels (it rejects about a
    # fifth of these scenes' digits as no digit at all: faint, blurred and tiny ones)
    read_as_digits = (labels < NOT_A_DIGIT) & (read < NOT_A_DIGIT)
    assert (read[read_as_digits] == labels[read_as_digits]).mean() > 0.8
