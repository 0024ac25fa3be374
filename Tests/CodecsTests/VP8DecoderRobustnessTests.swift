import Codecs
import Media
import Testing

@Suite("VP8 decoder on bad input")
struct VP8DecoderRobustnessTests {
    /// A short real stream: one keyframe then delta frames.
    static let stream: [EncodedVideoFrame] = {
        let encoder = try! VP8Encoder(VP8EncoderSettings(width: 320, height: 240))
        return Clips.qvga.prefix(20).enumerated().flatMap { try! encoder.encode($1, pts: Clips.pts($0)) }
    }()

    @Test("A delta frame before any keyframe asks for a keyframe")
    func deltaFirst() throws {
        let decoder = try VP8Decoder()
        #expect(Self.stream[0].isKeyframe && !Self.stream[1].isKeyframe)
        #expect(decoder.decode(Self.stream[1].data) == .needKeyframe(.noKeyframeYet))
        guard case .frame = decoder.decode(Self.stream[0].data) else { Issue.record("keyframe did not decode"); return }
        guard case .frame = decoder.decode(Self.stream[1].data) else { Issue.record("delta did not decode"); return }
    }

    @Test("Truncated and corrupted frames ask for a keyframe; the next keyframe recovers")
    func truncatedAndCorrupt() throws {
        let decoder = try VP8Decoder()
        let key = Self.stream[0].data, delta = Self.stream[1].data
        #expect(decoder.decode([]) == .needKeyframe(.truncated))
        #expect(decoder.decode(Array(key.prefix(2))) == .needKeyframe(.truncated))
        #expect(decoder.decode(Array(key.prefix(8))) == .needKeyframe(.truncated))
        // Cut inside the partitions: the header still checks out, libvpx finds it.
        guard case .needKeyframe = decoder.decode(Array(key.prefix(key.count / 3))) else {
            Issue.record("truncated keyframe accepted"); return
        }
        var badStart = key
        badStart[3] = 0
        guard case .needKeyframe(.corrupt) = decoder.decode(badStart) else { Issue.record("bad start code accepted"); return }

        guard case .frame = decoder.decode(key) else { Issue.record("keyframe did not decode"); return }
        // Losing a delta frame: the following one has no valid reference.
        #expect(decoder.decode(Array(delta.prefix(2))) == .needKeyframe(.truncated))
        #expect(decoder.decode(Self.stream[2].data) == .needKeyframe(.referenceLost))
        guard case .frame = decoder.decode(key) else { Issue.record("keyframe did not recover"); return }
        guard case .frame = decoder.decode(delta) else { Issue.record("delta after recovery did not decode"); return }
    }

    @Test("A keyframe claiming a huge size is refused before libvpx allocates")
    func hugeKeyframe() throws {
        let decoder = try VP8Decoder()
        var huge = Self.stream[0].data
        // RFC 6386 §9.1: 14-bit width and height after the start code.
        huge[6] = 0xFF; huge[7] = 0x3F; huge[8] = 0xFF; huge[9] = 0x3F
        #expect(decoder.decode(huge) == .needKeyframe(.unsupportedSize(width: 16383, height: 16383)))
        #expect(decoder.isWaitingForKeyframe)
        guard case .frame = decoder.decode(Self.stream[0].data) else { Issue.record("keyframe did not decode"); return }
        #expect(!decoder.isWaitingForKeyframe)
    }

    @Test("Fuzz: thousands of random and mutated frames never crash, and a keyframe always recovers")
    func fuzz() throws {
        var rng = SplitMix64(seed: 0xC0DEC)
        let decoder = try VP8Decoder()
        var outcomes: [String: Int] = [:]
        let iterations = 4000
        for iteration in 0..<iterations {
            let original = Self.stream[Int.random(in: 0..<Self.stream.count, using: &rng)].data
            var data: [UInt8]
            switch iteration % 5 {
            case 0: // pure noise
                data = (0..<Int.random(in: 0...2000, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            case 1: // noise behind a plausible keyframe header (random size up to 1024x1024)
                data = Array(Self.stream[0].data.prefix(10))
                data[6] = UInt8.random(in: 0...255, using: &rng); data[7] = UInt8.random(in: 0...3, using: &rng)
                data[8] = UInt8.random(in: 0...255, using: &rng); data[9] = UInt8.random(in: 0...3, using: &rng)
                data += (0..<Int.random(in: 0...3000, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            case 2: // a few flipped bytes
                data = original
                for _ in 0..<Int.random(in: 1...8, using: &rng) {
                    data[Int.random(in: 0..<data.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
                }
            case 3: // truncated at a random point
                data = Array(original.prefix(Int.random(in: 0..<original.count, using: &rng)))
            default: // a damaged tail: the header is intact, the data behind is not
                data = original
                let from = Int.random(in: min(10, data.count - 1)..<data.count, using: &rng)
                for i in from..<data.count { data[i] = UInt8.random(in: 0...255, using: &rng) }
            }
            let result = decoder.decode(data)
            switch result {
            case .frame(let f):
                outcomes["frame", default: 0] += 1
                #expect(f.width > 0 && f.height > 0 && f.y.count == f.width * f.height)
            case .needKeyframe: outcomes["needKeyframe", default: 0] += 1
            case .noFrame: outcomes["noFrame", default: 0] += 1
            }
            // Every so often, check a real keyframe still brings the decoder back.
            if iteration % 100 == 99 {
                guard case .frame(let f) = decoder.decode(Self.stream[0].data), f.width == 320, f.height == 240 else {
                    Issue.record("decoder did not recover after iteration \(iteration)")
                    return
                }
            }
        }
        print("VP8 fuzz, \(iterations) inputs: \(outcomes.sorted { $0.key < $1.key })")
        #expect(outcomes.values.reduce(0, +) == iterations)
    }
}
