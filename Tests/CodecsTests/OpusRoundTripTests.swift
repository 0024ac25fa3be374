import Codecs
import Testing

@Suite("Opus round trip")
struct OpusRoundTripTests {
    static let rate = 48000
    static let frame = 960   // 20 ms at 48 kHz

    /// Encodes `pcm` frame by frame and decodes every packet.
    static func roundTrip(_ pcm: [Int16], settings: OpusEncoderSettings) throws -> (decoded: [Int16], packets: [[UInt8]], lookahead: Int) {
        let encoder = try OpusEncoder(settings)
        let decoder = try OpusDecoder(sampleRate: settings.sampleRate, channels: settings.channels)
        let step = encoder.frameSamples * settings.channels
        var decoded: [Int16] = [], packets: [[UInt8]] = []
        for start in stride(from: 0, to: pcm.count - step + 1, by: step) {
            let packet = try encoder.encode(Array(pcm[start..<(start + step)]))
            packets.append(packet)
            let out = try decoder.decode(packet)
            #expect(out.count == step)
            decoded += out
        }
        return (decoded, packets, encoder.lookahead)
    }

    static let candidates = stride(from: 100.0, through: 2000.0, by: 10.0).map { $0 }

    @Test("A 440 Hz mono tone comes back at 440 Hz and the same level")
    func monoTone() throws {
        let amplitude = 12000.0
        let input = Signal.sine(frequencies: [440], amplitude: amplitude, sampleRate: Self.rate, samples: Self.rate)
        let result = try Self.roundTrip(input, settings: OpusEncoderSettings())
        #expect(result.decoded.count == input.count)
        let out = Signal.channel(result.decoded, 0, of: 1), source = Signal.channel(input, 0, of: 1)
        // Skip the codec delay and the encoder's start-up (first 100 ms).
        let steady = (Self.rate / 10)..<(out.count - result.lookahead)
        let outSlice = out[steady], inSlice = source[(steady.lowerBound - result.lookahead)..<(steady.upperBound - result.lookahead)]
        let levelDifference = Signal.decibels(Signal.rms(outSlice) / Signal.rms(inSlice))
        let dominant = Signal.dominantFrequency(outSlice, sampleRate: Self.rate, candidates: Self.candidates)
        let bytes = result.packets.reduce(0) { $0 + $1.count }
        print("Opus mono 440 Hz: dominant \(dominant) Hz, level \(levelDifference) dB, lookahead \(result.lookahead), \(bytes) bytes/s, TOC \(result.packets.last![0] >> 3)")
        #expect(dominant == 440)
        #expect(abs(levelDifference) < 2)
    }

    @Test("Stereo keeps each channel's tone and level")
    func stereoTones() throws {
        let input = Signal.sine(frequencies: [440, 660], amplitude: 10000, sampleRate: Self.rate, samples: Self.rate)
        let result = try Self.roundTrip(input, settings: OpusEncoderSettings(channels: 2, bitrate: 64000))
        #expect(result.decoded.count == input.count)
        for (channel, frequency) in [(0, 440.0), (1, 660.0)] {
            let out = Signal.channel(result.decoded, channel, of: 2), source = Signal.channel(input, channel, of: 2)
            let steady = (Self.rate / 10)..<(out.count - result.lookahead)
            let level = Signal.decibels(Signal.rms(out[steady]) / Signal.rms(source[steady]))
            let dominant = Signal.dominantFrequency(out[steady], sampleRate: Self.rate, candidates: Self.candidates)
            print("Opus stereo channel \(channel): dominant \(dominant) Hz, level \(level) dB")
            #expect(dominant == frequency)
            #expect(abs(level) < 2)
        }
    }

    @Test("Frame sizes: every Opus duration works, others are refused", arguments: [2.5, 5, 10, 20, 40, 60])
    func frameDurations(milliseconds: Double) throws {
        let encoder = try OpusEncoder(OpusEncoderSettings(frameDuration: .microseconds(Int(milliseconds * 1000))))
        #expect(encoder.frameSamples == Int(milliseconds * 48))
        let decoder = try OpusDecoder(channels: 1)
        let pcm = Signal.sine(frequencies: [440], amplitude: 8000, sampleRate: 48000, samples: encoder.frameSamples)
        #expect(try decoder.decode(encoder.encode(pcm)).count == encoder.frameSamples)
        #expect(throws: OpusCodecError.self) { try encoder.encode(Array(pcm.dropLast())) }
    }

    @Test("Invalid settings throw")
    func invalidSettings() {
        #expect(throws: OpusCodecError.self) { try OpusEncoder(OpusEncoderSettings(frameDuration: .milliseconds(15))) }
        #expect(throws: OpusCodecError.self) { try OpusEncoder(OpusEncoderSettings(sampleRate: 44100)) }
        #expect(throws: OpusCodecError.self) { try OpusEncoder(OpusEncoderSettings(channels: 3)) }
        #expect(throws: OpusCodecError.self) { try OpusEncoder(OpusEncoderSettings(bitrate: 100)) }
        #expect(throws: OpusCodecError.self) { try OpusEncoder(OpusEncoderSettings(complexity: 11)) }
        #expect(throws: OpusCodecError.self) { try OpusDecoder(sampleRate: 44100, channels: 1) }
    }

    @Test("Runtime settings: bitrate, DTX, FEC")
    func runtimeSettings() throws {
        let encoder = try OpusEncoder(OpusEncoderSettings())
        try encoder.setBitrate(16000)
        try encoder.setInbandFEC(false)
        try encoder.setDTX(true)
        #expect(throws: OpusCodecError.self) { try encoder.setBitrate(1) }
        // With DTX on, silence shrinks to (near-)empty packets after a while.
        let silence = [Int16](repeating: 0, count: encoder.frameSamples)
        let sizes = try (0..<50).map { _ in try encoder.encode(silence).count }
        #expect(sizes.suffix(10).allSatisfy { $0 <= 2 })
    }
}
