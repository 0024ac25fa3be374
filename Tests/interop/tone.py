"""Tones and their measurement, shared by the audio interop tests and the aiortc
peer: 48 kHz s16 mono raw files for ALSA's file plugin, and a Goertzel filter
(pure Python: no numpy in the venv) that says how much of a signal is one tone."""

import math
import struct

RATE = 48_000


def alsa_config(folder, infile, outfile):
    """An ALSA config of its own for one process (ALSA_CONFIG_PATH replaces alsa.conf,
    so it defines everything it uses): capture reads `infile`, playback writes `outfile`."""
    path = folder / "asound.conf"
    path.write_text(f"""
pcm.filecap {{ type file slave.pcm {{ type null }} file "/dev/null" infile "{infile}" format "raw" }}
pcm.fileplay {{ type file slave.pcm {{ type null }} file "{outfile}" format "raw" }}
pcm.duplex {{ type asym playback.pcm "fileplay" capture.pcm "filecap" }}
pcm.!default {{ type plug slave.pcm "duplex" }}
""")
    return {"ALSA_CONFIG_PATH": str(path)}


def tone_samples(frequency, count, amplitude, start=0):
    """`count` samples (-1..1) of a sine at `frequency`, from sample index `start` on."""
    step = 2 * math.pi * frequency / RATE
    return [amplitude * math.sin(step * (start + n)) for n in range(count)]


def to_s16(samples):
    return struct.pack(f"<{len(samples)}h", *(max(-32768, min(32767, int(round(x * 32767)))) for x in samples))


def from_s16(data):
    count = len(data) // 2
    return [s / 32768 for s in struct.unpack(f"<{count}h", data[: count * 2])]


def write_tone(path, frequency, seconds, amplitude):
    path.write_bytes(to_s16(tone_samples(frequency, RATE * seconds, amplitude)))


def goertzel_power(samples, frequency):
    k = 2 * math.cos(2 * math.pi * frequency / RATE)
    s1 = s2 = 0.0
    for x in samples:
        s1, s2 = x + k * s1 - s2, s1
    return s1 * s1 + s2 * s2 - k * s1 * s2


def tone_amplitude(samples, frequency):
    """The peak amplitude of the `frequency` component: a sine of amplitude A over N
    samples gives a Goertzel power of about (A N / 2)^2 (exact for whole periods)."""
    return 2 * math.sqrt(max(0.0, goertzel_power(samples, frequency))) / max(1, len(samples))


def rms(samples):
    return math.sqrt(sum(x * x for x in samples) / max(1, len(samples)))


def zero_crossing_frequency(samples):
    """The frequency of a dominant tone from its rising zero crossings, with a small
    hysteresis so codec noise near zero does not add crossings."""
    threshold = 0.05 * max((abs(x) for x in samples), default=0)
    crossings = []
    armed = False
    for n, x in enumerate(samples):
        if x < -threshold:
            armed = True
        elif armed and x > threshold:
            crossings.append(n)
            armed = False
    if len(crossings) < 2:
        return 0.0
    return (len(crossings) - 1) * RATE / (crossings[-1] - crossings[0])


def analyse(samples, frequencies):
    """What a test asserts on: level (RMS), the zero-crossing frequency, and each
    asked-for frequency's amplitude."""
    return {
        "samples": len(samples),
        "rms": rms(samples),
        "frequency": zero_crossing_frequency(samples),
        "amplitudes": {str(f): tone_amplitude(samples, f) for f in frequencies},
    }


def level_db(measured, expected):
    return 20 * math.log10(max(measured, 1e-9) / expected)
