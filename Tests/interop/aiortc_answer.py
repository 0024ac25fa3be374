"""Reads an SDP offer on stdin, applies it to an aiortc RTCPeerConnection with
an audio and a video track, and prints aiortc's answer: a check that an
independent WebRTC stack accepts the offers we write."""

import asyncio
import sys

from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack, VideoStreamTrack


async def main():
    offer = sys.stdin.read()
    pc = RTCPeerConnection()
    try:
        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer, type="offer"))
        for transceiver in pc.getTransceivers():
            if transceiver.kind == "audio":
                transceiver.sender.replaceTrack(AudioStreamTrack())
            elif transceiver.kind == "video":
                transceiver.sender.replaceTrack(VideoStreamTrack())
        await pc.setLocalDescription(await pc.createAnswer())
        sys.stdout.write(pc.localDescription.sdp)
    except Exception as error:  # noqa: BLE001 - reported to the test
        sys.stdout.write(f"ERROR {error!r}\n")
    finally:
        await pc.close()


asyncio.run(main())
