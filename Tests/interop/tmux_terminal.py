"""A program running in its own tmux session (Debian's tmux), read back with
capture-pane: how the terminal-screen tests see what a person would."""

import subprocess
import time


class Terminal:
    """One `call` running in its own tmux session on a private tmux server."""

    def __init__(self, socket, name, command, width=110, height=32):
        self.socket = socket
        self.name = name
        self.tmux("new-session", "-d", "-s", name, "-x", str(width), "-y", str(height), command)

    def tmux(self, *args):
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=10)

    def screen(self):
        return self.tmux("capture-pane", "-p", "-t", self.name).stdout

    def keys(self, *keys):
        self.tmux("send-keys", "-t", self.name, *keys)

    def type(self, text):
        """Types `text` literally (no key names)."""
        self.tmux("send-keys", "-t", self.name, "-l", text)

    def wait_for(self, text, timeout=8.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{self.name}: '{text}' not on screen within {timeout}s:\n{self.screen()}")

    def status_line(self):
        return self.screen().rstrip("\n").splitlines()[-1]

    def select(self, label):
        """Moves the user-list selection (▸) to the row containing `label`."""
        for _ in range(8):
            if any("▸" in line and label in line for line in self.screen().splitlines()):
                return
            self.keys("j")
            time.sleep(0.2)
        raise AssertionError(f"{self.name}: cannot select {label}:\n{self.screen()}")

    def is_running(self):
        return self.tmux("has-session", "-t", self.name).returncode == 0
