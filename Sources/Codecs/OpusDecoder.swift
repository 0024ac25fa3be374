import COpus

/// An Opus decoder (libopus) for one incoming audio track: packets in,
/// interleaved 16-bit PCM out, plus loss recovery (FEC from the next packet,
/// or concealment). Bad packets throw; nothing traps. Not thread-safe.
public final class OpusDecoder {
    public let sampleRate: Int
    public let channels: Int
    private let decoder: OpaquePointer

    static let validRates = [8000, 12000, 16000, 24000, 48000]

    public init(sampleRate: Int = 48000, channels: Int) throws {
        guard Self.validRates.contains(sampleRate) else { throw OpusCodecError.invalidArgument("sample rate \(sampleRate)") }
        guard (1...2).contains(channels) else { throw OpusCodecError.invalidArgument("channels \(channels)") }
        var status: Int32 = OPUS_OK
        guard let decoder = opus_decoder_create(Int32(sampleRate), Int32(channels), &status), status == OPUS_OK else {
            throw OpusCodecError.initializationFailed(OpusEncoder.describe(status))
        }
        self.decoder = decoder
        self.sampleRate = sampleRate
        self.channels = channels
    }

    deinit {
        opus_decoder_destroy(decoder)
    }

    /// The longest packet Opus carries: 120 ms (RFC 6716 §3.2.5).
    private var maxFrameSamples: Int { sampleRate / 1000 * 120 }

    /// Decodes one packet into `samples * channels` interleaved samples.
    public func decode(_ packet: [UInt8]) throws -> [Int16] {
        // An empty payload means "lost" to libopus; callers say that with
        // concealLoss instead, so here it is an error.
        guard !packet.isEmpty else { throw OpusCodecError.decodeFailed("empty packet") }
        return try run(packet, frameSamples: maxFrameSamples, fec: false)
    }

    /// Rebuilds the frame lost just before `nextPacket` from the redundant
    /// copy that packet carries (RFC 6716 §4.2.4). `frameSamples` is the lost
    /// frame's length per channel. Without FEC data libopus conceals instead.
    /// Decode `nextPacket` normally afterwards as well.
    public func decodeFEC(_ nextPacket: [UInt8], frameSamples: Int) throws -> [Int16] {
        guard !nextPacket.isEmpty else { throw OpusCodecError.decodeFailed("empty packet") }
        try checkLength(frameSamples)
        return try run(nextPacket, frameSamples: frameSamples, fec: true)
    }

    /// Packet loss concealment for one missing frame of `frameSamples` per
    /// channel (libopus extrapolates from what it decoded last).
    public func concealLoss(frameSamples: Int) throws -> [Int16] {
        try checkLength(frameSamples)
        return try run(nil, frameSamples: frameSamples, fec: false)
    }

    /// Loss recovery works in whole 2.5 ms steps up to 120 ms.
    private func checkLength(_ frameSamples: Int) throws {
        let step = sampleRate / 400
        guard frameSamples > 0, frameSamples % step == 0, frameSamples <= maxFrameSamples else {
            throw OpusCodecError.invalidArgument("frame of \(frameSamples) samples")
        }
    }

    private func run(_ packet: [UInt8]?, frameSamples: Int, fec: Bool) throws -> [Int16] {
        var pcm = [Int16](repeating: 0, count: frameSamples * channels)
        let decoded: Int32 = pcm.withUnsafeMutableBufferPointer { output in
            if let packet {
                packet.withUnsafeBufferPointer { input in
                    opus_decode(decoder, input.baseAddress, Int32(input.count), output.baseAddress!, Int32(frameSamples), fec ? 1 : 0)
                }
            } else {
                opus_decode(decoder, nil, 0, output.baseAddress!, Int32(frameSamples), 0)
            }
        }
        guard decoded >= 0 else { throw OpusCodecError.decodeFailed(OpusEncoder.describe(decoded)) }
        pcm.removeSubrange((Int(decoded) * channels)...)
        return pcm
    }
}
