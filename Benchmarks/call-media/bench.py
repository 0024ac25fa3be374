"""A video call on one machine, ours beside aiortc in the same run (issue 7):
640x480 at 30 fps both ways for `--seconds` (30) from the callee's accept.
Prints one table row per process and the targets.

    swift build -c release --product call
    .venv/bin/python Benchmarks/call-media/bench.py [--seconds 30] [--skip-aiortc] [--skip-ours]

Ours: two `call --no-ui` processes (release build) through `call serve --port 0`
on loopback, `--video-size 640x480 --fps 30`, sending the test pattern (no
camera here), with audio through ALSA's file plugin (each process reads a
440 Hz tone from a file and plays to /dev/null; MACHINE.md) and
CALL_HEADLESS_RENDER=/dev/null, so each draws every new remote frame as the
screen would (TerminalVideoWriter, half blocks, truecolor, a 160x45 pane) and
reports it as a `frameDrawn` event. The callee accepts 0.5 s after the call
rings, with the offer already held, as a user would.

aiortc: aiortc_video_peer.py offer and answer, two processes, SDP across their
pipes, testsrc2 frames with our stamp, aiortc's silent AudioStreamTrack both ways;
frames are taken from track.recv() (decoded), not drawn.

Per process, over the window [accept, accept + seconds]: CPU % of one core
(utime + stime from /proc/PID/stat), peak RSS (VmHWM at the end of the window),
glass-to-glass latency (the receiver's wall clock when the frame was drawn, ours,
or handed to the application, aiortc, minus the capture time stamped in the
frame), frames per second drawn/received, and the time from accept to the first
remote frame drawn/received.
"""

import argparse
import json
import math
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "Tests" / "interop"))
from headless import HeadlessCall, JsonLinesProcess  # noqa: E402

CALL = ROOT / ".build" / "release" / "call"
TICKS = os.sysconf("SC_CLK_TCK")
TARGETS = {"cpu": 35.0, "rss": 80.0, "latency": 60.0, "first": 150.0}
RATE = 48_000


def cpu_ticks(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)


def thread_ticks(pid):
    """{(tid, name): ticks} for every thread of the process."""
    out = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            text = (task / "stat").read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1: text.rindex(")")]
        fields = text.rsplit(")", 1)[1].split()
        out[(task.name, name)] = int(fields[11]) + int(fields[12])
    return out


def peak_rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return math.nan


def load_average():
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


class Window:
    """CPU of a set of processes between start() and stop()."""

    def __init__(self, processes):
        self.processes = processes  # name -> pid

    def start(self):
        self.t0 = time.monotonic()
        self.ticks0 = {name: cpu_ticks(pid) for name, pid in self.processes.items()}
        self.threads0 = {name: thread_ticks(pid) for name, pid in self.processes.items()}

    def stop(self):
        elapsed = time.monotonic() - self.t0
        self.cpu = {name: 100 * (cpu_ticks(pid) - self.ticks0[name]) / TICKS / elapsed
                    for name, pid in self.processes.items()}
        self.rss = {name: peak_rss_mb(pid) for name, pid in self.processes.items()}
        self.threads = {}
        for name, pid in self.processes.items():
            now, before = thread_ticks(pid), self.threads0[name]
            busy = sorted(((100 * (ticks - before.get(key, 0)) / TICKS / elapsed, key[1]) for key, ticks in now.items()),
                          reverse=True)
            self.threads[name] = busy


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def summarise(frames, accept_ms, seconds, time_key):
    """frames: events with time_key (wall ms) and maybe latencyMs."""
    end_ms = accept_ms + seconds * 1000
    inside = [f for f in frames if accept_ms <= f[time_key] <= end_ms]
    latencies = [f["latencyMs"] for f in inside if "latencyMs" in f]
    first = min((f[time_key] for f in frames if f[time_key] >= accept_ms), default=None)
    return {
        "fps": len(inside) / seconds,
        "median": statistics.median(latencies) if latencies else math.nan,
        "p95": percentile(latencies, 0.95) if latencies else math.nan,
        "stamped": len(latencies),
        "count": len(inside),
        "first": first - accept_ms if first is not None else math.nan,
    }


def drain(process, until_ms, sink, kind_key, kind):
    """Collects `kind` lines from a JsonLinesProcess until the wall clock passes until_ms."""
    while time.time() * 1000 < until_ms:
        try:
            event = process.events.get(timeout=0.2)
        except Exception:  # queue.Empty
            continue
        if event is None:
            raise RuntimeError(f"{process.name} exited early: {process.process.stderr.read()[-2000:]}")
        if event.get(kind_key) == kind:
            sink.append(event)
        else:
            process.seen.append(event)


def write_tone(path, seconds):
    samples = (int(0.3 * 32767 * math.sin(2 * math.pi * 440 * n / RATE)) for n in range(RATE * seconds))
    path.write_bytes(b"".join(struct.pack("<h", s) for s in samples))


def alsa_config(folder, infile):
    path = folder / "asound.conf"
    path.write_text(f"""
pcm.filecap {{ type file slave.pcm {{ type null }} file "/dev/null" infile "{infile}" format "raw" }}
pcm.fileplay {{ type file slave.pcm {{ type null }} file "/dev/null" format "raw" }}
pcm.duplex {{ type asym playback.pcm "fileplay" capture.pcm "filecap" }}
pcm.!default {{ type plug slave.pcm "duplex" }}
""")
    return {"ALSA_CONFIG_PATH": str(path)}


def ours(args, folder, source=()):
    server = subprocess.Popen([str(CALL), "serve", "--port", "0"], stdout=subprocess.PIPE, text=True)
    port = int(server.stdout.readline().strip().rsplit(":", 1)[1])
    url = f"http://127.0.0.1:{port}"
    tone = folder / "tone.raw"
    write_tone(tone, args.seconds + 30)  # reading past the end returns stale data: longer than the call
    clients = {}
    try:
        for user in ("caller", "callee"):
            (folder / user).mkdir()
            env = {**alsa_config(folder / user, tone), "CALL_HEADLESS_RENDER": "/dev/null", "CALL_ICE_LOOPBACK": "1"}
            clients[user] = HeadlessCall(CALL, user, "bench", url, folder / user,
                                         ["--video-size", "640x480", "--fps", "30", *source], env=env)
        caller, callee = clients["caller"], clients["callee"]
        for client in clients.values():
            client.expect(event="signaling", status="connected", timeout=20)
        caller.expect(event="users", users=[{"userId": "callee", "nickname": "callee"}], timeout=10)
        caller.send("call callee")
        callee.expect(event="incoming", timeout=10)
        time.sleep(0.5)  # the offer is held by now; a user takes a moment to answer
        window = Window({name: client.process.pid for name, client in clients.items()})
        window.start()
        accept_ms = time.time() * 1000
        callee.send("accept")
        frames = {"caller": [], "callee": []}
        end_ms = accept_ms + args.seconds * 1000
        while time.time() * 1000 < end_ms:
            for name, client in clients.items():
                drain(client, min(end_ms, time.time() * 1000 + 100), frames[name], "event", "frameDrawn")
        window.stop()
        stats = {}
        for name, client in clients.items():
            client.send("stats")
            while True:
                event = client.events.get(timeout=5)
                if event and event.get("event") == "stats":
                    stats[name] = event
                    break
                if event and event.get("event") == "frameDrawn":
                    frames[name].append(event)
        rows = {}
        for name in clients:
            s = summarise(frames[name], accept_ms, args.seconds, "drawnMs")
            s["cpu"], s["rss"] = window.cpu[name], window.rss[name]
            s["decoded"] = stats[name].get("framesDecoded", 0) / args.seconds
            drawn = [f for f in frames[name] if accept_ms <= f["drawnMs"] <= end_ms]
            s["render_ms"] = statistics.median(f["drawnMs"] - f["seenMs"] for f in drawn) if drawn else math.nan
            s["bytes"] = statistics.median(f["bytes"] for f in drawn) if drawn else math.nan
            s["stats"] = stats[name]
            rows[name] = s
        return rows, window
    finally:
        for client in clients.values():
            try:
                client.quit()
            except Exception:  # noqa: BLE001 - a stuck client must not stop the benchmark
                client.process.kill()
        server.terminate()


class Peer(JsonLinesProcess):
    def __init__(self, role):
        super().__init__(f"aiortc-{role}", [sys.executable, str(HERE / "aiortc_video_peer.py"), role])

    def send(self, line):
        self.write_line(json.dumps(line))


def aiortc(args):
    offerer, answerer = Peer("offer"), Peer("answer")
    peers = {"offerer": offerer, "answerer": answerer}
    try:
        offer = offerer.expect(kind="offer", timeout=20)
        window = Window({name: peer.process.pid for name, peer in peers.items()})
        window.start()
        answerer.send(offer)
        answer = answerer.expect(kind="answer", timeout=20)
        accept_ms = answer["acceptMs"]
        offerer.send({"kind": "answer", "sdp": answer["sdp"]})
        frames = {"offerer": [], "answerer": []}
        end_ms = accept_ms + args.seconds * 1000
        while time.time() * 1000 < end_ms:
            for name, peer in peers.items():
                drain(peer, min(end_ms, time.time() * 1000 + 100), frames[name], "kind", "frame")
        window.stop()
        rows = {}
        for name in peers:
            s = summarise(frames[name], accept_ms, args.seconds, "seenMs")
            s["cpu"], s["rss"] = window.cpu[name], window.rss[name]
            s["decoded"] = s["fps"]
            rows[name] = s
        return rows, window
    finally:
        for peer in peers.values():
            try:
                peer.send({"kind": "quit"})
                peer.process.wait(timeout=10)
            except Exception:  # noqa: BLE001
                peer.process.kill()


def print_table(title, rows, seconds):
    print(f"\n{title}\n")
    print("| process | CPU % of one core | peak RSS MB | latency median ms | latency p95 ms | "
          "frames/s drawn or received | frames/s decoded | first frame ms after accept | stamps read |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, s in rows.items():
        print(f"| {name} | {s['cpu']:.1f} | {s['rss']:.1f} | {s['median']:.1f} | {s['p95']:.1f} | "
              f"{s['fps']:.1f} | {s['decoded']:.1f} | {s['first']:.0f} | {s['stamped']}/{s['count']} |")


def print_threads(window, top=6):
    for name, busy in window.threads.items():
        shown = ", ".join(f"{thread} {cpu:.1f}%" for cpu, thread in busy[:top] if cpu >= 0.5)
        print(f"- {name}: {shown}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--skip-aiortc", action="store_true")
    parser.add_argument("--skip-ours", action="store_true")
    parser.add_argument("--file-source", action="store_true",
                        help="also a diagnostic call sending a Y4M file instead of the test pattern (needs ffmpeg)")
    args = parser.parse_args()
    print(f"load average before: {load_average()}  (2 cores: {os.cpu_count()} online)")
    if not args.skip_ours:
        with tempfile.TemporaryDirectory() as folder:
            rows, window = ours(args, Path(folder))
        print(f"load average after ours: {load_average()}")
        print_table(f"call ↔ call, 640x480 at 30 fps, test pattern, Opus from a file, drawn into 160x45 ({args.seconds} s)",
                    rows, args.seconds)
        print("\nthreads (CPU % of one core over the window):")
        print_threads(window)
        for name, s in rows.items():
            st = s["stats"]
            print(f"- {name}: render (pick-up to written) median {s['render_ms']:.2f} ms, {s['bytes']:.0f} bytes/frame; "
                  f"framesSent {st.get('framesSent')}, framesDecoded {st.get('framesDecoded')}, "
                  f"framesLost {st.get('framesLost')}, packetsLost {st.get('packetsLost')}, "
                  f"targetBitrate {st.get('targetBitrate')}, bytesReceived {st.get('bytesReceived')}, "
                  f"nackCount {st.get('nackCount')}, pliCount {st.get('pliCount')}, "
                  f"longestFrameGap {st.get('longestFrameGap')}")
    if args.file_source and not args.skip_ours:
        # Diagnostic: the same call with a looped Y4M file (1 s of testsrc2) instead of the test
        # pattern, so the pattern's own cost (drawn per frame in RGB, then converted) shows. The
        # file has no stamp: no latency.
        with tempfile.TemporaryDirectory() as folder:
            clip = Path(folder) / "clip.y4m"
            subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=640x480:rate=30",
                            "-t", "1", "-pix_fmt", "yuv420p", str(clip)], check=True)
            rows, window = ours(args, Path(folder), ["--video-file", str(clip)])
        print_table(f"diagnostic: call ↔ call as above, but sending a looped 1 s Y4M file (testsrc2) instead of "
                    f"the test pattern ({args.seconds} s)", rows, args.seconds)
        print("\nthreads (CPU % of one core over the window):")
        print_threads(window)
    if not args.skip_aiortc:
        rows, window = aiortc(args)
        print(f"\nload average after aiortc: {load_average()}")
        print_table(f"aiortc ↔ aiortc, 640x480 at 30 fps, testsrc2 + stamp, silent Opus, frames decoded not drawn "
                    f"({args.seconds} s)", rows, args.seconds)
        print("\nthreads (CPU % of one core over the window):")
        print_threads(window)
    print(f"\ntargets (ours, per process): CPU under {TARGETS['cpu']:.0f}% of one core, RSS under {TARGETS['rss']:.0f} MB, "
          f"latency median under {TARGETS['latency']:.0f} ms, first frame within {TARGETS['first']:.0f} ms of accept")


if __name__ == "__main__":
    main()
