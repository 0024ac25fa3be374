"""What the ncurses room screen costs in a video call: two `call` clients in tmux
(Debian's tmux) on loopback through `call serve`, the caller's threads measured from
/proc over a window of the call. Prints a table per binary, so a build can be set
beside another (the anchor: an earlier build, or the same one) in one run.

    .venv/bin/python Benchmarks/screen-wakeups/bench.py --binary .build/release/call [--binary OTHER] [--seconds 10]

The CPU of a thread is its user + system time over the window; wake-ups are its
voluntary context switches per second.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "Tests" / "interop"))
from tmux_terminal import Terminal  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def threads(pid):
    """Per thread: name, CPU seconds, voluntary context switches."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            fields = open(f"/proc/{pid}/task/{tid}/stat").read().rsplit(")", 1)[1].split()
            name = open(f"/proc/{pid}/task/{tid}/comm").read().strip()
            switches = next(int(line.split()[1]) for line in open(f"/proc/{pid}/task/{tid}/status")
                            if line.startswith("voluntary_ctxt_switches"))
        except (FileNotFoundError, ProcessLookupError):
            continue
        out[tid] = (name, (int(fields[11]) + int(fields[12])) / TICKS, switches)
    return out


def measure(binary, seconds):
    server = subprocess.Popen([str(binary), "serve", "--port", "0"], stdout=subprocess.PIPE, text=True)
    port = int(server.stdout.readline().strip().rsplit(":", 1)[1])
    socket = f"bench-{uuid.uuid4().hex[:8]}"
    try:
        with tempfile.TemporaryDirectory() as folder:
            def start(user, nickname):
                command = (f"{binary} --user {user} --room 7 --nickname {nickname} "
                           f"--server http://127.0.0.1:{port} --log-file {folder}/call-{user}.log")
                terminal = Terminal(socket, f"u{user}", command)
                terminal.wait_for("room 7")
                return terminal

            caller, callee = start("1", "alice"), start("2", "bob")
            caller.wait_for("bob (2)")
            caller.keys("Enter")
            callee.wait_for("incoming call from alice")
            callee.keys("y")
            caller.wait_for("in call with bob", timeout=15)
            time.sleep(4)  # past the first keyframes
            pid = int(subprocess.run(["pgrep", "-f", f"^{binary} --user 1 "], capture_output=True,
                                     text=True, check=True).stdout.split()[0])
            before = threads(pid)
            time.sleep(seconds)
            after = threads(pid)
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)
        server.terminate()
    rows = []
    for tid, (name, cpu, switches) in after.items():
        if tid in before:
            rows.append((name, (cpu - before[tid][1]) / seconds * 100, (switches - before[tid][2]) / seconds))
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", type=Path, action="append", required=True, help="a call executable (repeatable)")
    parser.add_argument("--seconds", type=float, default=10)
    arguments = parser.parse_args()
    for binary in arguments.binary:
        rows = measure(binary.resolve(), arguments.seconds)
        print(f"\n{binary} (the caller, {arguments.seconds:.0f} s of a call)\n")
        print("| thread | CPU % of a core | wake-ups / s |")
        print("|---|---|---|")
        for name, cpu, wakes in sorted(rows, key=lambda row: -row[1]):
            if cpu > 0 or wakes >= 1:
                print(f"| {name} | {cpu:.1f} | {wakes:.0f} |")
        print(f"| whole process | {sum(row[1] for row in rows):.1f} | {sum(row[2] for row in rows):.0f} |")


if __name__ == "__main__":
    main()
