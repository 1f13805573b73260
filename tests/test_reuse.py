"""Regions that look as they did in the last frame keep their reading; the model reads the rest."""
import numpy as np
import pytest

from livedigit.reuse import MAX_CROP_CHANGE, ReadingMemory


class CountingClassifier:
    """The real classifier, counting the crops it is given."""

    def __init__(self, classifier):
        self.classifier, self.crops = classifier, 0
        self.num_classes = classifier.num_classes

    def __call__(self, crops):
        self.crops += len(crops)
        return self.classifier(crops)


@pytest.fixture
def digits(mnist):
    """Ten MNIST test digits as crops, and boxes for them in a row."""
    crops = mnist["x_test"][:10].astype(np.float32) / 255
    boxes = np.array([[40 * i + 10, 50, 20, 28] for i in range(10)], np.int32)
    return boxes, crops


@pytest.fixture
def counting(recognizer):
    return CountingClassifier(recognizer.classifier)


def with_noise(crops, change, seed=0):
    """The crops with a mean absolute change of about `change`, as a camera's noise would make."""
    noise = np.random.default_rng(seed).uniform(0, 2 * change, crops.shape).astype(np.float32)
    return np.clip(crops + noise * np.where(crops > 0.5, -1, 1), 0, 1)


def test_the_same_regions_are_read_once(digits, counting):
    boxes, crops = digits
    memory = ReadingMemory()
    first = memory.classify(boxes, crops, counting)
    again = memory.classify(boxes, crops, counting)
    assert counting.crops == 10 and np.array_equal(first, again)


def test_a_page_that_moved_a_little_keeps_its_confident_readings(digits, counting):
    boxes, crops = digits
    memory = ReadingMemory()
    first = memory.classify(boxes, crops, counting)
    confident = first.max(axis=1) >= 0.98
    moved = memory.classify(boxes + [3, 2, 0, 0], with_noise(crops, MAX_CROP_CHANGE / 3), counting)
    assert counting.crops == 10 + np.count_nonzero(~confident)
    assert np.array_equal(moved.argmax(axis=1), first.argmax(axis=1))


def test_a_different_digit_in_the_same_place_is_read_afresh(digits, counting):
    boxes, crops = digits
    memory = ReadingMemory()
    first = memory.classify(boxes, crops, counting)
    swapped = memory.classify(boxes, crops[::-1], counting)
    assert counting.crops == 20
    assert np.array_equal(swapped.argmax(axis=1), first.argmax(axis=1)[::-1])


def test_a_region_that_moved_away_is_read_afresh(digits, counting):
    boxes, crops = digits
    memory = ReadingMemory()
    memory.classify(boxes, crops, counting)
    memory.classify(boxes + [0, 30, 0, 0], crops, counting)
    assert counting.crops == 20


def test_small_changes_add_up_until_the_region_is_read_again(digits, counting):
    boxes, crops = digits
    memory = ReadingMemory()
    memory.classify(boxes[:1], crops[:1], counting)
    step = MAX_CROP_CHANGE / 4
    for frame in range(1, 8):
        memory.classify(boxes[:1], with_noise(crops[:1], step * frame, seed=frame), counting)
    assert counting.crops >= 2
