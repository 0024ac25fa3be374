import Testing
@testable import Media

@Suite struct FrameStampCodeTests {
    static let stamps = [FrameStamp(frameNumber: 0, captureMilliseconds: 0),
                         FrameStamp(frameNumber: 1, captureMilliseconds: 45_296_789),
                         FrameStamp(frameNumber: 0xFFFF_FFFF, captureMilliseconds: 0xFFFF_FFFF),
                         FrameStamp(frameNumber: 123_456, captureMilliseconds: 0xA5A5_5A5A)]

    @Test(arguments: stamps)
    func roundTripsThroughTheTestPattern(stamp: FrameStamp) {
        let source = TestPatternSource(width: 640, height: 360)
        let frame = source.frame(number: stamp.frameNumber, captureMilliseconds: UInt64(stamp.captureMilliseconds))
        #expect(FrameStampCode.decode(frame) == stamp)
        #expect(FrameStampCode.decode(frame.rgb()) == stamp)
    }

    @Test(arguments: [(320, 180), (176, 144), (1280, 720), (500, 281)])
    func survivesScalingAndBlur(width: Int, height: Int) {
        let stamp = FrameStamp(frameNumber: 98_765, captureMilliseconds: 3_000_000_017)
        let original = TestPatternSource(width: 640, height: 360)
            .frame(number: stamp.frameNumber, captureMilliseconds: UInt64(stamp.captureMilliseconds))
        // Bilinear resize, then a 3x3 box blur and some noise, roughly what a
        // codec at a low bitrate and a scaler do to sharp edges.
        var luma = [UInt8](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                let sx = (Double(x) + 0.5) * Double(original.width) / Double(width) - 0.5
                let sy = (Double(y) + 0.5) * Double(original.height) / Double(height) - 0.5
                let x0 = max(0, min(original.width - 2, Int(sx))), y0 = max(0, min(original.height - 2, Int(sy)))
                let fx = max(0, min(1, sx - Double(x0))), fy = max(0, min(1, sy - Double(y0)))
                func p(_ x: Int, _ y: Int) -> Double { Double(original.y[y * original.width + x]) }
                let v = (p(x0, y0) * (1 - fx) + p(x0 + 1, y0) * fx) * (1 - fy) + (p(x0, y0 + 1) * (1 - fx) + p(x0 + 1, y0 + 1) * fx) * fy
                luma[y * width + x] = UInt8(v.rounded())
            }
        }
        var blurred = luma
        var noise: UInt32 = 12345
        for y in 1..<(height - 1) {
            for x in 1..<(width - 1) {
                var sum = 0
                for dy in -1...1 { for dx in -1...1 { sum += Int(luma[(y + dy) * width + x + dx]) } }
                noise = noise &* 1103515245 &+ 12345
                let jitter = Int(noise >> 16 % 17) - 8
                blurred[y * width + x] = UInt8(clamping: sum / 9 + jitter)
            }
        }
        #expect(FrameStampCode.decode(luma: blurred, width: width, height: height) == stamp)
    }

    @Test func rejectsAFrameWithoutAStamp() {
        var frame = RGBFrame(width: 640, height: 360)
        frame.fill(x: 0, y: 0, width: 640, height: 360, color: (128, 128, 128))
        #expect(FrameStampCode.decode(frame) == nil)
        // A corrupted bit fails the CRC rather than giving a wrong number.
        var stamped = TestPatternSource().rgbFrame(number: 42, captureMilliseconds: 1000)
        let block = FrameStampCode.blockRange(10, width: 640)
        let bitIsSet = stamped[block.lowerBound + 2, 5].0 > 128
        stamped.fill(x: block.lowerBound, y: 0, width: block.count, height: 20,
                     color: bitIsSet ? (0, 0, 0) : (255, 255, 255))
        #expect(FrameStampCode.decode(stamped) == nil)
    }
}

@Suite struct FrameConversionTests {
    @Test func rgbToI420AndBackIsClose() {
        let rgb = TestPatternSource(width: 320, height: 180).rgbFrame(number: 2, captureMilliseconds: 0)
        let back = I420Frame(rgb).rgb()
        var worst = 0
        // Flat-coloured areas survive within rounding (edges lose chroma).
        for y in stride(from: 40, to: 60, by: 1) {
            for x in 10..<20 {
                for c in 0..<3 {
                    worst = max(worst, abs(Int(rgb.pixels[(y * 320 + x) * 3 + c]) - Int(back.pixels[(y * 320 + x) * 3 + c])))
                }
            }
        }
        #expect(worst <= 3)
    }

    @Test func patternMoves() {
        let source = TestPatternSource(width: 320, height: 180)
        #expect(source.rgbFrame(number: 1, captureMilliseconds: 0) != source.rgbFrame(number: 2, captureMilliseconds: 0))
        #expect(source.rgbFrame(number: 1, captureMilliseconds: 5) == source.rgbFrame(number: 1, captureMilliseconds: 5))
    }
}
