import Codecs
import Testing

@Suite("Opus loss recovery")
struct OpusLossRecoveryTests {
    static let rate = 48000, frame = 960
    static let input = Signal.sine(frequencies: [440], amplitude: 12000, sampleRate: rate, samples: rate)

    static func packets(_ settings: OpusEncoderSettings) throws -> [[UInt8]] {
        let encoder = try OpusEncoder(settings)
        return try stride(from: 0, to: input.count, by: frame).map { try encoder.encode(Array(input[$0..<($0 + frame)])) }
    }

    /// Decodes all packets except `lost`, filling the gap with `recover`.
    static func decode(_ packets: [[UInt8]], lost: Int, recover: (OpusDecoder) throws -> [Int16]) throws -> [Int16] {
        let decoder = try OpusDecoder(channels: 1)
        var out: [Int16] = []
        for (index, packet) in packets.enumerated() {
            out += try index == lost ? recover(decoder) : decoder.decode(packet)
        }
        return out
    }

    static let lost = 25

    @Test("PLC fills a dropped frame with the right length and no silence hole")
    func concealment() throws {
        let packets = try Self.packets(OpusEncoderSettings())
        var concealed: [Int16] = []
        let out = try Self.decode(packets, lost: Self.lost) { decoder in
            concealed = try decoder.concealLoss(frameSamples: Self.frame)
            return concealed
        }
        #expect(concealed.count == Self.frame)
        #expect(out.count == Self.input.count)
        let signal = Signal.channel(out, 0, of: 1)
        let gap = Self.lost * Self.frame
        let before = Signal.rms(signal[(gap - Self.frame)..<gap])
        let during = Signal.rms(signal[gap..<(gap + Self.frame)])
        let after = (1...6).map { k in Signal.rms(signal[(gap + k * Self.frame)..<(gap + (k + 1) * Self.frame)]) }
        print("Opus PLC: rms before \(before), concealed \(during), frames after \(after.map { Int($0) })")
        // Concealment fades (measured: to about half) but must not drop out;
        // SILK eases back in over the next frames and is at level by 100 ms.
        #expect(during > 0.3 * before)
        #expect(after.allSatisfy { $0 > 0.2 * before })
        #expect(after[5] > 0.8 * before)
    }

    @Test("FEC from the next packet rebuilds a dropped frame as the tone")
    func forwardErrorCorrection() throws {
        let packets = try Self.packets(OpusEncoderSettings(inbandFEC: true, packetLossPercent: 20))
        var recovered: [Int16] = []
        let out = try Self.decode(packets, lost: Self.lost) { decoder in
            recovered = try decoder.decodeFEC(packets[Self.lost + 1], frameSamples: Self.frame)
            return recovered
        }
        #expect(recovered.count == Self.frame)
        #expect(out.count == Self.input.count)
        let x = Signal.channel(recovered, 0, of: 1)[...]
        let candidates = stride(from: 200.0, through: 1000.0, by: 20.0).map { $0 }
        let dominant = Signal.dominantFrequency(x, sampleRate: Self.rate, candidates: candidates)
        let level = Signal.decibels(Signal.rms(x) / (12000 / 2.0.squareRoot()))

        // The same gap concealed without FEC, for comparison against the source.
        let lookahead = try OpusEncoder(OpusEncoderSettings()).lookahead
        let gap = Self.lost * Self.frame
        let reference = Signal.channel(Self.input, 0, of: 1)[(gap - lookahead)..<(gap - lookahead + Self.frame)]
        var plc: [Int16] = []
        _ = try Self.decode(packets, lost: Self.lost) { decoder in
            plc = try decoder.concealLoss(frameSamples: Self.frame)
            return plc
        }
        func errorDB(_ y: [Int16]) -> Double {
            let d = zip(reference, y).map { $0 - Double($1) }
            return Signal.decibels(Signal.rms(d[...]) / Signal.rms(reference))
        }
        print("Opus FEC: dominant \(dominant) Hz, level \(level) dB, error vs source: FEC \(errorDB(recovered)) dB, PLC \(errorDB(plc)) dB, TOC config \(packets[Self.lost + 1][0] >> 3)")
        #expect(abs(dominant - 440) <= 20)
        #expect(abs(level) < 6)
        // Measured: FEC -9.4 dB error against the source, PLC -2.8 dB: the
        // redundant copy carries the real signal, concealment only guesses.
        #expect(errorDB(recovered) < -6)
        #expect(errorDB(recovered) < errorDB(plc) - 3)
    }

    @Test("Loss recovery arguments are checked")
    func arguments() throws {
        let decoder = try OpusDecoder(channels: 1)
        #expect(throws: OpusCodecError.self) { try decoder.concealLoss(frameSamples: 0) }
        #expect(throws: OpusCodecError.self) { try decoder.concealLoss(frameSamples: 100) }
        #expect(throws: OpusCodecError.self) { try decoder.decodeFEC([], frameSamples: 960) }
        #expect(try decoder.concealLoss(frameSamples: 480).count == 480)
    }
}
