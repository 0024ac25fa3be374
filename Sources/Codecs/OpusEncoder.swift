import COpus

/// An Opus encoder (libopus) for one outgoing audio track: fixed-size frames
/// of interleaved 16-bit PCM in, one packet (RFC 7587 payload) out.
/// Not thread-safe: one capture thread owns it.
public final class OpusEncoder {
    public let settings: OpusEncoderSettings
    /// Samples per channel that `encode` takes at a time.
    public let frameSamples: Int
    /// The encoder's look-ahead in samples per channel: how far its output
    /// lags its input.
    public let lookahead: Int
    private let encoder: OpaquePointer

    /// The largest packet libopus suggests asking for (RFC 6716 §3.2.5:
    /// up to 1275 bytes per frame, several frames in 40/60 ms packets).
    static let maxPacketBytes = 4000

    public init(_ settings: OpusEncoderSettings) throws {
        guard OpusDecoder.validRates.contains(settings.sampleRate) else {
            throw OpusCodecError.invalidArgument("sample rate \(settings.sampleRate)")
        }
        guard (1...2).contains(settings.channels) else { throw OpusCodecError.invalidArgument("channels \(settings.channels)") }
        guard let frameSamples = settings.frameSamples else {
            throw OpusCodecError.invalidArgument("frame duration \(settings.frameDuration)")
        }
        guard (0...100).contains(settings.packetLossPercent) else {
            throw OpusCodecError.invalidArgument("packet loss \(settings.packetLossPercent)%")
        }
        let application: Int32 = switch settings.application {
        case .voip: OPUS_APPLICATION_VOIP
        case .audio: OPUS_APPLICATION_AUDIO
        case .restrictedLowDelay: OPUS_APPLICATION_RESTRICTED_LOWDELAY
        }
        var status: Int32 = OPUS_OK
        guard let encoder = opus_encoder_create(Int32(settings.sampleRate), Int32(settings.channels), application, &status),
              status == OPUS_OK else {
            throw OpusCodecError.initializationFailed(Self.describe(status))
        }
        self.encoder = encoder
        self.settings = settings
        self.frameSamples = frameSamples
        var lookahead: Int32 = 0
        _ = call_opus_get_lookahead(encoder, &lookahead)
        self.lookahead = Int(lookahead)
        try setBitrate(settings.bitrate)
        try setInbandFEC(settings.inbandFEC)
        try setPacketLossPercent(settings.packetLossPercent)
        try setDTX(settings.dtx)
        guard (0...10).contains(settings.complexity) else { throw OpusCodecError.invalidArgument("complexity \(settings.complexity)") }
        try check(call_opus_set_complexity(encoder, Int32(settings.complexity)), "complexity")
    }

    deinit {
        opus_encoder_destroy(encoder)
    }

    /// Encodes exactly one frame: `frameSamples * channels` interleaved samples.
    /// With DTX on, a packet of 2 bytes or less is silence and need not be sent.
    public func encode(_ pcm: [Int16]) throws -> [UInt8] {
        guard pcm.count == frameSamples * settings.channels else {
            throw OpusCodecError.encodeFailed("got \(pcm.count) samples, a frame is \(frameSamples * settings.channels)")
        }
        var packet = [UInt8](repeating: 0, count: Self.maxPacketBytes)
        let written = pcm.withUnsafeBufferPointer { input in
            packet.withUnsafeMutableBufferPointer { output in
                opus_encode(encoder, input.baseAddress!, Int32(frameSamples), output.baseAddress!, Int32(output.count))
            }
        }
        guard written >= 0 else { throw OpusCodecError.encodeFailed(Self.describe(written)) }
        packet.removeSubrange(Int(written)...)
        return packet
    }

    /// Target bitrate in bit/s (6000...510000).
    public func setBitrate(_ bitsPerSecond: Int) throws {
        guard (6000...510_000).contains(bitsPerSecond) else {
            throw OpusCodecError.invalidArgument("bitrate \(bitsPerSecond)")
        }
        try check(call_opus_set_bitrate(encoder, Int32(bitsPerSecond)), "bitrate")
    }

    public func setDTX(_ on: Bool) throws {
        try check(call_opus_set_dtx(encoder, on ? 1 : 0), "dtx")
    }

    public func setInbandFEC(_ on: Bool) throws {
        try check(call_opus_set_inband_fec(encoder, on ? 1 : 0), "inband fec")
    }

    /// The loss the receiver reports (RTCP fraction lost), 0...100.
    public func setPacketLossPercent(_ percent: Int) throws {
        guard (0...100).contains(percent) else { throw OpusCodecError.invalidArgument("packet loss \(percent)%") }
        try check(call_opus_set_packet_loss_perc(encoder, Int32(percent)), "packet loss")
    }

    private func check(_ status: Int32, _ what: String) throws {
        guard status == OPUS_OK else { throw OpusCodecError.configurationFailed("\(what): \(Self.describe(status))") }
    }

    static func describe(_ status: Int32) -> String {
        String(cString: opus_strerror(status))
    }
}
