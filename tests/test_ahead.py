"""Regions are found a frame ahead on a second thread; the consumer sees frames in order."""
import threading

import numpy as np
import pytest

from livedigit import InputError
from livedigit.ahead import FindAhead
from livedigit.sources import Frame, VideoFileSource


def test_every_frame_arrives_in_order_with_its_regions(clip, recognizer):
    path, truth = clip
    source = VideoFileSource(str(path))
    with FindAhead(source, recognizer.find) as frames:
        found = list(frames)
    assert [frame.index for frame, _, _ in found] == list(range(len(truth["frames"])))
    for frame, regions, seconds in found:
        assert np.array_equal(regions.boxes, recognizer.find(frame.image).boxes) and seconds > 0


def test_an_error_while_reading_the_source_reaches_the_consumer(recognizer):
    def failing_source():
        yield Frame(0, np.full((120, 160, 3), 230, np.uint8), "fake")
        raise InputError("source fake: decoding failed")

    with FindAhead(failing_source(), recognizer.find) as frames:
        iterator = iter(frames)
        assert next(iterator)[0].index == 0
        with pytest.raises(InputError, match="decoding failed"):
            next(iterator)


def test_stopping_early_ends_the_background_thread(recognizer):
    def endless_source():
        index = 0
        while True:
            yield Frame(index, np.full((120, 160, 3), 230, np.uint8), "fake")
            index += 1

    with FindAhead(endless_source(), recognizer.find) as frames:
        for frame, _, _ in frames:
            if frame.index == 3:
                break
    assert not frames.thread.is_alive()
    assert "livedigit-find" not in [thread.name for thread in threading.enumerate()]
