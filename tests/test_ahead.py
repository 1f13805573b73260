"""Regions are found ahead in a process of their own, and arrive in order, the
same as found in the main process."""
import os
import signal
import threading
from dataclasses import replace

import cv2
import numpy as np
import pytest

from livedigit import InputError
from livedigit.ahead import FindingProcess
from livedigit.app import run
from livedigit.detect import SceneTracker, find_regions
from livedigit.reuse import signatures
from livedigit.sources import Frame, ImageSource, VideoFileSource


def test_every_frame_arrives_in_order_with_the_regions_found_in_the_main_process(clip, recognizer):
    path, truth = clip
    with FindingProcess(recognizer.params) as finder:
        found = list(finder.find_in_each(VideoFileSource(str(path))))
    assert [frame.index for frame, _, _ in found] == list(range(len(truth["frames"])))
    for frame, regions, seconds in found:
        expected = recognizer.find(frame.image)
        assert np.array_equal(regions.boxes, expected.boxes) and regions.cuts == expected.cuts and seconds > 0
        assert all(np.array_equal(a, b) for a, b in zip(regions.masks, expected.masks))
        assert regions.binary is None and regions.frame_height == frame.image.shape[0]


def test_where_frames_wait_for_the_process_the_main_process_takes_over_the_first_and_last_steps(clip, recognizer):
    """Behind, the process hands back each frame's ink and page: the main process, which
    would only wait, cuts the regions out of it, and finds the page of the frames it hands
    over. They are the same regions, on the same page."""
    path, _ = clip
    with FindingProcess(recognizer.params, sequential=True) as finder:
        os.kill(finder.process.pid, signal.SIGSTOP)  # until every frame in flight waits for it
        threading.Timer(0.5, os.kill, (finder.process.pid, signal.SIGCONT)).start()
        found = list(finder.find_in_each(VideoFileSource(str(path))))
    assert finder.taken_over["regions"] > 0 and finder.taken_over["page"] > 0
    scene = SceneTracker()
    for frame, regions, _ in found:
        expected = find_regions(frame.image, recognizer.params, scene)
        assert np.array_equal(regions.boxes, expected.boxes) and np.array_equal(regions.page, expected.page)
        assert all(np.array_equal(a, b) for a, b in zip(regions.masks, expected.masks))
        assert regions.binary is None and regions.gray is not None


def test_a_run_adds_up_each_process_s_own_time_on_the_frames(clip, recognizer):
    """Finding and reading run side by side: the run goes at the pace of the larger."""
    path, truth = clip
    summary = run(VideoFileSource(str(path)), recognizer)
    assert summary.frames == len(truth["frames"])
    assert summary.finding_seconds > 0 and 0 < summary.reading_seconds < summary.seconds


def test_with_no_next_frame_waiting_the_process_computes_the_ink_signatures_too(clip, recognizer):
    """A live source hands over one frame at a time: the process never has a frame waiting."""
    path, _ = clip
    with FindingProcess(recognizer.params) as finder:
        found = list(finder.find_in_each(VideoFileSource(str(path)), live=True))
    for _, regions, _ in found:
        assert np.array_equal(regions.signatures, signatures(regions.masks))


@pytest.mark.parametrize("live, ahead", [(False, 2), (True, 0)])
def test_a_file_is_found_two_frames_ahead_and_a_live_source_frame_by_frame(clip, recognizer, live, ahead):
    """A camera's next frame would take a camera frame's time to come: waiting for it
    before reading this one would only delay what the user sees."""
    path, truth = clip
    last = len(truth["frames"]) - 1
    taken = []

    def source():
        for frame in VideoFileSource(str(path)):
            taken.append(frame.index)
            yield frame

    with FindingProcess(recognizer.params) as finder:
        for frame, _, _ in finder.find_in_each(source(), live=live):
            assert taken[-1] == min(frame.index + ahead, last)


def test_frames_of_any_size_and_depth_can_follow_each_other(tmp_path, clip, recognizer):
    path, _ = clip
    page = next(iter(VideoFileSource(str(path)))).image
    frames = [page, cv2.resize(page, None, fx=2, fy=2), page[:100, :120], cv2.cvtColor(page, cv2.COLOR_BGR2GRAY),
              (page.astype(np.uint16) * 257)]
    with FindingProcess(recognizer.params) as finder:
        found = list(finder.find_in_each(Frame(index, image, "test") for index, image in enumerate(frames)))
    for (frame, regions, _), image in zip(found, frames):
        assert frame.image is image and np.array_equal(regions.boxes, recognizer.find(image).boxes)


def test_stopping_early_ends_the_finding_process(clip, recognizer):
    path, _ = clip
    with FindingProcess(recognizer.params) as finder:
        for frame, _, _ in finder.find_in_each(VideoFileSource(str(path))):
            if frame.index == 2:
                break
    assert not finder.process.is_alive() and finder.process.exitcode == 0


def test_an_error_while_reading_the_source_reaches_the_consumer_after_the_frames_before_it(clip, recognizer):
    path, _ = clip

    def failing_source():
        for frame in VideoFileSource(str(path)):
            if frame.index == 2:
                raise InputError("source fake: frame 2 is corrupt")
            yield frame

    with FindingProcess(recognizer.params) as finder:
        found = finder.find_in_each(failing_source())
        assert [next(found)[0].index for _ in range(2)] == [0, 1]
        with pytest.raises(InputError, match="frame 2 is corrupt"):
            next(found)


def test_an_error_while_finding_regions_reaches_the_consumer(clip, recognizer):
    path, _ = clip
    even_blur = replace(recognizer.params, blur=4)  # OpenCV's Gaussian blur takes odd kernels only
    with FindingProcess(even_blur) as finder:
        with pytest.raises(cv2.error, match="ksize"):
            list(finder.find_in_each(VideoFileSource(str(path))))


def test_a_finding_process_that_dies_is_reported(clip, recognizer):
    path, _ = clip
    with FindingProcess(recognizer.params) as finder:
        found = finder.find_in_each(VideoFileSource(str(path)))
        next(found)
        os.kill(finder.process.pid, signal.SIGKILL)
        with pytest.raises(InputError, match="exit code -9"):
            list(found)


def test_images_go_through_the_finding_process_too(tmp_path, clip, recognizer):
    path, _ = clip
    image = tmp_path / "page.png"
    cv2.imwrite(str(image), next(iter(VideoFileSource(str(path)))).image)
    with FindingProcess(recognizer.params) as finder:
        found = list(finder.find_in_each(ImageSource(str(image), [image])))
    assert [frame.source for frame, _, _ in found] == [str(image)] and len(found[0][1].boxes) > 0
