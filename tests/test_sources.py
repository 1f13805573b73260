"""Video files hand out their frames in colour, or as grey images read from the luma plane."""
import cv2
import numpy as np
import pytest

from livedigit.sources import VideoFileSource


@pytest.fixture(params=[("page.mp4", "mp4v"), ("page.avi", "MJPG")], ids=["luma 16-235", "luma 0-255"])
def video(request, tmp_path, mnist):
    """A few frames of a written page, in a codec that stores luma in one range or the other."""
    from livedigit.synthetic import make_clip, preset

    name, codec = request.param
    style = preset("clean")
    path = tmp_path / name
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*codec), 30.0, style.frame_size)
    for frame, _, _ in make_clip(mnist["x_test"], mnist["y_test"], style, frames=5, seed=1):
        writer.write(frame)
    writer.release()
    return str(path)


def test_grey_frames_match_the_grey_image_of_the_colour_frames(video):
    colour = [frame.image for frame in VideoFileSource(video)]
    gray = [frame.image for frame in VideoFileSource(video, gray=True)]
    assert len(gray) == len(colour) == 5
    for grey_frame, colour_frame in zip(gray, colour):
        assert grey_frame.shape == colour_frame.shape[:2] and grey_frame.dtype == np.uint8
        difference = np.abs(grey_frame.astype(int) - cv2.cvtColor(colour_frame, cv2.COLOR_BGR2GRAY))
        assert difference.mean() <= 1 and difference.max() <= 2


def test_a_video_without_grey_levels_to_map_comes_in_colour(tmp_path):
    path = tmp_path / "even.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, (64, 48))
    for _ in range(3):
        writer.write(np.full((48, 64, 3), 128, np.uint8))
    writer.release()
    frames = [frame.image for frame in VideoFileSource(str(path), gray=True)]
    assert len(frames) == 3 and all(frame.shape == (48, 64, 3) for frame in frames)
