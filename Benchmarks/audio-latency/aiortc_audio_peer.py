"""One side of the aiortc-to-aiortc audio call for bench.py (the anchor for CPU):
aiortc sends a raw capture file (48 kHz mono s16, the same bursts our side
captures) as 20 ms frames, Opus-encoded by aiortc, and takes every frame it
receives (decoded by aiortc; nothing plays it). Signaling is the SDP handed
across this process's pipes as JSON lines, as in ../call-media/aiortc_video_peer.py.

    python aiortc_audio_peer.py offer|answer CAPTURE.raw

Out: {"kind": "offer"|"answer", "sdp"}, then {"kind": "received", "frames"} when
told to quit. In: the peer's {"kind": "offer"|"answer", "sdp"}, then {"kind": "quit"}.
"""

import argparse
import asyncio
import fractions
import sys
import time
from pathlib import Path

import av
from aiortc import MediaStreamTrack, RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError

# The video peer's JSON-lines I/O, and its import limits aioice to 127.0.0.1 host candidates.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "call-media"))
from aiortc_video_peer import read_line, write  # noqa: E402

RATE = 48_000
FRAME = RATE // 50  # 20 ms


class CaptureFileTrack(MediaStreamTrack):
    """The file's samples, 20 ms a frame, paced by the wall clock like a microphone, looping."""

    kind = "audio"

    def __init__(self, path):
        super().__init__()
        data = Path(path).read_bytes()
        self.samples = data[: len(data) // (2 * FRAME) * 2 * FRAME]
        self.start = None
        self.pts = 0

    async def recv(self):
        if self.start is None:
            self.start = time.monotonic()
        else:
            self.pts += FRAME
            wait = self.start + self.pts / RATE - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
        offset = (2 * self.pts) % len(self.samples)
        frame = av.AudioFrame(format="s16", layout="mono", samples=FRAME)
        frame.planes[0].update(self.samples[offset : offset + 2 * FRAME])
        frame.pts, frame.sample_rate, frame.time_base = self.pts, RATE, fractions.Fraction(1, RATE)
        return frame


async def run(role, capture, loop):
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    received = [0]
    consumers = []

    async def consume(track):
        while True:
            try:
                await track.recv()
            except MediaStreamError:
                return
            received[0] += 1

    @pc.on("track")
    def on_track(track):
        consumers.append(asyncio.ensure_future(consume(track)))

    if role == "offer":
        pc.addTrack(CaptureFileTrack(capture))
        await pc.setLocalDescription(await pc.createOffer())
        write(kind="offer", sdp=pc.localDescription.sdp)
        answer = await read_line(loop)
        await pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], "answer"))
    else:
        offer = await read_line(loop)
        await pc.setRemoteDescription(RTCSessionDescription(offer["sdp"], "offer"))
        pc.addTrack(CaptureFileTrack(capture))
        await pc.setLocalDescription(await pc.createAnswer())
        write(kind="answer", sdp=pc.localDescription.sdp)
    await read_line(loop)  # quit (or end of input)
    write(kind="received", frames=received[0])
    for consumer in consumers:
        consumer.cancel()
    await pc.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=["offer", "answer"])
    parser.add_argument("capture", type=Path)
    args = parser.parse_args()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.run_until_complete(run(args.role, args.capture, loop))


if __name__ == "__main__":
    main()
