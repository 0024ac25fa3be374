import Media
import Testing
@testable import TerminalRender

/// PSNR of the re-rasterised cells against the source on the same fine grid.
@Suite struct QualityTests {
    static func psnr(_ frame: VideoFrame, _ options: RenderOptions, columns: Int = 80, rows: Int = 22) -> Double {
        var fitter = CellFitter()
        let grid = fitter.fit(frame, columns: columns, rows: rows, options: options)
        let reference = RenderQuality.reference(frame, columns: columns, rows: rows, options: options)
        return RenderQuality.psnr(RenderQuality.rasterize(grid), reference)
    }

    @Test func finerSymbolSetsShowMore() {
        let frame = patternFrame(7, width: 640, height: 360)
        let half = Self.psnr(frame, RenderOptions(symbols: .halfBlocks))
        let quadrants = Self.psnr(frame, RenderOptions(symbols: .quadrants))
        let sextants = Self.psnr(frame, RenderOptions(symbols: .sextants))
        #expect(half < quadrants)
        #expect(quadrants < sextants)
        #expect(half > 15)
    }

    @Test(arguments: [SymbolSet.halfBlocks, .sextants])
    func moreColoursShowMore(symbols: SymbolSet) {
        let frame = patternFrame(7, width: 640, height: 360)
        let truecolor = Self.psnr(frame, RenderOptions(symbols: symbols, colors: .truecolor))
        let p256 = Self.psnr(frame, RenderOptions(symbols: symbols, colors: .palette256))
        let p16 = Self.psnr(frame, RenderOptions(symbols: symbols, colors: .palette16))
        #expect(truecolor > p256)
        #expect(p256 > p16)
    }

    @Test func sourceAtTheCellGridIsReproducedExactlyWithHalfBlocks() {
        // A picture with exactly one pixel per half block needs no averaging
        // and has two colours per cell: the output is lossless.
        var picture = RGBFrame(width: 8, height: 8)
        for y in 0..<8 { for x in 0..<8 { picture[x, y] = (UInt8(x * 30), UInt8(y * 30), UInt8((x ^ y) * 20)) } }
        let options = RenderOptions(cellPixelSize: CellPixelSize(width: 8, height: 16))
        #expect(Self.psnr(.rgb(picture), options, columns: 8, rows: 4) == .infinity)
    }

    @Test func i420AndRGBInputAgree() {
        let rgb = TestPatternSource(width: 320, height: 180).rgbFrame(number: 3, captureMilliseconds: 0)
        let viaI420 = VideoFrame.i420(I420Frame(rgb))
        let viaRGB = VideoFrame.rgb(I420Frame(rgb).rgb())
        var a = CellFitter(), b = CellFitter()
        let ga = a.fit(viaI420, columns: 40, rows: 11, options: RenderOptions())
        let gb = b.fit(viaRGB, columns: 40, rows: 11, options: RenderOptions())
        // Averaging before or after the colour conversion differs only by
        // rounding and chroma siting.
        #expect(RenderQuality.psnr(RenderQuality.rasterize(ga), RenderQuality.rasterize(gb)) > 35)
    }
}
