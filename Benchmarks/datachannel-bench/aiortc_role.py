"""One side of the aiortc-to-aiortc anchor, speaking the same JSON lines as
`datachannel-bench offer|answer` (see Protocol.swift), so bench.py drives both
stacks the same way: two processes, SDP across their pipes, the offerer sends
`--mib` MiB in `--message-kib` KiB binary messages on one reliable ordered
channel, the answerer reports when the last byte is in.

    python aiortc_role.py offer|answer [--mib 64] [--message-kib 16] [--high-water-kib 1024]

Host candidates are restricted to 127.0.0.1 (aioice leaves loopback out by
default and would use the machine's other addresses) and there is no STUN
server, so all traffic stays on loopback.
"""

import argparse
import asyncio
import json
import sys
import time

import aioice.ice
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]

LABEL = "bench"


def write(**line):
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


async def read_line(loop):
    while True:
        text = await loop.run_in_executor(None, sys.stdin.readline)
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError:
            continue


async def offer(args, loop):
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    channel = pc.createDataChannel(LABEL, ordered=True)
    opened = asyncio.Event()
    low = asyncio.Event()
    high_water = args.high_water_kib << 10
    channel.bufferedAmountLowThreshold = high_water // 2
    channel.on("open", opened.set)
    channel.on("bufferedamountlow", low.set)

    created = time.monotonic_ns()
    await pc.setLocalDescription(await pc.createOffer())  # gathers every candidate
    write(kind="offer", sdp=pc.localDescription.sdp)
    answer = await read_line(loop)
    await pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], "answer"))
    await opened.wait()
    start = time.monotonic_ns()
    write(kind="open", created=created, opened=start)

    total, size = args.mib << 20, args.message_kib << 10
    payload = bytearray(b"\xa5" * size)
    sent = sequence = waits = 0
    while sent < total:
        if channel.bufferedAmount > high_water:
            waits += 1
            low.clear()
            await low.wait()
        chunk = min(size, total - sent)
        payload[0:4] = sequence.to_bytes(4, "big")
        channel.send(bytes(payload[:chunk]))
        sent += chunk
        sequence += 1
    write(kind="sent", bytes=sent, finished=time.monotonic_ns(), waits=waits)
    await read_line(loop)
    await pc.close()


async def answer(args, loop):
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    total = args.mib << 20
    done = asyncio.Event()
    state = {"received": 0, "expected": 0, "first": None, "error": None}

    @pc.on("datachannel")
    def on_channel(channel):
        @channel.on("message")
        def on_message(message):
            if state["first"] is None:
                state["first"] = time.monotonic_ns()
            sequence = int.from_bytes(message[0:4], "big")
            if sequence != state["expected"] and state["error"] is None:
                state["error"] = f"message {sequence} arrived where {state['expected']} was due"
            state["expected"] += 1
            state["received"] += len(message)
            if state["received"] >= total:
                state["finished"] = time.monotonic_ns()
                done.set()

    offer_line = await read_line(loop)
    await pc.setRemoteDescription(RTCSessionDescription(offer_line["sdp"], "offer"))
    await pc.setLocalDescription(await pc.createAnswer())
    write(kind="answer", sdp=pc.localDescription.sdp)
    await done.wait()
    if state["error"]:
        print(state["error"], file=sys.stderr)
        sys.exit(1)
    write(kind="done", bytes=state["received"], finished=state["finished"], first=state["first"])
    await read_line(loop)
    await pc.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=["offer", "answer"])
    parser.add_argument("--mib", type=int, default=64)
    parser.add_argument("--message-kib", type=int, default=16)
    parser.add_argument("--high-water-kib", type=int, default=1024)
    args = parser.parse_args()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.run_until_complete((offer if args.role == "offer" else answer)(args, loop))


if __name__ == "__main__":
    main()
