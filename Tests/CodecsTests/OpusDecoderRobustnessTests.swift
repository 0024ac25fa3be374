import Codecs
import Testing

@Suite("Opus decoder on bad input")
struct OpusDecoderRobustnessTests {
    // Packets that break RFC 6716 §3.4's rules; the TOC byte is config 0
    // (SILK NB 10 ms) with code c in its low two bits (§3.1).
    @Test("Malformed packets throw", arguments: [
        [0x01, 0xAA],                 // code 1 with an odd payload: two frames cannot be equal (R3)
        [0x02],                       // code 2 without its first frame length (R4)
        [0x02, 0xFF, 0x00],           // code 2 whose first frame is longer than the packet (R4)
        [0x03],                       // code 3 without its frame count byte (R6)
        [0x03, 0x00],                 // code 3 with zero frames (R5)
        [0x03, 0x31],                 // code 3 with 49 x 10 ms > 120 ms (R5)
        [0xFB, 0x41, 0xFF, 0xFF, 0xFF, 0xFF], // code 3 CBR, padded, 1 frame, padding longer than the packet (R6, R7)
    ] as [[UInt8]])
    func malformed(packet: [UInt8]) throws {
        let decoder = try OpusDecoder(channels: 1)
        #expect(throws: OpusCodecError.self) { try decoder.decode(packet) }
    }

    @Test("An empty packet throws (concealLoss is the way to say lost)")
    func empty() throws {
        #expect(throws: OpusCodecError.self) { try OpusDecoder(channels: 2).decode([]) }
    }

    @Test("Fuzz: random and mutated packets decode or throw, never crash", arguments: [1, 2])
    func fuzz(channels: Int) throws {
        var rng = SplitMix64(seed: 0x0905 + UInt64(channels))
        let encoder = try OpusEncoder(OpusEncoderSettings(channels: channels))
        let tone = Signal.sine(frequencies: Array([440.0, 550.0].prefix(channels)), amplitude: 9000, sampleRate: 48000, samples: 960)
        let valid = try (0..<10).map { _ in try encoder.encode(tone) }
        let decoder = try OpusDecoder(channels: channels)
        var decoded = 0, thrown = 0
        let iterations = 5000
        for iteration in 0..<iterations {
            var packet: [UInt8]
            if iteration % 2 == 0 {
                packet = (0..<Int.random(in: 0...1500, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            } else {
                packet = valid[Int.random(in: 0..<valid.count, using: &rng)]
                for _ in 0..<Int.random(in: 1...6, using: &rng) {
                    packet[Int.random(in: 0..<packet.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
                if Bool.random(using: &rng) { packet = Array(packet.prefix(Int.random(in: 0...packet.count, using: &rng))) }
            }
            do {
                let pcm = try iteration % 7 == 0
                    ? decoder.decodeFEC(packet, frameSamples: 960)
                    : decoder.decode(packet)
                #expect(pcm.count % channels == 0 && pcm.count <= 5760 * channels)
                decoded += 1
            } catch is OpusCodecError {
                thrown += 1
            }
        }
        print("Opus fuzz (\(channels) ch), \(iterations) inputs: \(decoded) decoded, \(thrown) rejected")
        #expect(decoded + thrown == iterations)
        // Still a working decoder afterwards.
        #expect(try decoder.decode(valid[0]).count == 960 * channels)
    }
}
