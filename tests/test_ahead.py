"""Frames are decoded and their regions found ahead, in a process of their own or on
background threads, and arrive in order."""
import os
import signal
import threading

import cv2
import numpy as np
import pytest

from livedigit import InputError
from livedigit.ahead import Ahead, FindingProcess, find_ahead, find_in_each
from livedigit.sources import Frame, ImageSource, VideoFileSource


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


def test_a_video_file_is_read_in_a_process_of_its_own_with_the_same_regions(clip, recognizer):
    path, truth = clip
    source = VideoFileSource(str(path))
    with find_ahead(source, recognizer.params, with_images=False) as found:
        assert isinstance(found, FindingProcess)
        found = list(found)
    assert [frame.index for frame, _, _ in found] == list(range(len(truth["frames"])))
    for (frame, regions, seconds), image in zip(found, VideoFileSource(str(path))):
        expected = recognizer.find(image.image)
        assert frame.image is None and frame.source == str(path) and seconds > 0
        assert np.array_equal(regions.boxes, expected.boxes) and regions.cuts == expected.cuts
        assert all(np.array_equal(a, b) for a, b in zip(regions.masks, expected.masks))
        assert regions.binary is None and regions.frame_height == image.image.shape[0]


def test_frames_come_with_their_images_when_they_are_drawn(clip, recognizer):
    path, _ = clip
    with find_ahead(VideoFileSource(str(path)), recognizer.params, with_images=True) as found:
        frames = [frame for frame, _, _ in found]
    assert all(np.array_equal(a.image, b.image) for a, b in zip(frames, VideoFileSource(str(path))))


def test_stopping_early_ends_the_finding_process(clip, recognizer):
    path, _ = clip
    with find_ahead(VideoFileSource(str(path)), recognizer.params, with_images=False) as found:
        for frame, _, _ in found:
            if frame.index == 2:
                break
    assert not found.process.is_alive()


class FailingVideo(VideoFileSource):
    """A video whose third frame cannot be decoded."""

    def __iter__(self):
        for frame in super().__iter__():
            if frame.index == 2:
                raise InputError(f"source {self.name}: frame 2 is corrupt")
            yield frame


def test_an_error_in_the_finding_process_reaches_the_consumer(clip, recognizer):
    path, _ = clip
    with find_ahead(FailingVideo(str(path)), recognizer.params, with_images=False) as found:
        iterator = iter(found)
        assert [next(iterator)[0].index for _ in range(2)] == [0, 1]
        with pytest.raises(InputError, match="frame 2 is corrupt"):
            next(iterator)


def test_a_finding_process_that_dies_is_reported_naming_the_source(clip, recognizer):
    path, _ = clip
    with find_ahead(VideoFileSource(str(path)), recognizer.params, with_images=False) as found:
        iterator = iter(found)
        next(iterator)
        os.kill(found.process.pid, signal.SIGKILL)
        with pytest.raises(InputError, match=f"source {path}: .* exit code -9"):
            list(iterator)


def test_images_are_read_on_a_thread(tmp_path, recognizer):
    image = tmp_path / "page.png"
    cv2.imwrite(str(image), blank_frame(0).image)
    with find_ahead(ImageSource(str(image), [image]), recognizer.params, with_images=True) as found:
        assert isinstance(found, Ahead)
        assert [frame.source for frame, _, _ in found] == [str(image)]
