"""Mouth-to-ear audio latency between two of our headless terminals on loopback,
through the whole path: ALSA capture (file plugin) -> Opus -> RTP/SRTP -> UDP ->
jitter buffer -> Opus decode -> ALSA playback (file plugin), plus the CPU each
process uses for a call with audio only (`--audio-only` on both sides: no video
m-line; `--video-off` instead measures a video call whose video is switched off,
which still sends a black frame a second each way).

    .venv/bin/python Benchmarks/audio-latency/bench.py [--seconds 20] [--binary .build/release/call] [--skip-aiortc] [--video-off]

The anchor, in the same run: two aiortc processes (aiortc_audio_peer.py) sending
each other the same kind of burst file as 20 ms frames, Opus both ways, for
their CPU over the same length of call (aiortc has no sound-device path, so no
latency for it).

Each process's threads are listed too, from /proc/PID/task over the same
window: CPU (in whole kernel ticks, so coarse) and wake-ups a second (voluntary
context switches).

Each side captures a file of silence with a tone burst every 500 ms (50 ms
long, the pitch cycling through four values so a burst is matched to the one
that was sent even if the latency exceeded the spacing). The other side's
playback file is searched for burst onsets.

The file plugin has no clock: both ends are paced by our own Pacer on
CLOCK_MONOTONIC, and `stats` reports when each stream's first sample was taken
(`captureStartedAt`) and played (`playbackStartedAt`). Sample n of a stream
belongs to start + n / 48000 s: for capture that is when a microphone would
have recorded it (read() returns a period once its last sample is due, as a
real device does), for playback when a device would play it (the output buffer
is 2 periods and the next period is rendered when one has room, as with a real
device; that buffering is part of the latency measured). The mapping holds while no pacing resync happened (`clockResyncs`
is checked). Onsets are found by the same detector in the sent and the played
signal, so its own delay cancels.
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
sys.path.insert(0, str(ROOT / "Tests" / "interop"))
from headless import HeadlessCall  # noqa: E402
from tone import RATE, alsa_config, goertzel_power  # noqa: E402

SPACING = RATE // 2  # a burst every 500 ms
BURST = RATE // 20  # 50 ms
RAMP = RATE // 400  # 2.5 ms raised-cosine edges (no click, no splatter)
PITCHES = (600, 800, 1000, 1200)
AMPLITUDE = 0.5
THRESHOLD = AMPLITUDE / 2


def burst_file(path, seconds, offset):
    """Silence with bursts at offset + k * SPACING; returns the burst start samples."""
    total = RATE * seconds
    samples = [0] * total
    starts = []
    for k, start in enumerate(range(offset, total - BURST, SPACING)):
        step = 2 * math.pi * PITCHES[k % len(PITCHES)] / RATE
        for n in range(BURST):
            edge = min(n, BURST - 1 - n)
            gain = 0.5 - 0.5 * math.cos(math.pi * edge / RAMP) if edge < RAMP else 1.0
            samples[start + n] = int(32767 * AMPLITUDE * gain * math.sin(step * n))
        starts.append(start)
    path.write_bytes(struct.pack(f"<{total}h", *samples))
    return starts


def read_samples(path):
    data = path.read_bytes()
    count = len(data) // 2
    return [s / 32768 for s in struct.unpack(f"<{count}h", data[: count * 2])]


def onsets(samples):
    """(sample index, pitch index) of each burst: the first sample above THRESHOLD after
    at least 200 ms below it; the pitch is the strongest of PITCHES over the next 20 ms."""
    found = []
    quiet_since = 0
    n = 0
    while n < len(samples):
        if abs(samples[n]) > THRESHOLD:
            if n - quiet_since >= RATE // 5:
                window = samples[n:n + RATE // 50]
                found.append((n, max(range(len(PITCHES)), key=lambda i: goertzel_power(window, PITCHES[i]))))
                n += BURST  # skip the rest of the burst
            quiet_since = n
        n += 1
    return found


def latencies(sent, sent_start, played, played_start):
    """Per played burst: its time minus the time of the latest sent burst of the same
    pitch before it (seconds)."""
    out = []
    for position, pitch in played:
        heard = played_start + position / RATE
        candidates = [heard - (sent_start + s / RATE) for s, p in sent if p == pitch]
        ahead = [c for c in candidates if c >= 0]
        if ahead:
            out.append(min(ahead))
    return out


def cpu_seconds(pid, stat=None):
    """utime + stime of a process, or of one of its threads given its stat file."""
    fields = (stat or Path(f"/proc/{pid}/stat")).read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def thread_counters(pid):
    """Per thread of `pid`: (name, CPU seconds, voluntary context switches), that is how
    much it ran and how often it went to sleep and was woken."""
    counters = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            cpu = cpu_seconds(pid, task / "stat")
            status = dict(line.split(":", 1) for line in (task / "status").read_text().splitlines() if ":" in line)
            name = (task / "comm").read_text().strip()
        except (FileNotFoundError, ProcessLookupError):
            continue  # the thread ended while being read
        counters[task.name] = (name, cpu, int(status["voluntary_ctxt_switches"]))
    return counters


def thread_use(before, after, wall):
    """(name, CPU %, wake-ups a second) of each thread alive at both readings that ran or woke."""
    use = []
    for tid, (name, cpu, wakes) in after.items():
        if tid in before:
            _, cpu0, wakes0 = before[tid]
            if cpu > cpu0 or wakes > wakes0:
                use.append((name, 100 * (cpu - cpu0) / wall, (wakes - wakes0) / wall))
    return sorted(use, key=lambda item: (-item[1], -item[2]))


def print_threads(process, use):
    print(f"{process}, by thread: "
          + ", ".join(f"{name} {cpu:.2f}% {wakes:.0f} wake-ups/s" for name, cpu, wakes in use)
          + f"; {sum(wakes for _, _, wakes in use):.0f} wake-ups/s in all")


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run(binary, seconds, folder, video_off):
    length = seconds + 30  # past the end of its file ALSA repeats stale data
    for side in ("a", "b"):
        (folder / side).mkdir()
    # Different offsets, so the two directions' bursts are not in step.
    sent_a = burst_file(folder / "a" / "in.raw", length, 0)
    sent_b = burst_file(folder / "b" / "in.raw", length, SPACING // 2)
    server = subprocess.Popen([str(binary), "serve", "--port", "0"], stdout=subprocess.PIPE, text=True)
    port = int(server.stdout.readline().strip().rsplit(":", 1)[1])
    url = f"http://127.0.0.1:{port}"
    try:
        env = {side: alsa_config(folder / side, folder / side / "in.raw", folder / side / "out.raw") for side in "ab"}
        shape = [] if video_off else ["--audio-only"]
        callee = HeadlessCall(binary, "2", "bench", url, folder / "b", ["--auto-answer", *shape], env=env["b"])
        caller = HeadlessCall(binary, "1", "bench", url, folder / "a", shape, env=env["a"])
        for client in (caller, callee):
            client.expect(event="signaling", status="connected", timeout=10)
        caller.expect(event="users", users=[{"userId": "2", "nickname": "2"}], timeout=10)
        caller.send("call 2")
        for client in (caller, callee):
            client.expect_state("inCall", timeout=20)
            if video_off:
                client.send("video off")
                client.expect(event="video", sending=False, timeout=5)
        time.sleep(2)  # the call's start (ICE, DTLS, first keyframes) out of the CPU window
        before = {c: cpu_seconds(c.process.pid) for c in (caller, callee)}
        threads_before = {c: thread_counters(c.process.pid) for c in (caller, callee)}
        began = time.monotonic()
        time.sleep(seconds)
        wall = time.monotonic() - began
        cpu = {c: 100 * (cpu_seconds(c.process.pid) - before[c]) / wall for c in (caller, callee)}
        threads = {c: thread_use(threads_before[c], thread_counters(c.process.pid), wall) for c in (caller, callee)}
        stats = {}
        for client in (caller, callee):
            client.send("stats")
            stats[client] = client.expect(event="stats", timeout=5)["audio"]
        caller.send("hangup")
        caller.expect_state("ended", timeout=10)
        for client in (caller, callee):
            client.quit()
    finally:
        server.terminate()
        server.wait(timeout=10)

    results = {}
    for name, sender, receiver, sent, played_path in (
        ("1 -> 2", caller, callee, sent_a, folder / "b" / "out.raw"),
        ("2 -> 1", callee, caller, sent_b, folder / "a" / "out.raw"),
    ):
        s, r = stats[sender], stats[receiver]
        if s["clockResyncs"] or r["clockResyncs"]:
            print(f"warning: {name}: pacing resyncs (sender {s['clockResyncs']}, receiver {r['clockResyncs']}); "
                  "the sample-to-time mapping is off after them", file=sys.stderr)
        sent_onsets = [(start, k % len(PITCHES)) for k, start in enumerate(sent)]
        played = onsets(read_samples(played_path))
        results[name] = latencies(sent_onsets, s["captureStartedAt"], played, r["playbackStartedAt"])
        if os.environ.get("BENCH_VERBOSE"):
            print(name, "played onsets (s, pitch):", [(round(p / RATE, 3), k) for p, k in played])
            print(name, "latencies ms:", [round(1000 * v) for v in results[name]])
        results[name + " stats"] = (s, r)
    return results, {"caller (1)": cpu[caller], "callee (2)": cpu[callee]}, \
        {"caller (1)": threads[caller], "callee (2)": threads[callee]}, wall


def run_aiortc(seconds, folder):
    """The anchor: two aiortc processes (aiortc_audio_peer.py) sending each other the same
    kind of capture file, SDP handed across their pipes; returns CPU % per process over
    `seconds` (after the same 2 s settling as ours), its use by thread, and the frames each
    received."""
    peers = {}
    for name, role, offset in (("offerer", "offer", 0), ("answerer", "answer", SPACING // 2)):
        capture = folder / f"{role}.raw"
        burst_file(capture, 10, offset)
        peers[name] = subprocess.Popen([sys.executable, str(Path(__file__).parent / "aiortc_audio_peer.py"), role,
                                        str(capture)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def send(peer, line):
        peer.stdin.write(json.dumps(line) + "\n")
        peer.stdin.flush()

    try:
        send(peers["answerer"], json.loads(peers["offerer"].stdout.readline()))
        send(peers["offerer"], json.loads(peers["answerer"].stdout.readline()))
        time.sleep(2)
        before = {name: cpu_seconds(peer.pid) for name, peer in peers.items()}
        threads_before = {name: thread_counters(peer.pid) for name, peer in peers.items()}
        began = time.monotonic()
        time.sleep(seconds)
        wall = time.monotonic() - began
        cpu = {name: 100 * (cpu_seconds(peer.pid) - before[name]) / wall for name, peer in peers.items()}
        threads = {name: thread_use(threads_before[name], thread_counters(peer.pid), wall) for name, peer in peers.items()}
        frames = []
        for peer in peers.values():
            send(peer, {"kind": "quit"})
            frames.append(json.loads(peer.stdout.readline())["frames"])
            peer.wait(timeout=10)
        return cpu, threads, "/".join(str(f) for f in frames)
    finally:
        for peer in peers.values():
            if peer.poll() is None:
                peer.kill()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=20, help="measured call time")
    parser.add_argument("--keep", type=Path, default=None, help="keep the files (capture, playback, logs) in this folder")
    parser.add_argument("--skip-aiortc", action="store_true", help="no aiortc anchor run")
    parser.add_argument("--video-off", action="store_true",
                        help="a video call with video switched off both ways, instead of an audio-only call")
    parser.add_argument("--binary", type=Path, default=None,
                        help="the call binary (default .build/release/call if built, else .build/debug/call)")
    args = parser.parse_args()
    binary = args.binary or next((p for p in (ROOT / ".build/release/call", ROOT / ".build/debug/call") if p.exists()),
                                 None)
    if binary is None or not binary.exists():
        sys.exit("no call binary: swift build -c release --product call")
    print(f"binary: {binary}")
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=False)
        results, cpu, threads, wall = run(binary.resolve(), args.seconds, args.keep.resolve(), args.video_off)
    else:
        with tempfile.TemporaryDirectory(prefix="audio-latency-") as folder:
            results, cpu, threads, wall = run(binary.resolve(), args.seconds, Path(folder), args.video_off)
    shape = "a video call with video off both ways" if args.video_off else "an audio-only call (--audio-only both sides)"
    print(f"measured {wall:.1f} s of {shape}")
    print("| direction | bursts | median ms | p95 ms | min ms | max ms |")
    print("|---|---|---|---|---|---|")
    every = []
    for name in ("1 -> 2", "2 -> 1"):
        values = [1000 * v for v in results[name]]
        every += values
        if not values:
            print(f"| {name} | 0 | - | - | - | - |")
            continue
        print(f"| {name} | {len(values)} | {statistics.median(values):.1f} | {percentile(values, 95):.1f} | "
              f"{min(values):.1f} | {max(values):.1f} |")
    if every:
        print(f"| both | {len(every)} | {statistics.median(every):.1f} | {percentile(every, 95):.1f} | "
              f"{min(every):.1f} | {max(every):.1f} |")
    for name in ("1 -> 2", "2 -> 1"):
        sender, receiver = results[name + " stats"]
        print(f"{name}: sent {sender['packetsSent']} packets, received {receiver['packetsReceived']}, "
              f"concealed {receiver['concealedFrames']}, discarded {receiver['packetsDiscarded']}, "
              f"skipped to catch up {receiver['packetsDroppedToCatchUp']}, "
              f"resyncs {sender['clockResyncs']}+{receiver['clockResyncs']}")
    print("CPU, % of one core over the measured time: "
          + ", ".join(f"{name} {value:.1f}%" for name, value in cpu.items()))
    for name, use in threads.items():
        print_threads(name, use)
    if not args.skip_aiortc:
        with tempfile.TemporaryDirectory(prefix="audio-aiortc-") as folder:
            anchor, anchor_threads, frames = run_aiortc(args.seconds, Path(folder))
        print(f"anchor, aiortc <-> aiortc, audio only, the same bursts sent as 20 ms frames ({frames} frames received): "
              "CPU, % of one core over the measured time: "
              + ", ".join(f"{name} {value:.1f}%" for name, value in anchor.items()))
        for name, use in anchor_threads.items():
            print_threads(f"aiortc {name}", use)


if __name__ == "__main__":
    main()
