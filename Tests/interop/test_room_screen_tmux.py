"""The ncurses room screen end to end: `call` clients in tmux (Debian's tmux),
read back with capture-pane, talking through our signaling server."""

import shutil
import subprocess
import time
import uuid

import pytest

from conftest import missing_prerequisite
from tmux_terminal import Terminal


@pytest.fixture
def terminals(call_binary, signaling_server, tmp_path):
    if shutil.which("tmux") is None:
        missing_prerequisite("tmux (apt-get install tmux)")
    host, port = signaling_server
    socket = f"call-test-{uuid.uuid4().hex[:8]}"
    made = []

    def start(user, nickname):
        command = (f"{call_binary} --user {user} --room 10012 --nickname {nickname} "
                   f"--server http://{host}:{port} --ring-timeout 20 --log-file {tmp_path}/call-{user}.log")
        terminal = Terminal(socket, f"u{user}", command)
        made.append(terminal)
        terminal.wait_for("room 10012")
        return terminal

    yield start
    subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)


def test_call_accept_connect_chat_and_hang_up(terminals):
    alice = terminals("1001", "alice")
    bob = terminals("1002", "bob")
    alice.wait_for("bob (1002)")
    bob.wait_for("alice (1001)")

    alice.keys("Enter")
    bob.wait_for("incoming call from alice")
    alice.wait_for("calling bob")

    bob.keys("y")
    bob.wait_for("in call with alice")
    alice.wait_for("in call with bob")

    # Chat over the data channel, with names, times and wide characters.
    alice.keys("Tab")
    alice.type("hello 世界")
    alice.keys("Enter")
    bob.wait_for("alice: hello 世界")
    alice.keys("Escape")

    # Over the peer's picture: their name and frame rate. `s` lays the stats on it
    # (refreshed every second) and takes them off again; `m` marks our preview muted.
    alice.wait_for(" bob · ", timeout=15)
    alice.wait_for(" fps ")
    alice.keys("s")
    alice.wait_for(" video in VP8 · ")
    alice.wait_for(" kbit/s")
    alice.wait_for(" DTLS connected · SCTP ")
    alice.keys("s")
    deadline = time.monotonic() + 5
    while "video in VP8" in alice.screen():
        assert time.monotonic() < deadline, alice.screen()
        time.sleep(0.2)
    alice.keys("m")
    alice.wait_for("microphone muted")
    # The mark sits on the preview's bottom row, in the right-hand column.
    deadline = time.monotonic() + 5
    while not any(" muted " in line.split("││", 1)[1] for line in alice.screen().splitlines() if "││" in line):
        assert time.monotonic() < deadline, alice.screen()
        time.sleep(0.2)

    alice.keys("h")
    alice.wait_for("call ended: you hung up on bob")
    bob.wait_for("call ended: alice hung up")
    # After a moment both are back in the room, free to call again.
    for terminal in (alice, bob):
        deadline = time.monotonic() + 8
        while not terminal.status_line().lstrip().startswith("idle"):
            assert time.monotonic() < deadline, terminal.screen()
            time.sleep(0.2)

    alice.keys("q")
    bob.wait_for("room 10012 · 0")
    bob.keys("q")
    time.sleep(1.5)
    assert not alice.is_running() and not bob.is_running()


def test_reject(terminals):
    alice = terminals("1001", "alice")
    bob = terminals("1002", "bob")
    alice.wait_for("bob (1002)")
    alice.keys("Enter")
    bob.wait_for("incoming call from alice")
    bob.keys("n")
    alice.wait_for("call ended: bob declined the call")
    bob.wait_for("call ended: you declined the call from alice")


def test_a_third_caller_gets_busy(terminals):
    alice = terminals("1001", "alice")
    bob = terminals("1002", "bob")
    carol = terminals("1003", "carol")
    alice.wait_for("bob (1002)")
    alice.select("bob")
    alice.keys("Enter")
    bob.wait_for("incoming call from alice")
    bob.keys("y")
    alice.wait_for("in call with bob")

    carol.wait_for("bob (1002)")
    carol.select("bob")
    carol.keys("Enter")
    carol.wait_for("call ended: bob is busy")
    # Bob's call with alice goes on.
    assert "in call with alice" in bob.screen()


def test_help_and_a_too_small_terminal(terminals):
    alice = terminals("1001", "alice")
    alice.keys("?")
    alice.wait_for("accept")
    alice.keys("Escape")
    alice.tmux("resize-window", "-t", alice.name, "-x", "40", "-y", "10")
    alice.wait_for("terminal too small (need 60x18)")
    alice.tmux("resize-window", "-t", alice.name, "-x", "100", "-y", "30")
    alice.wait_for("room 10012")


def test_the_preview_pane_shows_the_local_test_pattern_and_keys_change_its_look(terminals):
    alice = terminals("1001", "alice")
    # Half blocks appear in the preview box (the right-hand column's first box), not in the remote area.
    deadline = time.monotonic() + 8
    while True:
        lines = alice.screen().splitlines()
        preview_rows = [line.split("││", 1)[1] for line in lines[1:8] if "││" in line]
        if any(ch in row for row in preview_rows for ch in "▀▄█"):
            break
        assert time.monotonic() < deadline, alice.screen()
        time.sleep(0.2)
    remote_rows = [line.split("││", 1)[0] for line in lines[1:8] if "││" in line]
    assert not any(ch in row for row in remote_rows for ch in "▀▄"), alice.screen()

    alice.keys("r")
    alice.wait_for("video: quadrants")
    alice.keys("f")
    alice.wait_for("· fill")
