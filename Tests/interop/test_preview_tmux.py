"""`call preview` end to end in tmux (Debian's tmux): the test pattern drawn
with the terminal renderer, keys switching symbol set, colours and fit/fill,
a resize, and a clean exit."""

import shutil
import subprocess
import time
import uuid

import pytest

from conftest import missing_prerequisite
from tmux_terminal import Terminal


@pytest.fixture
def preview(call_binary):
    if shutil.which("tmux") is None:
        missing_prerequisite("tmux (apt-get install tmux)")
    socket = f"call-preview-{uuid.uuid4().hex[:8]}"
    pane = Terminal(socket, "preview", f"env COLORTERM=truecolor TERM=xterm-256color {call_binary} preview --fps 15", 100, 30)
    yield pane
    subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)


def picture_rows(screen):
    return screen.rstrip("\n").splitlines()[:-1]


def test_preview_draws_switches_resizes_and_quits(preview):
    screen = preview.wait_for("half · truecolor · fit · 100x29 cells")
    # The picture fills the rows above the status line with half blocks
    # (16:9 at 1:2 cells in 100x29 is letterboxed top and bottom).
    assert sum(row.count("▄") + row.count("▀") for row in picture_rows(screen)) > 500

    preview.tmux("send-keys", "-t", "preview", "r")
    preview.wait_for("quad · truecolor")
    preview.tmux("send-keys", "-t", "preview", "r")
    screen = preview.wait_for("sextant · truecolor")
    assert any(0x1FB00 <= ord(ch) <= 0x1FB3B for row in picture_rows(screen) for ch in row)

    preview.tmux("send-keys", "-t", "preview", "R")
    preview.wait_for("sextant · 256 colours · fit")
    preview.tmux("send-keys", "-t", "preview", "f")
    preview.wait_for("sextant · 256 colours · fill")

    preview.tmux("resize-window", "-t", "preview", "-x", "80", "-y", "24")
    screen = preview.wait_for("fill · 80x23 cells")
    assert len(screen.rstrip("\n").splitlines()) == 24

    preview.tmux("send-keys", "-t", "preview", "q")
    deadline = time.monotonic() + 5
    while preview.is_running() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not preview.is_running(), "preview did not exit on q"
