"""Frames are decoded and their regions found ahead, on background threads, and arrive in order."""
import threading

import numpy as np
import pytest

from livedigit import InputError
from livedigit.ahead import Ahead, find_in_each
from livedigit.sources import Frame, VideoFileSource


def blank_frame(index):
    return Frame(index, np.full((120, 160, 3), 230, np.uint8), "fake")


def test_every_frame_arrives_in_order_with_its_regions(clip, recognizer):
    path, truth = clip
    with (Ahead(VideoFileSource(str(path))) as frames,
          Ahead(find_in_each(frames, recognizer.find)) as found):
        found = list(found)
    assert [frame.index for frame, _, _ in found] == list(range(len(truth["frames"])))
    for frame, regions, seconds in found:
        assert np.array_equal(regions.boxes, recognizer.find(frame.image).boxes) and seconds > 0


def test_an_error_while_reading_the_source_reaches_the_consumer():
    def failing_source():
        yield blank_frame(0)
        raise InputError("source fake: decoding failed")

    with Ahead(failing_source()) as frames:
        iterator = iter(frames)
        assert next(iterator).index == 0
        with pytest.raises(InputError, match="decoding failed"):
            next(iterator)


def test_stopping_early_ends_the_background_threads(recognizer):
    def endless_source():
        index = 0
        while True:
            yield blank_frame(index)
            index += 1

    with (Ahead(endless_source(), name="test-decode") as frames,
          Ahead(find_in_each(frames, recognizer.find), name="test-find") as found):
        for frame, _, _ in found:
            if frame.index == 3:
                break
    names = [thread.name for thread in threading.enumerate()]
    assert "test-decode" not in names and "test-find" not in names
