"""livedigit: read handwritten digits live from a camera, stream, video or photos.

    from livedigit import Recognizer, open_source

    recognizer = Recognizer()                  # the shipped model and default profile
    for frame in open_source("page.mp4"):
        detections = recognizer(frame.image)   # boxes, digits, confidences
"""
import os

# FFmpeg's own decoder chatter would bury livedigit's one-line messages; livedigit
# reports unreadable and truncated videos itself.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")

from .annotate import draw_detections  # noqa: E402  (after the environment is set)
from .detections import Detections  # noqa: E402
from .errors import InputError  # noqa: E402
from .params import DetectionParams, load_profile, save_profile  # noqa: E402
from .recognize import Recognizer  # noqa: E402
from .sinks import JsonlSink, VideoSink, WindowSink  # noqa: E402
from .sources import Frame, open_source  # noqa: E402

__all__ = [
    "Detections", "DetectionParams", "Frame", "InputError", "JsonlSink", "Recognizer", "VideoSink",
    "WindowSink", "draw_detections", "load_profile", "open_source", "save_profile",
]
