import Codecs
import Media
import Testing

@Suite("VP8 keyframes and size changes")
struct VP8KeyframeTests {
    @Test("The first frame is a keyframe, later ones are not, requestKeyframe makes the next one a keyframe")
    func keyframeRequests() throws {
        let clip = Clips.qvga
        let encoder = try VP8Encoder(VP8EncoderSettings(width: 320, height: 240))
        var keys: [Bool] = []
        for index in 0..<12 {
            if index == 7 { encoder.requestKeyframe() }
            let frames = try encoder.encode(clip[index], pts: Clips.pts(index), forceKeyframe: index == 10)
            #expect(frames.count == 1)
            keys.append(frames.first?.isKeyframe ?? false)
            #expect(frames.first?.pts == Clips.pts(index))
        }
        #expect(keys == (0..<12).map { [0, 7, 10].contains($0) })
    }

    @Test("The keyframe interval is honoured")
    func keyframeInterval() throws {
        let clip = Clips.qvga
        let encoder = try VP8Encoder(VP8EncoderSettings(width: 320, height: 240, keyframeInterval: 10))
        var keyIndices: [Int] = []
        for index in 0..<30 where try encoder.encode(clip[index], pts: Clips.pts(index)).first?.isKeyframe == true {
            keyIndices.append(index)
        }
        #expect(keyIndices.first == 0)
        // kf_max_dist is an upper bound on the gap between keyframes.
        for (a, b) in zip(keyIndices, keyIndices.dropFirst()) { #expect(b - a <= 10) }
        #expect(keyIndices.count >= 3)
    }

    @Test("A new input size mid-stream gives a keyframe of that size that decodes", arguments: [
        [(640, 480), (320, 240), (640, 480)],   // shrink (config_set), then grow past it again
        [(320, 240), (640, 480), (160, 120)],   // grow beyond the initial size (re-init)
    ])
    func sizeChange(sizes: [(Int, Int)]) throws {
        let encoder = try VP8Encoder(VP8EncoderSettings(width: sizes[0].0, height: sizes[0].1))
        let decoder = try VP8Decoder()
        var number: UInt32 = 0
        for (width, height) in sizes {
            let source = TestPatternSource(width: width, height: height)
            for step in 0..<4 {
                let frame = source.frame(number: number, captureMilliseconds: UInt64(number) * 33)
                let encoded = try encoder.encode(frame, pts: Int64(number) * 3000)
                #expect(encoded.count == 1)
                let packet = try #require(encoded.first)
                #expect(packet.isKeyframe == (step == 0), "frame \(number) at \(width)x\(height)")
                #expect(packet.width == width && packet.height == height)
                guard case .frame(let decoded) = decoder.decode(packet.data) else {
                    Issue.record("frame \(number) at \(width)x\(height) did not decode")
                    number += 1
                    continue
                }
                #expect(decoded.width == width && decoded.height == height)
                #expect(FrameStampCode.decode(decoded)?.frameNumber == number)
                number += 1
            }
            #expect(encoder.settings.width == width && encoder.settings.height == height)
        }
    }

    @Test("Random size switches, odd sizes included, each give a keyframe that decodes at its size")
    func sizeSwitchStress() throws {
        var rng = SplitMix64(seed: 42)
        let encoder = try VP8Encoder(VP8EncoderSettings(width: 64, height: 48, bitrateKbps: 300))
        let decoder = try VP8Decoder()
        for switchIndex in 0..<24 {
            let width = Int.random(in: 2...400, using: &rng), height = Int.random(in: 2...300, using: &rng)
            let cw = (width + 1) / 2, ch = (height + 1) / 2
            for step in 0..<2 {
                let level = UInt8(truncatingIfNeeded: 40 + switchIndex * 8 + step)
                let frame = I420Frame(width: width, height: height,
                                      y: (0..<(width * height)).map { UInt8(truncatingIfNeeded: Int(level) + $0 % width) },
                                      u: [UInt8](repeating: 100, count: cw * ch), v: [UInt8](repeating: 150, count: cw * ch))
                let packet = try #require(try encoder.encode(frame, pts: Int64(switchIndex * 2 + step) * 3000).first)
                #expect(packet.isKeyframe == (step == 0), "\(width)x\(height) step \(step)")
                guard case .frame(let decoded) = decoder.decode(packet.data) else {
                    Issue.record("\(width)x\(height) step \(step) did not decode")
                    continue
                }
                #expect(decoded.width == width && decoded.height == height)
            }
        }
    }

    @Test("Invalid settings throw instead of reaching libvpx")
    func invalidSettings() {
        #expect(throws: VP8CodecError.self) { try VP8Encoder(VP8EncoderSettings(width: 0, height: 240)) }
        #expect(throws: VP8CodecError.self) { try VP8Encoder(VP8EncoderSettings(width: 320, height: 240, bitrateKbps: 0)) }
        #expect(throws: VP8CodecError.self) { try VP8Encoder(VP8EncoderSettings(width: 320, height: 240, cpuUsed: 40)) }
    }
}
