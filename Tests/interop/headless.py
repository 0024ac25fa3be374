"""Drives `call --no-ui` as a child process: JSON lines out, commands in."""

import json
import queue
import subprocess
import threading
import time


class HeadlessCall:
    def __init__(self, call_binary, user, room, server, log_dir, extra=()):
        self.user = user
        self.events = queue.Queue()
        self.seen = []
        args = [str(call_binary), "--user", user, "--room", room, "--no-ui",
                "--log-file", str(log_dir / f"call-{user}.log"), *extra]
        if server:
            args += ["--server", server]
        self.process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, bufsize=1)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.events.put(json.loads(line))
        self.events.put(None)

    def send(self, command):
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()

    def expect(self, timeout=5.0, **fields):
        """The next event whose fields include `fields`; fails with what was seen."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                event = self.events.get(timeout=max(0.01, remaining))
            except queue.Empty:
                raise AssertionError(f"{self.user}: no event {fields} within {timeout}s; saw {self.seen[-8:]}")
            if event is None:
                raise AssertionError(f"{self.user}: exited ({self.process.wait()}) before {fields}; "
                                     f"saw {self.seen[-8:]}; stderr: {self.process.stderr.read()}")
            self.seen.append(event)
            if all(event.get(k) == v for k, v in fields.items()):
                return event

    def expect_state(self, state, timeout=5.0, **fields):
        return self.expect(timeout=timeout, event="state", state=state, **fields)

    def quit(self, timeout=10.0):
        """`quit`, then the exit code."""
        if self.process.poll() is None:
            try:
                self.send("quit")
            except BrokenPipeError:
                pass
            try:
                return self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise AssertionError(f"{self.user}: did not exit after quit")
        return self.process.returncode
