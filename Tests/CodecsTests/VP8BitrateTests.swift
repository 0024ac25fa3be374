import Codecs
import Media
import Testing

@Suite("VP8 bitrate")
struct VP8BitrateTests {
    static func totalBytes(kbps: Int, changeTo later: Int? = nil) throws -> (first: Int, second: Int) {
        let encoder = try VP8Encoder(VP8EncoderSettings(width: 320, height: 240, bitrateKbps: kbps))
        var first = 0, second = 0
        for (index, frame) in Clips.qvga.enumerated() {
            if index == Clips.frameCount / 2, let later { try encoder.setBitrate(kbps: later) }
            let bytes = try encoder.encode(frame, pts: Clips.pts(index)).reduce(0) { $0 + $1.data.count }
            if index < Clips.frameCount / 2 { first += bytes } else { second += bytes }
        }
        return (first, second)
    }

    @Test("Five times the bitrate gives several times the bytes")
    func bitrateScales() throws {
        let low = try Self.totalBytes(kbps: 300), high = try Self.totalBytes(kbps: 1500)
        let lowTotal = low.first + low.second, highTotal = high.first + high.second
        let ratio = Double(highTotal) / Double(lowTotal)
        // Over 2 s at 30 fps: the target is 75 kB vs 375 kB.
        print("VP8 320x240, 60 frames: 300 kbit/s -> \(lowTotal) bytes, 1500 kbit/s -> \(highTotal) bytes, ratio \(ratio)")
        #expect(ratio > 2.5 && ratio < 8)
        // CBR stays near its target (loosely: the first keyframe is large).
        #expect(Double(lowTotal) < 75_000 * 2 && Double(highTotal) < 375_000 * 1.5)
    }

    @Test("setBitrate takes effect without re-initialising (no extra keyframe)")
    func setBitrateInPlace() throws {
        let steady = try Self.totalBytes(kbps: 1500)
        let lowered = try Self.totalBytes(kbps: 1500, changeTo: 300)
        print("VP8 second second: steady 1500 -> \(steady.second) bytes, lowered to 300 -> \(lowered.second) bytes")
        #expect(Double(lowered.second) < Double(steady.second) * 0.6)

        let encoder = try VP8Encoder(VP8EncoderSettings(width: 320, height: 240))
        _ = try encoder.encode(Clips.qvga[0], pts: 0)
        try encoder.setBitrate(kbps: 500)
        #expect(encoder.settings.bitrateKbps == 500)
        #expect(try encoder.encode(Clips.qvga[1], pts: Clips.pts(1)).first?.isKeyframe == false)
        #expect(throws: VP8CodecError.self) { try encoder.setBitrate(kbps: 0) }
    }
}
