import Media
import Testing
@testable import TerminalRender

@Suite struct PartsTests {
    @Test func sextantCharactersCoverTheBlockOnce() {
        let scalars = (0...63).map { SymbolSet.sextantScalar(UInt8($0)) }
        #expect(Set(scalars).count == 64)
        let inBlock = scalars.filter { (0x1FB00...0x1FB3B).contains($0.value) }.map(\.value).sorted()
        #expect(inBlock == Array(0x1FB00...0x1FB3B))
        #expect(SymbolSet.sextantScalar(1) == "\u{1FB00}")   // SEXTANT-1
        #expect(SymbolSet.sextantScalar(20) == "\u{1FB13}")  // SEXTANT-35
        #expect(SymbolSet.sextantScalar(22) == "\u{1FB14}")  // SEXTANT-235
        #expect(SymbolSet.sextantScalar(62) == "\u{1FB3B}")  // SEXTANT-23456
        #expect(SymbolSet.sextantScalar(21) == "\u{258C}")
        #expect(SymbolSet.sextantScalar(42) == "\u{2590}")
    }

    @Test func glyphCoverageAgreesAcrossSets() {
        // `▌` is a quadrant mask and a sextant mask; `▀` a half block and a
        // quadrant: one coverage each, the left or top half.
        for y in 0..<GlyphCoverage.rows {
            for x in 0..<GlyphCoverage.columns {
                #expect(GlyphCoverage.covers("\u{258C}", x: x, y: y) == (x < 3))
                #expect(GlyphCoverage.covers("\u{2580}", x: x, y: y) == (y < 6))
                #expect(GlyphCoverage.covers("\u{1FB00}", x: x, y: y) == (x < 3 && y < 4))
            }
        }
    }

    @Test func decimalsFromTheTable() {
        for n in [0, 7, 10, 99, 100, 255, 999, 1000, 1001, 12345] {
            var out: [UInt8] = []
            EscapeBytes.appendDecimal(n, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == String(n))
            #expect(EscapeBytes.decimalLength(n) == String(n).count)
        }
    }

    @Test func colourModeDetection() {
        #expect(ColorMode.detect(environment: ["COLORTERM": "truecolor", "TERM": "xterm-256color"]) == .truecolor)
        #expect(ColorMode.detect(environment: ["COLORTERM": "24bit"]) == .truecolor)
        #expect(ColorMode.detect(environment: ["TERM": "xterm-direct"]) == .truecolor)
        #expect(ColorMode.detect(environment: ["TERM": "xterm-256color"]) == .palette256)
        #expect(ColorMode.detect(environment: ["TERM": "xterm-256color"], terminfoDirectColor: true) == .truecolor)
        #expect(ColorMode.detect(environment: ["TERM": "tmux-256color"]) == .palette256)
        #expect(ColorMode.detect(environment: ["TERM": "xterm"]) == .palette16)
        #expect(ColorMode.detect(environment: [:]) == .palette16)
        #expect(ColorMode.detect(environment: ["COLORTERM": "truecolor"], override: "16") == .palette16)
        #expect(ColorMode.detect(environment: ["TERM": "xterm"], override: "bogus") == .palette16)
    }

    @Test func paletteNearest() {
        #expect(Palette.nearest256(0, 0, 0) == 16)
        #expect(Palette.nearest256(255, 255, 255) == 231)
        #expect(Palette.nearest256(128, 128, 128) == 244)  // grey 8 + 10*12 = 128
        #expect(Palette.nearest256(95, 135, 175) == 16 + 36 + 12 + 3)
        #expect(Palette.nearest16(250, 10, 10) == 9)
        #expect(Palette.nearest16(200, 0, 0) == 1)
    }

    @Test func cellPixelSizeFromWindow() {
        #expect(CellPixelSize.fromWindow(columns: 80, rows: 24, pixelWidth: 800, pixelHeight: 480) == CellPixelSize(width: 10, height: 20))
        #expect(CellPixelSize.fromWindow(columns: 80, rows: 24, pixelWidth: 0, pixelHeight: 0) == .typical)
    }

    /// The mask fitter's choice is the split with the least squared error
    /// among all 64 (checked by brute force on pseudo-random cells).
    @Test func sextantFitIsOptimal() {
        var seed: UInt64 = 0x9E3779B97F4A7C15
        func next() -> UInt8 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: seed >> 56)
        }
        for _ in 0..<300 {
            var picture = RGBFrame(width: 2, height: 3)
            for i in 0..<picture.pixels.count { picture.pixels[i] = next() }
            var fitter = CellFitter()
            let options = RenderOptions(symbols: .sextants, cellPixelSize: CellPixelSize(width: 8, height: 12))
            let cell = fitter.fit(.rgb(picture), columns: 1, rows: 1, options: options)[0, 0]
            func error(_ mask: Int) -> Double {
                var sums = [[Double]](repeating: [0, 0, 0], count: 2), counts = [0.0, 0.0]
                for k in 0..<6 {
                    let side = mask & (1 << k) != 0 ? 1 : 0
                    counts[side] += 1
                    for c in 0..<3 { sums[side][c] += Double(picture.pixels[3 * k + c]) }
                }
                var e = 0.0
                for k in 0..<6 {
                    let side = mask & (1 << k) != 0 ? 1 : 0
                    for c in 0..<3 { let d = Double(picture.pixels[3 * k + c]) - sums[side][c] / counts[side]; e += d * d }
                }
                return e
            }
            let best = (0..<64).map(error).min()!
            #expect(abs(error(Int(cell.mask)) - best) < 1e-6)
        }
    }
}
