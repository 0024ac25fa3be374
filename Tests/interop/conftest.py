"""Shared fixtures for the interop tests: they drive our `call` binary with
peers we did not write (python-socketio, and later aiortc and browsers).

Under CI=true a missing prerequisite fails the test; elsewhere it skips.
"""

import os
import queue
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() == "true"


def missing_prerequisite(message):
    """Fails under CI, skips elsewhere."""
    if IN_CI:
        pytest.fail(f"missing prerequisite: {message}", pytrace=False)
    pytest.skip(f"missing prerequisite: {message}")


def required_prerequisite(message):
    """Fails everywhere: for tests whose whole point is the missing peer (aiortc, Chromium)."""
    pytest.fail(f"missing prerequisite: {message} (scripts/install-deps --test)", pytrace=False)


def import_or_fail(module_name):
    try:
        return __import__(module_name)
    except ImportError:
        required_prerequisite(f"python module {module_name}")


def import_or_missing(module_name):
    try:
        return __import__(module_name)
    except ImportError:
        missing_prerequisite(f"python module {module_name} (pip install -r Tests/interop/requirements.txt)")


@pytest.fixture(scope="session")
def call_binary():
    """Path to the built `call` executable ($CALL_BINARY, else .build/debug/call, built if absent)."""
    explicit = os.environ.get("CALL_BINARY")
    path = Path(explicit) if explicit else REPO_ROOT / ".build" / "debug" / "call"
    if not path.exists() and not explicit and shutil.which("swift"):
        subprocess.run(["swift", "build", "--product", "call"], cwd=REPO_ROOT, check=False)
    if not path.exists():
        missing_prerequisite(f"the call binary at {path} (swift build --product call)")
    return path


class ServerProcess:
    """A running `call serve` child process."""

    def __init__(self, args, cwd):
        self.process = subprocess.Popen(
            args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    def read_address(self, timeout=20.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.process.stdout], [], [], 0.1)
            if ready:
                line = self.process.stdout.readline()
                if line.startswith("hosting signaling on "):
                    host, port = line.strip().rsplit(" ", 1)[1].rsplit(":", 1)
                    return host, int(port)
                if line == "":
                    break
            if self.process.poll() is not None:
                break
        self.stop()
        raise RuntimeError(f"call serve did not report its address; stderr: {self.process.stderr.read()}")

    def stop(self, timeout=10.0):
        """SIGTERM, then the exit code (kills after `timeout`)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


@pytest.fixture
def start_server(call_binary):
    """Starts `call serve` with extra arguments; returns (host, port, ServerProcess). Stopped at teardown."""
    started = []

    def start(*extra_args):
        server = ServerProcess([str(call_binary), "serve", "--port", "0", *extra_args], cwd=REPO_ROOT)
        started.append(server)
        host, port = server.read_address()
        return host, port, server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def signaling_server(start_server):
    """A fresh `call serve --port 0`; yields (host, port) and checks it exits 0 on SIGTERM."""
    host, port, server = start_server()
    yield host, port
    assert server.stop() == 0, server.process.stderr.read()


class Peer:
    """A python-socketio client in one room, recording everything it receives."""

    def __init__(self, socketio, host, port, user_id, room_id, nickname=None):
        self.user_id = user_id
        self.events = queue.Queue()
        self.disconnected = False
        self.client = socketio.Client(reconnection=False)
        self.client.on("*", lambda event, data: self.events.put((event, data)))
        self.client.on("disconnect", self._on_disconnect)
        query = f"userId={user_id}&roomId={room_id}&nickname={nickname or user_id}"
        self.client.connect(f"http://{host}:{port}?{query}", transports=["websocket"], wait_timeout=10)

    def _on_disconnect(self, *args):
        self.disconnected = True

    def emit(self, event, payload):
        self.client.emit(event, payload)

    def next(self, timeout=5.0):
        return self.events.get(timeout=timeout)

    def next_msg(self, timeout=5.0, skip_types=()):
        """The next `msg` envelope, skipping envelope types listed in `skip_types`."""
        deadline = time.monotonic() + timeout
        while True:
            event, data = self.next(max(0.01, deadline - time.monotonic()))
            if event == "msg" and data.get("type") not in skip_types:
                return data

    def expect_nothing(self, window=0.3):
        time.sleep(window)
        assert self.events.empty(), f"unexpected: {self.events.get_nowait()}"

    def close(self):
        if self.client.connected:
            self.client.disconnect()


@pytest.fixture
def peers(signaling_server):
    """Factory for python-socketio peers on `signaling_server`; all disconnected at teardown."""
    socketio = import_or_missing("socketio")
    import_or_missing("websocket")
    host, port = signaling_server
    made = []

    def make(user_id, room_id, nickname=None):
        peer = Peer(socketio, host, port, user_id, room_id, nickname)
        made.append(peer)
        return peer

    yield make
    for peer in made:
        peer.close()


@pytest.fixture
def seed_server():
    """Tests/interop/seed_server.py on a free port; yields (host, port)."""
    process = subprocess.Popen([sys.executable, str(REPO_ROOT / "Tests/interop/seed_server.py"), "--port", "0"],
                               stdout=subprocess.PIPE, text=True)
    ready, _, _ = select.select([process.stdout], [], [], 15)
    line = process.stdout.readline() if ready else ""
    assert line.startswith("listening on "), f"seed server did not start: {line!r}"
    yield "127.0.0.1", int(line.split()[-1])
    process.terminate()
    process.wait(timeout=10)


def free_udp_and_tcp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def turn_server(tmp_path):
    """coturn on 127.0.0.1, user u:p, loopback peers allowed; yields its port. Killed at teardown."""
    binary = shutil.which("turnserver")
    if not binary:
        missing_prerequisite("turnserver (apt-get install coturn)")
    port = free_udp_and_tcp_port()
    log = open(tmp_path / "turnserver.log", "w")
    process = subprocess.Popen(
        [binary, "-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", f"--listening-port={port}",
         "--user=u:p", "--realm=test", "--lt-cred-mech", "--no-tls", "--no-dtls", "--allow-loopback-peers",
         "--no-cli", f"--pidfile={tmp_path / 'turnserver.pid'}", "--log-file=stdout", "--simple-log"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and process.poll() is None:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        else:
            pytest.fail(f"turnserver did not start: {(tmp_path / 'turnserver.log').read_text()[-2000:]}")
        yield port
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()


ROOM = "10012"


@pytest.fixture
def terminal(signaling_server, call_binary, tmp_path):
    host, port = signaling_server
    started = []

    from headless import HeadlessCall

    def start(user, *extra, env=None):
        client = HeadlessCall(call_binary, user, ROOM, f"http://{host}:{port}", tmp_path, extra, env=env)
        started.append(client)
        client.expect(event="signaling", status="connected")
        return client

    yield start
    for client in started:
        if client.process.poll() is None:
            client.process.kill()
            client.process.wait()
