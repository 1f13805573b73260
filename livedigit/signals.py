"""Turn SIGINT and SIGTERM into a clean stop between frames."""
from __future__ import annotations

import signal
from typing import Callable


class StopOnSignals:
    """While active, SIGINT/SIGTERM set `received` (the signal number) and call `on_stop`.

    The loop checks `received` between frames, so every sink closes with whole frames.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self, on_stop: Callable[[], None] = lambda: None):
        self.on_stop = on_stop
        self.received = 0
        self.previous = {}

    def _handle(self, signum, _frame) -> None:
        self.received = signum
        self.on_stop()

    def __enter__(self) -> "StopOnSignals":
        for sig in self.SIGNALS:
            self.previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)

    @property
    def exit_code(self) -> int:
        """128 + signal number, the shell's convention: 130 for SIGINT, 143 for SIGTERM."""
        return 128 + self.received if self.received else 0
