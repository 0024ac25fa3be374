"""Video between two of our terminals (`call --no-ui`): frames decoded both ways,
the source switched mid-call to a Y4M file of another size without renegotiating,
video off (black frames), the bitrate cap, and a snapshot of the peer's picture."""

import time


def write_y4m(path, width, height, frames):
    """A small Y4M clip: moving grey ramps, 4:2:0."""
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F15:1 Ip A1:1 C420jpeg\n".encode())
        for n in range(frames):
            out.write(b"FRAME\n")
            out.write(bytes((x + y + 8 * n) % 220 + 16 for y in range(height) for x in range(width)))
            out.write(bytes([128]) * (2 * ((width + 1) // 2) * ((height + 1) // 2)))


def test_video_both_ways_source_switch_video_off_cap_and_snapshot(terminal, tmp_path):
    clip = tmp_path / "clip.y4m"
    write_y4m(clip, 176, 144, 30)
    alice = terminal("1001", "--video-file", str(clip))
    bob = terminal("1002", "--auto-answer")
    alice.expect(event="users", users=[{"userId": "1002", "nickname": "1002"}])
    alice.send("call 1002")
    alice.expect_state("inCall", timeout=20)

    # Alice starts with her file (176x144); bob sends the 640x360 test pattern.
    bob.stats_until(lambda s: s.get("framesDecoded", 0) > 5 and s.get("frameWidth") == 176, "decoding alice's file")
    alice.stats_until(lambda s: s.get("framesDecoded", 0) > 5 and s.get("frameWidth") == 640, "decoding bob's pattern")

    # Source switch: same call, no new offer, a new size at bob.
    alice.send("source next")
    alice.expect(event="notice", message="video source: test pattern")
    bob.stats_until(lambda s: s.get("frameWidth") == 640, "the switch to the test pattern")

    alice.send("video off")
    alice.expect(event="video", sending=False)
    stats = alice.stats_until(lambda s: s.get("videoSending") is False, "video off")
    sent = stats["framesSent"]
    time.sleep(2)
    # Black frames go on at a low rate, not at the full 15 fps.
    assert alice.stats_until(lambda s: True, "stats")["framesSent"] - sent <= 6
    alice.send("video on")
    alice.expect(event="video", sending=True)

    alice.send("bitrate 256")
    alice.expect(event="notice", message="video bitrate cap 256 kbit/s")
    alice.stats_until(lambda s: 0 < s.get("targetBitrate", 0) <= 256_000, "the cap")

    bob.send("snapshot")
    saved = bob.expect(event="notice", timeout=5)
    assert saved["message"].startswith("saved the peer's picture to "), saved
    path = saved["message"].removeprefix("saved the peer's picture to ")
    with open(path, "rb") as picture:
        assert picture.read(2) == b"P6"

    alice.send("hangup")
    bob.expect_state("ended", reason="1001 hung up")
    assert alice.quit() == 0 and bob.quit() == 0


def test_a_bad_video_file_is_refused_with_how_to_make_one(call_binary, tmp_path):
    import subprocess

    bad = tmp_path / "not.y4m"
    bad.write_bytes(b"hello")
    result = subprocess.run([str(call_binary), "--user", "1", "--room", "r", "--no-ui", "--video-file", str(bad),
                             "--log-file", str(tmp_path / "log")], capture_output=True, text=True, timeout=20)
    assert result.returncode != 0
    assert "is not a readable Y4M file" in result.stderr and "ffmpeg" in result.stderr, result.stderr


def test_under_five_percent_loss_video_recovers_through_nack_and_audio_is_concealed(terminal):
    """Bob drops 5% of the RTP he receives (CALL_SIMULATE_LOSS; no netem here): NACKs
    bring packets back as RTX, the picture keeps moving (no freeze over 3 s), and
    audio loss is filled by FEC or concealment."""
    alice = terminal("1001")
    bob = terminal("1002", "--auto-answer", env={"CALL_SIMULATE_LOSS": "0.05"})
    alice.expect(event="users", users=[{"userId": "1002", "nickname": "1002"}])
    alice.send("call 1002")
    alice.expect_state("inCall", timeout=20)
    time.sleep(8)
    stats = bob.stats_until(lambda s: s.get("framesDecoded", 0) > 60, "decoding under loss")
    assert stats["nackCount"] > 0 and stats["retransmittedPacketsReceived"] > 0, stats
    # About 0.6 s on an idle machine; a loaded CI machine stretches keyframe recovery.
    assert stats["longestFrameGap"] < 3.0, stats
    sent = alice.stats_until(lambda s: True, "stats")
    assert sent["nacksReceived"] > 0 and sent["retransmittedPacketsSent"] > 0, sent
    assert stats["audio"]["concealedFrames"] > 0 and stats["audio"]["framesPlayed"] > 300, stats["audio"]
    alice.send("hangup")
    assert alice.quit() == 0 and bob.quit() == 0
