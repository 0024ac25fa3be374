"""Audio between two of our terminals through ALSA's file plugin (no sound card
here): a 440 Hz tone captured from a file on one side goes through Opus, RTP and
SRTP and is written by the other side's playback to a file; the test finds the
tone's frequency and level there, and checks mute and the speaking indicator."""

import math
import struct
import subprocess
import time

from tone import RATE, alsa_config, from_s16, goertzel_power, to_s16, tone_samples, write_tone


def tone_call(terminal, tmp_path, *flags):
    """1001 captures a 440 Hz tone at -10 dBov and calls 1002, which captures silence and
    plays to the returned file; both with `flags`. Returns (1001, 1002, that file)."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    tone, silence = tmp_path / "tone.raw", tmp_path / "silence.raw"
    write_tone(tone, 440, 30, 0.3)
    silence.write_bytes(bytes(2 * RATE * 30))
    heard = tmp_path / "b" / "out.raw"
    alice = terminal("1001", *flags, env=alsa_config(tmp_path / "a", tone, tmp_path / "a" / "out.raw"))
    bob = terminal("1002", "--auto-answer", *flags, env=alsa_config(tmp_path / "b", silence, heard))
    alice.expect(event="users", users=[{"userId": "1002", "nickname": "1002"}])
    alice.send("call 1002")
    alice.expect_state("inCall", timeout=20)
    return alice, bob, heard


def assert_440_hz(samples):
    """The tone at 440 Hz, not 330 or 550."""
    powers = {f: goertzel_power(samples, f) for f in (330, 440, 550)}
    assert powers[440] > 100 * max(powers[330], powers[550]), powers


def test_a_tone_crosses_the_call_and_mute_silences_it(terminal, tmp_path):
    alice, bob, heard = tone_call(terminal, tmp_path)
    time.sleep(4)

    bob.send("stats")
    stats = bob.expect(event="stats", timeout=5)
    audio = stats["audio"]
    assert audio["packetsReceived"] > 100, stats
    assert audio["speaking"] is True and audio["audioLevel"] < 30, audio  # a -10 dBov tone

    played = heard.read_bytes()
    samples = [s / 32768 for s in struct.unpack(f"<{len(played) // 2}h", played[: len(played) // 2 * 2])]
    assert len(samples) > RATE * 2, f"only {len(samples)} samples played"
    # The last second played: the tone, at about its level.
    last = samples[-RATE:]
    assert_440_hz(last)
    rms = math.sqrt(sum(x * x for x in last) / len(last))
    expected = 0.3 / math.sqrt(2)
    assert abs(20 * math.log10(rms / expected)) < 3, f"level {rms:.3f}, expected {expected:.3f}"

    alice.send("mute on")
    alice.expect(event="audio", muted=True)
    time.sleep(1.5)
    bob.send("stats")
    muted = bob.expect(event="stats", timeout=5)["audio"]
    assert muted["speaking"] is False and muted["audioLevel"] == 127, muted

    alice.send("hangup")
    bob.expect_state("ended", reason="1001 hung up")
    assert alice.quit() == 0 and bob.quit() == 0


def test_stereo_when_both_ask_keeps_left_and_right_apart(terminal, tmp_path):
    """Both sides pass --stereo (stereo=1; sprop-stereo=1 in each fmtp, RFC 7587): the
    caller captures 440 Hz on the left and 660 Hz on the right, and the callee's playback
    file has each tone on its own side."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    seconds = 30
    left, right = tone_samples(440, RATE * seconds, 0.3), tone_samples(660, RATE * seconds, 0.3)
    interleaved = [v for pair in zip(left, right) for v in pair]
    tones, silence = tmp_path / "stereo.raw", tmp_path / "silence.raw"
    tones.write_bytes(to_s16(interleaved))
    silence.write_bytes(bytes(4 * RATE * seconds))
    heard = tmp_path / "b" / "out.raw"
    alice = terminal("1001", "--stereo", env=alsa_config(tmp_path / "a", tones, tmp_path / "a" / "out.raw"))
    bob = terminal("1002", "--auto-answer", "--stereo", env=alsa_config(tmp_path / "b", silence, heard))
    alice.expect(event="users", users=[{"userId": "1002", "nickname": "1002"}])
    alice.send("call 1002")
    alice.expect_state("inCall", timeout=20)
    time.sleep(4)

    played = from_s16(heard.read_bytes())
    assert len(played) > 2 * RATE * 2, f"only {len(played) // 2} frames played"
    last = played[-2 * RATE:]  # the last second, interleaved L, R
    heard_left, heard_right = last[0::2], last[1::2]
    left_powers = {f: goertzel_power(heard_left, f) for f in (440, 660)}
    right_powers = {f: goertzel_power(heard_right, f) for f in (440, 660)}
    assert left_powers[440] > 30 * left_powers[660], (left_powers, right_powers)
    assert right_powers[660] > 30 * right_powers[440], (left_powers, right_powers)

    alice.send("hangup")
    bob.expect_state("ended", reason="1001 hung up")
    assert alice.quit() == 0 and bob.quit() == 0


def test_an_audio_only_call_carries_the_tone_and_no_video(terminal, tmp_path, call_binary):
    """`--audio-only` on both sides: no video m-line in the offer, no video stats, `v`
    says why, and the tone still arrives."""
    alice, bob, heard = tone_call(terminal, tmp_path, "--audio-only")
    alice.send("video off")
    alice.expect(event="notice", message="audio only: no video in this call")

    stats = bob.stats_until(lambda s: s.get("audio", {}).get("framesPlayed", 0) > 150, "three seconds of audio played")
    assert "videoSending" not in stats and "framesSent" not in stats, stats
    assert_440_hz(from_s16(heard.read_bytes())[-RATE:])

    alice.send("hangup")
    bob.expect_state("ended", reason="1001 hung up")
    assert alice.quit() == 0 and bob.quit() == 0

    # Video flags with --audio-only are a usage error, said in one line.
    result = subprocess.run([str(call_binary), "--user", "1", "--room", "r", "--audio-only", "--fps", "10",
                             "--log-file", str(tmp_path / "log")], capture_output=True, text=True, timeout=20)
    assert result.returncode != 0 and "--audio-only sends no video: drop --fps" in result.stderr, result.stderr
