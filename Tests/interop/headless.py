"""Drives `call --no-ui` as a child process: JSON lines out, commands in."""

import json
import os
import queue
import subprocess
import threading
import time


class JsonLinesProcess:
    """A child process that prints one JSON object per line and reads commands on stdin."""

    def __init__(self, name, args, cwd=None, env=None):
        self.name = name
        self.events = queue.Queue()
        self.seen = []
        self.process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, bufsize=1, cwd=cwd,
                                        env=None if env is None else {**os.environ, **env})
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.events.put(json.loads(line))
        self.events.put(None)

    def write_line(self, line):
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def expect(self, timeout=5.0, **fields):
        """The next event whose fields include `fields`; fails with what was seen."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                event = self.events.get(timeout=max(0.01, remaining))
            except queue.Empty:
                raise AssertionError(f"{self.name}: no event {fields} within {timeout}s; saw {self.seen[-8:]}")
            if event is None:
                raise AssertionError(f"{self.name}: exited ({self.process.wait()}) before {fields}; "
                                     f"saw {self.seen[-8:]}; stderr: {self.process.stderr.read()[-3000:]}")
            self.seen.append(event)
            if all(event.get(k) == v for k, v in fields.items()):
                return event


class HeadlessCall(JsonLinesProcess):
    def __init__(self, call_binary, user, room, server, log_dir, extra=(), env=None):
        self.user = user
        args = [str(call_binary), "--user", user, "--room", room, "--no-ui",
                "--log-file", str(log_dir / f"call-{user}.log"), *extra]
        if server:
            args += ["--server", server]
        # In the test's own folder: files the client writes (snapshots) land there.
        super().__init__(user, args, cwd=log_dir, env=env)

    def send(self, command):
        self.write_line(command)

    def __enter__(self):
        return self

    def __exit__(self, *exception):
        """A test that ends, passing or not, leaves no client running."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        return False

    def answer(self, page):
        """The page calls this client, which accepts: both in the call."""
        self.expect(event="signaling", status="connected")
        page.call(self.user)
        self.expect(event="incoming", **{"from": page.user_id})
        self.send("accept")
        self.expect_state("inCall", role="callee", timeout=20)

    def expect_state(self, state, timeout=5.0, **fields):
        return self.expect(timeout=timeout, event="state", state=state, **fields)

    def stats_until(self, condition, what, timeout=20.0):
        """Asks for `stats` until `condition(stats)` holds; fails saying `what` did not happen."""
        deadline = time.monotonic() + timeout
        while True:
            self.send("stats")
            stats = self.expect(event="stats", timeout=5)
            if condition(stats):
                return stats
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.user}: {what} did not happen: {stats}")
            time.sleep(0.4)

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
