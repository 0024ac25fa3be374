"""Audio both ways between headless Chromium on our call page and our headless
terminal, in both call roles. Chromium's fake microphone beeps (short tone
bursts at a steady interval); our terminal decodes them and its playback (ALSA
file plugin) writes them to a file, where the bursts are found: loud blocks at
the beep's pitch with silence between, at the beep's rhythm. The terminal's
capture reads a 440 Hz tone from a file; Chromium's inbound-rtp audio stats
(audioLevel, totalAudioEnergy) show it arriving at about its level.

A missing Chromium, chromedriver or selenium fails these tests (they are about
Chromium)."""

import math
import statistics

import pytest

from conftest import ROOM, import_or_fail, required_prerequisite
from headless import HeadlessCall
from test_browser_call import CHROMEDRIVER, CHROMIUM, browsers  # noqa: F401 - browsers is a fixture
from tone import RATE, alsa_config, from_s16, rms, tone_amplitude, write_tone

OURS_HZ, OURS_AMPLITUDE = 440, 0.3
BLOCK = RATE // 100  # 10 ms analysis blocks
# Chromium's fake microphone (media/audio/fake_audio_input_stream.cc): a 400 Hz
# square-ish beep of 20 ms every 500 ms. Its audio processing (AGC, noise
# suppression) changes the beeps' level during a call, not their pitch or rhythm.
BEEP_HZ, BEEP_INTERVAL = 400, RATE // 2


@pytest.fixture
def required_browsers(request):
    import_or_fail("selenium")
    for path in (CHROMIUM, CHROMEDRIVER):
        if not path.exists():
            required_prerequisite(f"{path} (apt-get install chromium chromium-driver)")
    return request.getfixturevalue("browsers")


def bursts(samples):
    """Per 10 ms block: its RMS; plus the onsets (a loud block after a quiet one, as
    sample indices) where loud means above a tenth of the loudest block."""
    levels = [rms(samples[n:n + BLOCK]) for n in range(0, len(samples) - BLOCK + 1, BLOCK)]
    loudest = max(levels, default=0)
    loud = [level > loudest / 10 for level in levels]
    onsets = [i * BLOCK for i in range(1, len(loud)) if loud[i] and not loud[i - 1]]
    return levels, loud, onsets


def square_wave_ratio(samples, fundamental=BEEP_HZ):
    """Energy at the odd harmonics of `fundamental` (a square wave's) over energy at the
    other multiples of half of it, for the first 40 ms of a burst: large for the fake
    microphone's beep, about 1 for noise or concealment."""
    window = samples[:4 * BLOCK]
    odd = sum(tone_amplitude(window, fundamental * k) ** 2 for k in (1, 3, 5, 7))
    other = sum(tone_amplitude(window, fundamental * k / 2) ** 2 for k in (1, 3, 4, 5, 8, 12))
    return odd / max(other, 1e-12)


@pytest.mark.parametrize("page_calls,audio_only", [(True, False), (False, False), (True, True)],
                         ids=["page-offers", "terminal-offers", "page-offers-terminal-audio-only"])
def test_audio_both_ways_between_the_page_and_the_terminal(required_browsers, signaling_server, call_binary,
                                                           tmp_path, page_calls, audio_only):
    """With `--audio-only` the terminal rejects the page's video m-line (port 0) and the
    call goes on with audio alone."""
    host, port = signaling_server
    captured, heard = tmp_path / "tone.raw", tmp_path / "heard.raw"
    write_tone(captured, OURS_HZ, 40, OURS_AMPLITUDE)
    page = required_browsers("1001")
    with HeadlessCall(call_binary, "1002", ROOM, f"http://{host}:{port}", tmp_path, ["--audio-only"] if audio_only else [],
                      env=alsa_config(tmp_path, captured, heard)) as terminal:
        if page_calls:
            terminal.answer(page)
        else:
            terminal.expect(event="signaling", status="connected")
            terminal.expect(event="users", users=[{"userId": "1001", "nickname": "1001"}])
            terminal.send("call 1001")
            page.wait_state("incoming")
            page.click("#accept")
            terminal.expect_state("inCall", timeout=20)
        page.wait_state("inCall")

        # Ours at the page: Chromium decodes and plays our tone (audioLevel is the peak of
        # recent audio, 0..1; energy / duration the mean square of those levels).
        stats = page.wait_for(
            lambda: (lambda s: s if s["audioPacketsReceived"] > 200 and (s["totalSamplesDuration"] or 0) > 3 else None)(
                page.stats()),
            "four seconds of our audio at the page", timeout=30)
        print(f"at the page: audioLevel {stats['audioLevel']}, energy {stats['totalAudioEnergy']:.3f} over "
              f"{stats['totalSamplesDuration']:.2f} s")
        assert stats["audioInboundCodec"] == "audio/opus", stats
        assert stats["audioLevel"] is not None and abs(20 * math.log10(stats["audioLevel"] / OURS_AMPLITUDE)) < 3, stats
        mean_level = math.sqrt(stats["totalAudioEnergy"] / stats["totalSamplesDuration"])
        assert mean_level > OURS_AMPLITUDE / 3, (mean_level, stats)

        # Theirs at the terminal: Chromium's beeps in our playback file.
        played = terminal.stats_until(lambda s: s.get("audio", {}).get("framesPlayed", 0) > 400, "eight seconds of the page's audio played")
        assert ("videoSending" in played) != audio_only, played
        samples = from_s16(heard.read_bytes())[-6 * RATE:]
        levels, loud, onsets = bursts(samples)
        print(f"levels: max {max(levels):.3f}, median {statistics.median(levels):.4f}; onsets {onsets}")
        assert max(levels) > 0.02, f"no beep in what we played (loudest 10 ms at {max(levels):.4f} RMS)"
        # Bursts with quiet between: most blocks are quiet, and the quiet ones near silence.
        assert sum(loud) < 0.5 * len(loud), f"not bursts: {sum(loud)} of {len(loud)} blocks loud"
        quiet = [level for level, is_loud in zip(levels, loud) if not is_loud]
        assert statistics.median(quiet) < max(levels) / 30, (statistics.median(quiet), max(levels))
        # At the beep's rhythm: most onsets 500 ms after the one before (a stall on this
        # loaded machine, concealed, may shift one or add a spurious onset).
        intervals = [b - a for a, b in zip(onsets, onsets[1:])]
        print(f"intervals (ms): {[i * 1000 // RATE for i in intervals]}")
        on_rhythm = [i for i in intervals if abs(i - BEEP_INTERVAL) <= 2 * BLOCK]
        assert len(on_rhythm) >= 4 and len(on_rhythm) >= 0.5 * len(intervals), intervals
        # And with the beep's spectrum: the odd harmonics of 400 Hz.
        ratios = [square_wave_ratio(samples[o:]) for o in onsets]
        print(f"odd-harmonic ratios: {[round(r, 1) for r in ratios]}")
        assert sum(r > 4 for r in ratios) >= 0.75 * len(ratios), ratios

        terminal.send("hangup")
        page.wait_state("idle")
        assert terminal.quit() == 0
