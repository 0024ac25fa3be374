import Foundation
import Testing
@testable import Media

/// The test pattern's regions behave as its doc comment says, at any size
/// (odd ones included): checked through the I420 frame the sender sends.
@Suite struct TestPatternTests {
    static let sizes = [(640, 480), (640, 360), (320, 180), (321, 181), (176, 144), (148, 72), (333, 97)]

    /// Where the regions are, as the pattern lays them out: below the band,
    /// split in half each way.
    struct Geometry {
        let width: Int, height: Int, band: Int, midX: Int, midY: Int
        init(_ width: Int, _ height: Int) {
            self.width = width
            self.height = height
            band = FrameStampCode.bandHeight(frameHeight: height)
            midX = width / 2
            midY = band + (height - band) / 2
        }
    }

    static func luma(_ f: I420Frame, _ x: Int, _ y: Int) -> Int { Int(f.y[y * f.width + x]) }

    @Test(arguments: sizes)
    func isDeterministicAndWritesEverySample(width: Int, height: Int) {
        let source = TestPatternSource(width: width, height: height)
        let frame = source.frame(number: 17, captureMilliseconds: 45_296_789)
        #expect(frame.width == width && frame.height == height)
        // Compared as Bools: a failing frame comparison would print every sample.
        let again = frame == TestPatternSource(width: width, height: height).frame(number: 17, captureMilliseconds: 45_296_789)
        #expect(again, "a second source draws the same frame")
        // Drawn over planes filled two different ways, the same frame: no sample is left as it was.
        let overZeros = source.frame(number: 17, captureMilliseconds: 45_296_789, prefill: 0) == frame
        let overOnes = source.frame(number: 17, captureMilliseconds: 45_296_789, prefill: 255) == frame
        #expect(overZeros && overOnes, "every sample written (over 0: \(overZeros), over 255: \(overOnes))")
        let next = source.frame(number: 18, captureMilliseconds: 45_296_789) != frame
        #expect(next, "the next frame differs")
        // The RGB frame is the same picture.
        let rgb = source.rgbFrame(number: 17, captureMilliseconds: 45_296_789) == frame.rgb()
        #expect(rgb, "rgbFrame is frame converted")
    }

    @Test(arguments: sizes)
    func stampDecodes(width: Int, height: Int) {
        let source = TestPatternSource(width: width, height: height)
        for stamp in [FrameStamp(frameNumber: 0, captureMilliseconds: 0), FrameStamp(frameNumber: 123_456, captureMilliseconds: 0xA5A5_5A5A),
                      FrameStamp(frameNumber: 0xFFFF_FFFF, captureMilliseconds: 0xFFFF_FFFF)] {
            let frame = source.frame(number: stamp.frameNumber, captureMilliseconds: UInt64(stamp.captureMilliseconds))
            #expect(FrameStampCode.decode(frame) == stamp)
            #expect(FrameStampCode.decode(frame.rgb()) == stamp)
        }
    }

    @Test(arguments: sizes)
    func barsScrollLeftOverAFixedGreyRamp(width: Int, height: Int) {
        let g = Geometry(width, height)
        let source = TestPatternSource(width: width, height: height)
        let a = source.frame(number: 5, captureMilliseconds: 0), b = source.frame(number: 6, captureMilliseconds: 0)
        let barRow = g.band + (g.midY - g.band) / 3, rampRow = g.midY - 2
        // Three columns a frame: what was at x + 3 is now at x.
        for x in 0..<(g.midX - 3) { #expect(Self.luma(b, x, barRow) == Self.luma(a, x + 3, barRow)) }
        // Seven bars of distinct colours.
        let colors = Set((0..<g.midX).map { x in [Self.luma(a, x, barRow), Int(a.u[(barRow / 2) * a.chromaWidth + x / 2])] })
        #expect(colors.count >= 7)
        // The ramp: black to white, neutral, the same every frame.
        let ramp = (0..<g.midX).map { Self.luma(a, $0, rampRow) }
        #expect(ramp.first! <= 17 && ramp.last! >= 234)
        #expect(zip(ramp, ramp.dropFirst()).allSatisfy { $0 <= $1 })
        #expect((0..<g.midX).map { Self.luma(b, $0, rampRow) } == ramp)
        #expect(a.u[(rampRow / 2) * a.chromaWidth + g.midX / 4] == 128)
    }

    @Test(arguments: sizes)
    func zonePlateRingsMoveWithDetailUpToThePixelGrid(width: Int, height: Int) {
        let g = Geometry(width, height)
        let source = TestPatternSource(width: width, height: height)
        let a = source.frame(number: 3, captureMilliseconds: 0), b = source.frame(number: 4, captureMilliseconds: 0)
        let zw = width - g.midX, zh = g.midY - g.band
        // Mean step between neighbours in a patch: flat near the centre, the
        // finest the grid holds near a corner.
        func roughness(_ f: I420Frame, x0: Int, y0: Int, size: Int) -> Double {
            var sum = 0, n = 0
            for y in y0..<(y0 + size) { for x in x0..<(x0 + size) { sum += abs(Self.luma(f, x + 1, y) - Self.luma(f, x, y)); n += 1 } }
            return Double(sum) / Double(n)
        }
        let size = max(4, min(zw, zh) / 10)
        let centre = roughness(a, x0: g.midX + zw / 2 - size / 2, y0: g.band + zh / 2 - size / 2, size: size)
        let corner = roughness(a, x0: width - size - 2, y0: g.midY - size - 1, size: size)
        #expect(corner > 4 * max(centre, 0.5))
        // The rings move: most of the region changes from one frame to the next.
        var changed = 0
        for y in g.band..<g.midY { for x in g.midX..<width where Self.luma(a, x, y) != Self.luma(b, x, y) { changed += 1 } }
        #expect(changed > zw * zh / 4)
    }

    @Test(arguments: sizes)
    func gradientShadesDownAndItsDiscsMove(width: Int, height: Int) {
        let g = Geometry(width, height)
        let source = TestPatternSource(width: width, height: height)
        let gw = g.midX, gh = height - g.midY
        // The light disc (1, 0.95, 0.8) sits where its motion puts it; at frame 0
        // at (0.3, 0.8) of the region, at frame 100 near (0.43, 0.59).
        let light = Int(16.5 + (66 * 1.0 + 129 * 0.95 + 25 * 0.8) * 255 / 256)
        for n in [0, 100] {
            let f = source.frame(number: UInt32(n), captureMilliseconds: 0)
            let t = Double(n)
            let cx = 0.3 + 0.2 * sin(t * 0.07), cy = 0.5 + 0.3 * cos(t * 0.05)
            let x = Int(cx * Double(gw)), y = g.midY + Int(cy * Double(gh))
            #expect(abs(Self.luma(f, x, y) - light) <= 1, "disc at frame \(n)")
        }
        let f = source.frame(number: 0, captureMilliseconds: 0)
        // Away from the discs (frame 0: the right edge, top and bottom), darker further down.
        let x = gw - 1
        #expect(Self.luma(f, x, g.midY) > Self.luma(f, x, height - 1))
        // Many hues across a row (its chroma varies along it).
        let row = (height - 1) / 2 * f.chromaWidth
        let hues = Set((0..<(gw / 2)).map { [f.u[row + $0], f.v[row + $0]] })
        #expect(hues.count > gw / 8)
    }

    @Test(arguments: sizes)
    func clockShowsTheTimeOverAScrollingCheckerboard(width: Int, height: Int) {
        let g = Geometry(width, height)
        let source = TestPatternSource(width: width, height: height)
        let a = source.frame(number: 9, captureMilliseconds: 1000), b = source.frame(number: 9, captureMilliseconds: 61_000)
        // A different time of day changes the clock region and nothing outside it but the band.
        var changed = 0
        for y in g.band..<height {
            for x in 0..<width where a.y[y * width + x] != b.y[y * width + x] {
                #expect(x >= g.midX && y >= g.midY)
                changed += 1
            }
        }
        #expect(changed > 0)
        // White text is there.
        let clock = (g.midY..<height).flatMap { y in (g.midX..<width).map { Self.luma(a, $0, y) } }
        #expect(clock.contains(235))
        // The board's bottom row (below the text) scrolls one column a frame.
        let c = source.frame(number: 10, captureMilliseconds: 1000)
        let y = height - 1
        for x in g.midX..<(width - 1) { #expect(Self.luma(c, x, y) == Self.luma(a, x + 1, y)) }
    }
}
