import Codecs
import Media
import Testing

@Suite("I420 frame conversion")
struct VideoFrameConverterTests {
    @Test("A frame already at the output size passes through unchanged")
    func identity() {
        let frame = Clips.qvga[3]
        #expect(VideoFrameConverter(width: 320, height: 240, scaling: .stretch).convert(frame) == frame)
    }

    @Test("Halving and doubling keep the picture and its frame stamp", arguments: [
        (640, 480, 320, 240), (320, 240, 640, 480), (640, 480, 400, 300),
    ])
    func rescale(fromWidth: Int, fromHeight: Int, toWidth: Int, toHeight: Int) {
        let source = (fromWidth == 640 ? Clips.vga : Clips.qvga)[5]
        let scaled = VideoFrameConverter(width: toWidth, height: toHeight).convert(source)
        #expect(scaled.width == toWidth && scaled.height == toHeight)
        #expect(FrameStampCode.decode(scaled)?.frameNumber == 5)
    }

    @Test("Halving is exactly the 2x2 mean (within rounding)")
    func halvingIsBoxMean() {
        let source = Clips.vga[2]
        let half = VideoFrameConverter(width: 320, height: 240, scaling: .stretch).convert(source)
        var worst = 0
        for row in 0..<240 {
            for column in 0..<320 {
                let a = 2 * row * 640 + 2 * column
                let mean = (Int(source.y[a]) + Int(source.y[a + 1]) + Int(source.y[a + 640]) + Int(source.y[a + 641]) + 2) / 4
                worst = max(worst, abs(mean - Int(half.y[row * 320 + column])))
            }
        }
        #expect(worst <= 1)
    }

    @Test("Doubling then halving gives back the picture closely")
    func upThenDown() {
        let source = Clips.qvga[4]
        let up = VideoFrameConverter(width: 640, height: 480, scaling: .stretch).convert(source)
        let back = VideoFrameConverter(width: 320, height: 240, scaling: .stretch).convert(up)
        let psnr = Quality.psnr(source, back)
        print("Scale 320x240 -> 640x480 -> 320x240: Y-PSNR \(psnr) dB")
        // Linear up then box down is a mild low-pass: only the zone plate's
        // finest rings lose contrast.
        #expect(psnr > 28)
    }

    @Test("A flat frame stays flat at any scale (weights sum to one)")
    func flat() {
        let frame = I420Frame(width: 97, height: 53, y: [UInt8](repeating: 200, count: 97 * 53),
                              u: [UInt8](repeating: 90, count: 49 * 27), v: [UInt8](repeating: 170, count: 49 * 27))
        for (w, h) in [(640, 480), (31, 17), (97, 200), (2, 2)] {
            let out = VideoFrameConverter(width: w, height: h, scaling: .stretch).convert(frame)
            #expect(out.y.allSatisfy { $0 == 200 } && out.u.allSatisfy { $0 == 90 } && out.v.allSatisfy { $0 == 170 })
        }
    }

    @Test("Fit letterboxes with black; fill crops and covers the whole output")
    func aspect() {
        let wide = TestPatternSource(width: 640, height: 360).frame(number: 1, captureMilliseconds: 33)
        let fitted = VideoFrameConverter(width: 320, height: 240, scaling: .fit).convert(wide)
        // 640x360 in 320x240 is 320x180 with 30 rows of black above and below.
        #expect(fitted.y[0..<(320 * 30)].allSatisfy { $0 == 16 })
        #expect(fitted.y[(320 * 210)...].allSatisfy { $0 == 16 })
        #expect(fitted.u[0..<(160 * 15)].allSatisfy { $0 == 128 })
        #expect(!fitted.y[(320 * 30)..<(320 * 210)].allSatisfy { $0 == 16 })
        #expect(FrameStampCode.decode(luma: Array(fitted.y[(320 * 30)..<(320 * 210)]), width: 320, height: 180)?.frameNumber == 1)

        let filled = VideoFrameConverter(width: 320, height: 240, scaling: .fill).convert(wide)
        #expect(filled.width == 320 && filled.height == 240)
        // No letterbox rows: the bottom row carries picture.
        #expect(!filled.y[(320 * 239)...].allSatisfy { $0 == 16 })
    }

    @Test("Odd and tiny sizes, both directions, never trap")
    func oddSizes() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<60 {
            let w = Int.random(in: 1...80, using: &rng), h = Int.random(in: 1...80, using: &rng)
            let cw = (w + 1) / 2, ch = (h + 1) / 2
            let frame = I420Frame(width: w, height: h,
                                  y: (0..<(w * h)).map { _ in UInt8.random(in: 0...255, using: &rng) },
                                  u: [UInt8](repeating: 128, count: cw * ch), v: [UInt8](repeating: 128, count: cw * ch))
            let scaling = [VideoFrameConverter.Scaling.stretch, .fit, .fill][Int.random(in: 0...2, using: &rng)]
            let ow = Int.random(in: 1...90, using: &rng), oh = Int.random(in: 1...90, using: &rng)
            let out = VideoFrameConverter(width: ow, height: oh, scaling: scaling).convert(frame)
            #expect(out.width == ow && out.height == oh)
        }
    }

    @Test("RGB frames are converted too")
    func rgbInput() {
        let rgb = TestPatternSource(width: 320, height: 240).rgbFrame(number: 9, captureMilliseconds: 0)
        let out = VideoFrameConverter(width: 160, height: 120).convert(.rgb(rgb))
        #expect(out.width == 160 && FrameStampCode.decode(out)?.frameNumber == 9)
    }
}
