"""An aiortc (PyPI) WebRTC peer that behaves like the seed's browser page, for
interop tests: it joins a room through python-socketio, calls (`--call ID`) or
answers whoever calls, and speaks on the `chat` data channel.

Out, one JSON object per line: {"event": "ready"}, {"event": "incoming", "from"},
{"event": "state", "state"} (RTCPeerConnection connectionState),
{"event": "channel", "label", "state"}, {"event": "chat", "text"},
{"event": "signal", "type"} for each signaling message from the peer,
{"event": "video", "frames", "width", "height"} after the 1st and every 10th
video frame received (with `--video`, which also sends aiortc's own test video),
{"event": "audio-track"} when the peer's audio track arrives (its frames are kept:
the last second, mixed to mono), {"event": "error", "message"}.
With `--audio-tone HZ` (and `--audio-amplitude A`, default 0.3) it sends a sine
through an audio track of its own, paced like a microphone.
In, one command per line: {"chat": TEXT}, {"open": LABEL} (a data channel of
its own, which says "hello from LABEL" once open), {"hangup": true}, {"close": true}
(closes the peer connection without a hangup, as a vanished page would),
{"listen": [HZ, ...]} answers {"event": "audio", "frames", "samples", "rms", "frequency",
"amplitudes": {HZ: peak amplitude}} over the last second received (tone.analyse),
{"quit": true}. Every chat line received is echoed back as "echo: TEXT".
"""

import argparse
import array
import asyncio
import collections
import fractions
import json
import sys
import time

import socketio
from aiortc import MediaStreamTrack, RTCPeerConnection, RTCSessionDescription, VideoStreamTrack
from aiortc.mediastreams import MediaStreamError
from aiortc.sdp import candidate_from_sdp
from av import AudioFrame

import tone


def emit(**obj):
    print(json.dumps(obj), flush=True)


class ToneTrack(MediaStreamTrack):
    """A sine at `frequency` as 20 ms frames of 48 kHz s16, the same in both channels, at
    real time (aiortc's sender pulls as fast as recv returns: the pacing is the track's
    job, as a microphone's would be). Stereo, because aiortc's encoder is stereo and
    its resampler would upmix mono at -3 dB (FFmpeg's centre mix level)."""

    kind = "audio"
    FRAME = 960

    def __init__(self, frequency, amplitude):
        super().__init__()
        self.frequency = frequency
        self.amplitude = amplitude
        self.sent = 0
        self.start = None

    async def recv(self):
        if self.readyState != "live":
            raise MediaStreamError
        if self.start is None:
            self.start = time.monotonic()
        else:
            await asyncio.sleep(max(0.0, self.start + self.sent / tone.RATE - time.monotonic()))
        mono = tone.tone_samples(self.frequency, self.FRAME, self.amplitude, self.sent)
        frame = AudioFrame(format="s16", layout="stereo", samples=self.FRAME)
        frame.planes[0].update(tone.to_s16([x for x in mono for _ in (0, 1)]))
        frame.pts = self.sent
        frame.sample_rate = tone.RATE
        frame.time_base = fractions.Fraction(1, tone.RATE)
        self.sent += self.FRAME
        return frame


class Page:
    def __init__(self, user, room, call_target, video, audio_tone=None, audio_amplitude=0.3):
        self.video = video
        self.audio_tone = audio_tone
        self.audio_amplitude = audio_amplitude
        # The last second of the peer's audio, mono, -1..1.
        self.heard = collections.deque(maxlen=tone.RATE)
        self.audio_frames = 0
        self.user = user
        self.room = room
        self.call_target = call_target
        self.peer = None
        self.pc = None
        self.channel = None
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("msg", self.on_msg)

    async def relay(self, event, **fields):
        await self.sio.emit(event, {"userId": self.user, "targetUid": self.peer, **fields})

    def new_pc(self):
        pc = RTCPeerConnection()

        @pc.on("connectionstatechange")
        async def on_state():
            emit(event="state", state=pc.connectionState)

        @pc.on("datachannel")
        def on_datachannel(channel):
            self.attach(channel)

        @pc.on("track")
        def on_track(track):
            if track.kind == "video":
                asyncio.ensure_future(self.count_frames(track))
            elif track.kind == "audio":
                emit(event="audio-track")
                asyncio.ensure_future(self.keep_audio(track))

        if self.audio_tone is not None:
            pc.addTrack(ToneTrack(self.audio_tone, self.audio_amplitude))
        if self.video:
            pc.addTrack(VideoStreamTrack())
        self.pc = pc
        return pc

    def attach(self, channel):
        self.channel = channel

        @channel.on("open")
        def on_open():
            emit(event="channel", label=channel.label, state="open")

        @channel.on("close")
        def on_close():
            emit(event="channel", label=channel.label, state="closed")

        @channel.on("message")
        def on_message(message):
            if isinstance(message, str):
                emit(event="chat", text=message if len(message) < 1000 else f"<{len(message)} characters>")
                if not message.startswith("echo: ") and len(message) < 1000:
                    channel.send("echo: " + message)

        if channel.readyState == "open":
            emit(event="channel", label=channel.label, state="open")

    async def count_frames(self, track):
        frames = 0
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            frames += 1
            if frames == 1 or frames % 10 == 0:
                emit(event="video", frames=frames, width=frame.width, height=frame.height)

    async def keep_audio(self, track):
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            self.audio_frames += 1
            # aiortc decodes Opus to packed (interleaved) s16; mix the channels to mono.
            channels = len(frame.layout.channels)
            pcm = array.array("h")
            pcm.frombytes(bytes(frame.planes[0])[: frame.samples * channels * 2])
            if sys.byteorder != "little":
                pcm.byteswap()
            for n in range(0, len(pcm) - channels + 1, channels):
                self.heard.append(sum(pcm[n:n + channels]) / (channels * 32768))

    async def listen(self, frequencies):
        # In a thread: the pure-Python analysis takes a few hundred ms, which on the event
        # loop would stall our own tone (and the peer would hear the gap).
        heard, frames = list(self.heard), self.audio_frames
        measured = await asyncio.to_thread(tone.analyse, heard, frequencies)
        emit(event="audio", frames=frames, **measured)

    async def on_msg(self, envelope):
        kind = envelope.get("type")
        data = envelope.get("data") or {}
        if kind in ("join", "leave"):
            return
        sender = data.get("userId")
        emit(event="signal", type=kind)
        if kind == "call":
            self.peer = sender
            emit(event="incoming", **{"from": sender})
            await self.relay("accept")
        elif kind == "offer":
            self.peer = sender
            pc = self.new_pc()
            await pc.setRemoteDescription(RTCSessionDescription(**data["offer"]))
            await pc.setLocalDescription(await pc.createAnswer())
            await self.relay("answer", answer={"type": "answer", "sdp": pc.localDescription.sdp})
        elif kind == "answer" and self.pc is not None:
            await self.pc.setRemoteDescription(RTCSessionDescription(**data["answer"]))
        elif kind == "candidate" and self.pc is not None:
            init = data.get("candidate") or {}
            text = init.get("candidate") or ""
            if not text:
                await self.pc.addIceCandidate(None)
                return
            candidate = candidate_from_sdp(text.removeprefix("candidate:"))
            candidate.sdpMid = init.get("sdpMid")
            candidate.sdpMLineIndex = init.get("sdpMLineIndex")
            await self.pc.addIceCandidate(candidate)
        elif kind == "hangup":
            await self.close_pc()
        elif kind == "error":
            emit(event="error", message=envelope.get("msg"))

    async def place_call(self):
        self.peer = self.call_target
        await self.relay("call")
        pc = self.new_pc()
        self.attach(pc.createDataChannel("chat"))
        # aiortc does not trickle: the offer carries every candidate.
        await pc.setLocalDescription(await pc.createOffer())
        await self.relay("offer", offer={"type": "offer", "sdp": pc.localDescription.sdp})

    async def close_pc(self):
        if self.pc is not None:
            await self.pc.close()
            self.pc = None

    async def commands(self):
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=1 << 20)  # commands carry 64 KiB chat lines
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        while line := await reader.readline():
            command = json.loads(line)
            if "chat" in command:
                if self.channel is None or self.channel.readyState != "open":
                    emit(event="error", message="chat is not open")
                else:
                    self.channel.send(command["chat"])
            elif "open" in command and self.pc is not None:
                extra = self.pc.createDataChannel(command["open"])

                @extra.on("open")
                def on_extra_open(channel=extra):
                    emit(event="channel", label=channel.label, state="open")
                    channel.send(f"hello from {channel.label}")
            elif command.get("hangup"):
                await self.relay("hangup")
                await self.close_pc()
            elif command.get("close"):
                await self.close_pc()
            elif "listen" in command:
                await self.listen(command["listen"])
            elif command.get("quit"):
                break

    async def run(self, server):
        query = f"userId={self.user}&roomId={self.room}&nickname={self.user}"
        await self.sio.connect(f"{server}?{query}", transports=["websocket"])
        emit(event="ready")
        if self.call_target:
            await self.place_call()
        await self.commands()
        await self.close_pc()
        await self.sio.disconnect()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--room", required=True)
    parser.add_argument("--call", dest="call_target")
    parser.add_argument("--video", action="store_true")
    parser.add_argument("--audio-tone", type=float, help="send a sine of this frequency (Hz)")
    parser.add_argument("--audio-amplitude", type=float, default=0.3, help="its peak, 0..1 of full scale")
    args = parser.parse_args()
    page = Page(args.user, args.room, args.call_target, args.video, args.audio_tone, args.audio_amplitude)
    asyncio.run(page.run(args.server))
