"""Call setup time: from placing a call to an open `chat` data channel, through
our signaling server on loopback, for two of our terminals and, as the anchor,
two aiortc peers (aiortc_peer.py) in the same run. Prints a table.

    .venv/bin/python Benchmarks/call-setup/bench.py [--runs 10] [--binary .build/release/call]

The callee answers at once (--auto-answer, or aiortc's accept), so the time is
signaling + ICE + DTLS + SCTP + DCEP, the part our stack decides. Our calls
always carry audio and video, whose codecs start meanwhile; the anchor runs with
a data channel only and with a video track too.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "Tests" / "interop"))
from headless import HeadlessCall, JsonLinesProcess  # noqa: E402

CALL = ROOT / ".build" / "debug" / "call"  # --binary replaces it


def start_server():
    server = subprocess.Popen([str(CALL), "serve", "--port", "0"], stdout=subprocess.PIPE, text=True)
    port = int(server.stdout.readline().strip().rsplit(":", 1)[1])
    return server, f"http://127.0.0.1:{port}"


def ours(url, folder):
    callee = HeadlessCall(CALL, "2", "bench", url, folder, ["--auto-answer"])
    caller = HeadlessCall(CALL, "1", "bench", url, folder)
    for client in (caller, callee):
        client.expect(event="signaling", status="connected", timeout=10)
    caller.expect(event="users", users=[{"userId": "2", "nickname": "2"}], timeout=10)
    started = time.monotonic()
    caller.send("call 2")
    caller.expect(event="notice", message="chat is open", timeout=20)
    elapsed = time.monotonic() - started
    for client in (caller, callee):
        client.quit()
    return elapsed


class Aiortc(JsonLinesProcess):
    def __init__(self, url, user, call=None, video=False):
        args = [sys.executable, str(ROOT / "Tests/interop/aiortc_peer.py"), "--server", url, "--user", user, "--room", "bench"]
        args += (["--call", call] if call else []) + (["--video"] if video else [])
        super().__init__(f"aiortc-{user}", args)

    def stop(self):
        try:
            self.write_line('{"quit": true}')
            self.process.wait(timeout=10)
        except Exception:  # noqa: BLE001 - a stuck peer must not stop the benchmark
            self.process.kill()


def anchor(url, video):
    callee = Aiortc(url, "2", video=video)
    callee.expect(event="ready", timeout=20)
    # aiortc_peer.py places its call as soon as it is connected: time from its start
    # is ready + the call; subtract its own "ready" moment.
    caller = Aiortc(url, "1", call="2", video=video)
    caller.expect(event="ready", timeout=20)
    started = time.monotonic()
    caller.expect(event="channel", label="chat", state="open", timeout=30)
    elapsed = time.monotonic() - started
    caller.stop()
    callee.stop()
    return elapsed


def summary(name, times):
    times = sorted(times)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return f"| {name} | {len(times)} | {statistics.median(times) * 1000:.0f} | {p95 * 1000:.0f} | {times[0] * 1000:.0f} |"


def main():
    global CALL
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--binary", type=Path, default=CALL, help="the call executable (default: the debug build)")
    arguments = parser.parse_args()
    runs, CALL = arguments.runs, arguments.binary.resolve()
    print(f"binary: {CALL}")
    server, url = start_server()
    try:
        with tempfile.TemporaryDirectory() as folder:
            our_times = [ours(url, Path(folder)) for _ in range(runs)]
        anchor_times = [anchor(url, video=False) for _ in range(runs)]
        anchor_video_times = [anchor(url, video=True) for _ in range(runs)]
    finally:
        server.terminate()
    print("| peers | runs | median ms | p95 ms | min ms |")
    print("|---|---|---|---|---|")
    print(summary("call ↔ call (audio, video, chat)", our_times))
    print(summary("aiortc ↔ aiortc, chat only (anchor)", anchor_times))
    print(summary("aiortc ↔ aiortc, video and chat (anchor)", anchor_video_times))


if __name__ == "__main__":
    main()
