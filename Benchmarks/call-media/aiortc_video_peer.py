"""One side of the aiortc-to-aiortc video call for bench.py: 640x480 at 30 fps
both ways, stamped with our frame stamp (framestamp.py) at capture, plus
aiortc's stock AudioStreamTrack (20 ms of silence, Opus-encoded) both ways.
Signaling is the SDP handed across this process's pipes by bench.py, as JSON
lines (no signaling server: aiortc does not trickle, its offer and answer carry
every candidate).

    python aiortc_video_peer.py offer|answer

Out, one JSON object per line: {"kind": "offer"|"answer", "sdp"} (the answer
also has "acceptMs", the wall clock just before it applied the offer: the
moment it "accepts"), then {"kind": "frame", "seenMs", "frame", "latencyMs"}
for every remote video frame the application gets from track.recv() (decoded,
in the asyncio loop; nothing is drawn), "frame"/"latencyMs" only when the stamp
reads. In: the peer's {"kind": "offer"|"answer", "sdp"}, then {"kind": "quit"}.

The picture is ffmpeg's testsrc2 (through PyAV's lavfi: moving colour bars, a
gradient, a counter; generated as it is pulled), with the stamp over its top
band: motion for the encoder like our test pattern's, not the same picture.
Host candidates are 127.0.0.1 only (aioice would otherwise use the machine's
other addresses); no STUN.
"""

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

import aioice.ice
import av
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription, VideoStreamTrack
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError

sys.path.insert(0, str(Path(__file__).resolve().parent))
import framestamp  # noqa: E402

aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]

WIDTH, HEIGHT, FPS = 640, 480, 30


def write(**line):
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


def wall_ms():
    return time.time() * 1000


class StampedTestSource(VideoStreamTrack):
    """testsrc2 frames, paced by aiortc's VideoStreamTrack clock (30 fps), stamped when taken."""

    def __init__(self):
        super().__init__()
        self.container = av.open(f"testsrc2=size={WIDTH}x{HEIGHT}:rate={FPS}", format="lavfi")
        self.frames = self.container.decode(video=0)
        self.number = 0
        band = framestamp.band_height(HEIGHT)
        self.grey_chroma = bytes([128]) * (WIDTH // 2) * (band // 2 + 1)

    async def recv(self):
        pts, time_base = await self.next_timestamp()
        frame = next(self.frames)
        luma = memoryview(frame.planes[0])
        framestamp.draw(luma, frame.planes[0].line_size, WIDTH, HEIGHT, self.number, int(wall_ms()))
        for plane in frame.planes[1:]:  # grey under the band, as our pattern's black and white blocks are
            memoryview(plane)[: len(self.grey_chroma)] = self.grey_chroma
        self.number += 1
        frame.pts, frame.time_base = pts, time_base
        return frame


async def consume_video(track):
    while True:
        try:
            frame = await track.recv()
        except MediaStreamError:
            return
        seen = wall_ms()
        plane = frame.planes[0]
        stamp = framestamp.decode(memoryview(plane), plane.line_size, frame.width, frame.height)
        line = {"kind": "frame", "seenMs": seen, "width": frame.width, "height": frame.height}
        if stamp:
            line["frame"], line["latencyMs"] = stamp[0], framestamp.since(stamp[1], seen)
        write(**line)


async def consume_audio(track):
    # Taken and dropped, so aiortc's receive queue does not grow (nothing plays it).
    while True:
        try:
            await track.recv()
        except MediaStreamError:
            return


async def read_line(loop):
    while True:
        text = await loop.run_in_executor(None, sys.stdin.readline)
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError:
            continue


async def run(role, loop):
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    consumers = []

    @pc.on("track")
    def on_track(track):
        consumers.append(asyncio.ensure_future(consume_video(track) if track.kind == "video" else consume_audio(track)))

    def add_tracks():
        pc.addTrack(AudioStreamTrack())
        pc.addTrack(StampedTestSource())

    if role == "offer":
        add_tracks()
        await pc.setLocalDescription(await pc.createOffer())
        write(kind="offer", sdp=pc.localDescription.sdp)
        answer = await read_line(loop)
        await pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], "answer"))
    else:
        offer = await read_line(loop)
        accepted = wall_ms()
        await pc.setRemoteDescription(RTCSessionDescription(offer["sdp"], "offer"))
        add_tracks()
        await pc.setLocalDescription(await pc.createAnswer())
        write(kind="answer", sdp=pc.localDescription.sdp, acceptMs=accepted)
    await read_line(loop)  # quit (or end of input)
    for consumer in consumers:
        consumer.cancel()
    await pc.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=["offer", "answer"])
    role = parser.parse_args().role
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.run_until_complete(run(role, loop))


if __name__ == "__main__":
    main()
