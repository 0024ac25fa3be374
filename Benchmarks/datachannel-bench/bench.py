"""Data channel throughput on loopback, ours beside two anchors in the same run:
`--mib` MiB in `--message-kib` KiB binary messages on one reliable ordered
channel, with the sender holding the buffered amount under 1 MiB, and the time
from offer to open channel. Prints a markdown table.

    swift build -c release --scratch-path .build-bench --product datachannel-bench
    .venv/bin/python Benchmarks/datachannel-bench/bench.py [--mib 64] [--message-kib 16] [--aiortc-mib 64] [--runs 3] [--high-water-kib 1024]

Rows:
- ours: `datachannel-bench run`, two processes (offer and answer) that trade
  SDP over their pipes; times in CLOCK_MONOTONIC from both processes.
- aiortc: aiortc_role.py offer and answer, two processes, the same JSON lines.
- Chromium: one headless page, two RTCPeerConnections in it, the offer, answer
  and candidates handed across in JS; times from performance.now().

Setup is from just before createOffer() to the offerer's channel open; the
transfer from that open (the sender starts) to the last byte at the receiver.
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/lib/chromium/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


def ours(args):
    binary = ROOT / ".build-bench" / args.configuration / "datachannel-bench"
    out = subprocess.run([str(binary), "run", "--mib", str(args.mib), "--message-kib", str(args.message_kib),
                          "--high-water-kib", str(args.high_water_kib), "--json"],
                         check=True, capture_output=True, text=True, timeout=240)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return result["setup_ms"], result["seconds"], result["bytes"]


def machines(args):
    """Diagnostic: the SCTP machines alone, in memory, one thread (no DTLS, sockets or actors)."""
    binary = ROOT / ".build-bench" / args.configuration / "datachannel-bench"
    out = subprocess.run([str(binary), "machines", "--mib", str(args.mib), "--message-kib", str(args.message_kib),
                          "--high-water-kib", str(args.high_water_kib), "--json"],
                         check=True, capture_output=True, text=True, timeout=240)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return None, result["seconds"], result["bytes"]


class Role:
    def __init__(self, argv):
        self.process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def expect(self, kind):
        for text in self.process.stdout:
            try:
                line = json.loads(text)
            except ValueError:
                continue
            if line.get("kind") == kind:
                return line
        raise RuntimeError(f"{self.process.args[1:3]} ended before {kind}")

    def send(self, line):
        self.process.stdin.write(json.dumps(line) + "\n")
        self.process.stdin.flush()

    def finish(self):
        try:
            self.send({"kind": "quit"})
            self.process.stdin.close()
            self.process.wait(timeout=10)
        except Exception:  # noqa: BLE001 - a stuck role must not stop the benchmark
            self.process.kill()


def aiortc(args):
    sizes = ["--mib", str(args.aiortc_mib), "--message-kib", str(args.message_kib),
             "--high-water-kib", str(args.high_water_kib)]
    script = str(HERE / "aiortc_role.py")
    offerer = Role([sys.executable, script, "offer"] + sizes)
    answerer = Role([sys.executable, script, "answer"] + sizes)
    try:
        answerer.send(offerer.expect("offer"))
        offerer.send(answerer.expect("answer"))
        opened = offerer.expect("open")
        done = answerer.expect("done")
        offerer.expect("sent")
    finally:
        offerer.finish()
        answerer.finish()
    return (opened["opened"] - opened["created"]) / 1e6, (done["finished"] - opened["opened"]) / 1e9, done["bytes"]


# Runs in the page; arguments[0..2] are the sizes and the high water mark, the last one selenium's callback.
CHROMIUM_SCRIPT = r"""
const [total, size, HIGH] = [arguments[0], arguments[1], arguments[2]];
const callback = arguments[arguments.length - 1];
const LOW = HIGH / 2;
(async () => {
  const a = new RTCPeerConnection(), b = new RTCPeerConnection();
  a.onicecandidate = e => { if (e.candidate) b.addIceCandidate(e.candidate); };
  b.onicecandidate = e => { if (e.candidate) a.addIceCandidate(e.candidate); };
  const channel = a.createDataChannel('bench', { ordered: true });
  channel.binaryType = 'arraybuffer';
  channel.bufferedAmountLowThreshold = LOW;
  const done = new Promise((resolve, reject) => {
    b.ondatachannel = e => {
      const rx = e.channel;
      rx.binaryType = 'arraybuffer';
      let received = 0, expected = 0;
      rx.onmessage = m => {
        const sequence = new DataView(m.data).getUint32(0);
        if (sequence !== expected) reject(new Error(`message ${sequence} where ${expected} was due`));
        expected++;
        received += m.data.byteLength;
        if (received >= total) resolve({ finished: performance.now(), bytes: received });
      };
    };
  });
  const opened = new Promise(resolve => { channel.onopen = () => resolve(performance.now()); });
  const created = performance.now();
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription);
  const start = await opened;
  const payload = new Uint8Array(size).fill(0xa5);
  const view = new DataView(payload.buffer);
  let sent = 0, sequence = 0;
  while (sent < total) {
    if (channel.bufferedAmount > HIGH) {
      await new Promise(resolve => { channel.onbufferedamountlow = resolve; });
    }
    const chunk = Math.min(size, total - sent);
    view.setUint32(0, sequence++);
    channel.send(chunk === size ? payload : payload.slice(0, chunk));
    sent += chunk;
  }
  const result = await done;
  a.close(); b.close();
  callback({ setup_ms: start - created, seconds: (result.finished - start) / 1000, bytes: result.bytes });
})().catch(error => callback({ error: String(error) }));
"""


def chromium(args):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    with tempfile.TemporaryDirectory() as profile:
        options = Options()
        options.binary_location = str(CHROMIUM)
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--user-data-dir={profile}",
                         # Plain host candidates: no mDNS names to resolve between two connections of one page.
                         "--disable-features=WebRtcHideLocalIpsWithMdns"):
            options.add_argument(argument)
        driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
        try:
            driver.set_script_timeout(240)
            driver.get("about:blank")
            result = driver.execute_async_script(CHROMIUM_SCRIPT, args.mib << 20, args.message_kib << 10,
                                           args.high_water_kib << 10)
        finally:
            driver.quit()
    if "error" in result:
        raise RuntimeError(f"chromium: {result['error']}")
    return result["setup_ms"], result["seconds"], result["bytes"]


def setup(results):
    times = [r[0] for r in results if r[0] is not None]
    return f"{statistics.median(times):.0f}" if times else "–"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, default=64)
    parser.add_argument("--aiortc-mib", type=int, default=None, help="a smaller size for the slow anchor (default: --mib)")
    parser.add_argument("--message-kib", type=int, default=16)
    parser.add_argument("--configuration", default="release", choices=["release", "debug"])
    parser.add_argument("--high-water-kib", type=int, default=1024,
                        help="the sender waits while more than this is buffered (until half of it)")
    parser.add_argument("--runs", type=int, default=1, help="runs per row; the table shows medians")
    parser.add_argument("--skip", action="append", default=[], choices=["ours", "aiortc", "chromium", "machines"])
    args = parser.parse_args()
    args.aiortc_mib = args.aiortc_mib or args.mib

    rows = []
    for name, peers, run in (("ours", f"ours ↔ ours, 2 processes ({args.configuration})", ours),
                             ("aiortc", "aiortc ↔ aiortc, 2 processes (anchor)", aiortc),
                             ("chromium", "Chromium ↔ Chromium, one page (anchor)", chromium),
                             ("machines", "our SCTP machines alone, in memory, one thread (diagnostic)", machines)):
        if name in args.skip:
            continue
        results = []
        for _ in range(args.runs):
            try:
                results.append(run(args))
            except Exception as error:  # noqa: BLE001 - report the row that failed, keep the others
                print(f"{name}: {error}", file=sys.stderr)
        rows.append((peers, results))

    print("| peers | MiB | runs | setup ms (median) | transfer s (median) | Mbit/s (median) | Mbit/s (min–max) |")
    print("|---|---|---|---|---|---|---|")
    for peers, results in rows:
        if not results:
            print(f"| {peers} | failed | 0 | | | | |")
            continue
        size = results[0][2]
        rates = [size * 8 / seconds / 1e6 for _, seconds, size in results]
        print(f"| {peers} | {size >> 20} | {len(results)} | {setup(results)} "
              f"| {statistics.median(r[1] for r in results):.2f} | {statistics.median(rates):.0f} "
              f"| {min(rates):.0f}–{max(rates):.0f} |")
    print(f"\n{args.message_kib} KiB messages, one reliable ordered channel, sender buffered amount held under {args.high_water_kib} KiB.")

if __name__ == "__main__":
    main()
