"""Audio both ways between our headless terminal and aiortc (PyPI), in both call
roles: a 440 Hz tone read by our capture from a file (ALSA file plugin) is
decoded by aiortc (PyAV's libopus), which finds it at 440 Hz and at its level;
aiortc's own 660 Hz tone is decoded by us and written by our playback to a
file, where it is found the same way. Neither aiortc nor our receiver knows the
tone's frequency in advance: a wrong rate, a stereo/mono mixup or a gain error
shows as a wrong frequency or level.

A missing aiortc fails these tests (they are about aiortc)."""

import time

import pytest

from conftest import import_or_fail
from test_aiortc_call import AiortcPeer
from tone import RATE, alsa_config, analyse, from_s16, level_db, write_tone

OURS_HZ, OURS_AMPLITUDE = 440, 0.3
THEIRS_HZ, THEIRS_AMPLITUDE = 660, 0.3  # aiortc_peer.py's default amplitude


@pytest.fixture
def aiortc_tone_peer(signaling_server):
    for module in ("aiortc", "av", "socketio", "aiohttp"):
        import_or_fail(module)
    host, port = signaling_server
    started = []

    def start(user, call=None):
        peer = AiortcPeer(f"http://{host}:{port}", user, call, audio_tone=THEIRS_HZ)
        started.append(peer)
        peer.expect(event="ready")
        return peer

    yield start
    for peer in started:
        peer.stop()


def assert_tone(measured, frequency, amplitude, neighbours, where):
    """One tone at `frequency` and `amplitude` (peak), little else: the zero-crossing
    frequency within 1%, the tone's amplitude within 3 dB, the neighbours 20 dB below,
    and the tone at least 80% of the signal's energy."""
    tone = measured["amplitudes"][str(frequency)]
    assert abs(measured["frequency"] - frequency) < frequency / 100, (where, measured)
    assert abs(level_db(tone, amplitude)) < 3, (where, f"{tone:.3f} peak, expected {amplitude}", measured)
    for other in neighbours:
        assert measured["amplitudes"][str(other)] < tone / 10, (where, other, measured)
    assert (tone * tone / 2) / (measured["rms"] ** 2) > 0.8, (where, "not a pure tone", measured)


@pytest.mark.parametrize("we_call", [True, False], ids=["we-offer", "aiortc-offers"])
def test_tones_both_ways_with_aiortc(terminal, aiortc_tone_peer, tmp_path, we_call):
    captured, heard = tmp_path / "tone.raw", tmp_path / "heard.raw"
    write_tone(captured, OURS_HZ, 40, OURS_AMPLITUDE)  # longer than the call: past its end ALSA repeats stale data
    env = alsa_config(tmp_path, captured, heard)
    if we_call:
        ours = terminal("1001", env=env)
        theirs = aiortc_tone_peer("1002")
        ours.expect(event="users", users=[{"userId": "1002", "nickname": "1002"}])
        ours.send("call 1002")
    else:
        ours = terminal("1001", "--auto-answer", env=env)
        theirs = aiortc_tone_peer("1002", call="1001")
    ours.expect_state("inCall", timeout=20)
    theirs.expect(event="audio-track", timeout=20)

    # Ours to aiortc: a full second of steady tone (past Opus's start-up) in aiortc's decoder.
    neighbours = (OURS_HZ * 3 // 4, OURS_HZ * 5 // 4)
    deadline = time.monotonic() + 20
    while True:
        theirs.send(listen=[OURS_HZ, *neighbours])
        measured = theirs.expect(event="audio")
        if measured["frames"] >= 150 and measured["samples"] == RATE:
            break
        assert time.monotonic() < deadline, f"aiortc decoded too little of our audio: {measured}"
        time.sleep(0.5)
    print("aiortc hearing us:", measured)
    assert_tone(measured, OURS_HZ, OURS_AMPLITUDE, neighbours, "aiortc hearing us")

    # aiortc to us: its tone in our playback file.
    stats = ours.stats_until(lambda s: s["audio"]["framesPlayed"] > 150 and s["audio"]["packetsReceived"] > 150,
                             "playing aiortc's audio")
    assert stats["audio"]["packetsReceived"] > 150, stats
    # aiortc sends its RFC 6464 level but never the voice activity flag: a -10 dBov tone
    # must still show as speaking.
    assert stats["audio"]["speaking"] is True and stats["audio"]["audioLevel"] < 30, stats["audio"]
    assert stats["audio"]["packetsDiscarded"] == 0 and stats["audio"]["clockResyncs"] == 0, stats["audio"]
    samples = from_s16(heard.read_bytes())
    assert len(samples) > 3 * RATE, f"only {len(samples)} samples played"
    neighbours = (THEIRS_HZ * 3 // 4, THEIRS_HZ * 5 // 4)
    # The best of the last three seconds' one-second windows (half a second apart): a
    # stall of this shared machine shows as a concealed glitch, which is not what is checked.
    windows = [samples[len(samples) - RATE - step * RATE // 2:len(samples) - step * RATE // 2] for step in range(5)]
    heard_tone = max((analyse(w, [THEIRS_HZ, *neighbours]) for w in windows),
                     key=lambda m: m["amplitudes"][str(THEIRS_HZ)])
    print("us hearing aiortc:", heard_tone, stats["audio"])
    assert_tone(heard_tone, THEIRS_HZ, THEIRS_AMPLITUDE, neighbours, "us hearing aiortc")

    ours.send("hangup")
    ours.expect_state("ended")
    assert ours.quit() == 0
