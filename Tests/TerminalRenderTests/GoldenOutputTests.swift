import Media
import Testing
@testable import TerminalRender

/// Exact bytes for tiny frames, one per symbol set and colour mode. Each
/// expectation is worked out in the comment above it from the rules: the
/// source fills the rectangle exactly (same aspect as the cells), every cell
/// shows the two-colour split of its sub-pixels in canonical form, the first
/// cell of a frame sets both colours (nothing is assumed about SGR state).
/// The default tolerance (8) changes nothing here: no two colours in these
/// frames are that close.
@Suite struct GoldenOutputTests {
    @Test func halfBlocksTruecolor() {
        // 2x2 pixels into 2x1 cells at x=3, y=1 (8x16-pixel cells: 16x16, scale 8).
        // Cell 0: top red, bottom blue -> canonical `▄` (bit 0 = top must be
        // clear) with fg blue, bg red. Cell 1: green on green -> a space on
        // green; only the background changes (a full block would need the
        // foreground changed, same count, so the space wins the tie).
        var writer = TerminalVideoWriter()
        let out = writer.render(rgbFrame([[0xFF0000, 0x00FF00], [0x0000FF, 0x00FF00]]),
                                in: CellRect(x: 3, y: 1, width: 2, height: 1))
        let expected = syncOn + "\(esc)[2;4H" + "\(esc)[38;2;0;0;255;48;2;255;0;0m\u{2584}"
            + "\(esc)[48;2;0;255;0m " + resetSGR + syncOff
        #expect(visible(out) == visible(bytes(expected)))
    }

    @Test func quadrants256() {
        // 2x4 pixels into one 8x16 cell (scale 4): each quadrant averages a
        // 1x2 block. Left column white, top right black, bottom right red.
        // Best split: {white, white} vs {black, red} (error 2 * 127.5^2, less
        // than splitting off black or red alone), so mask TL|BL with fg
        // white, bg (128, 0, 0); canonical flips it to TR|BR = `▐` with fg
        // (128,0,0), bg white. 256 colours: 128 -> cube level 2 (135), index
        // 16 + 36 * 2 = 88; white -> 16 + 36*5 + 6*5 + 5 = 231.
        var writer = TerminalVideoWriter(options: RenderOptions(symbols: .quadrants, colors: .palette256))
        let out = writer.render(rgbFrame([[0xFFFFFF, 0x000000], [0xFFFFFF, 0x000000],
                                          [0xFFFFFF, 0xFF0000], [0xFFFFFF, 0xFF0000]]),
                                in: CellRect(x: 0, y: 0, width: 1, height: 1))
        let expected = syncOn + "\(esc)[1H" + "\(esc)[38;5;88;48;5;231m\u{2590}" + resetSGR + syncOff
        #expect(visible(out) == visible(bytes(expected)))
    }

    @Test func sextants16() {
        // 2x3 pixels into one 8x12 cell (scale 4), one pixel per sextant.
        // Blue at sextants 2, 3 and 6 (bits 1, 2, 5 = 38), black elsewhere:
        // mask 38 keeps bit 0 clear, so it stays. Pattern 38 comes after the
        // skipped pattern 21 (left column) only: U+1FB00 + 38 - 2 = U+1FB24,
        // BLOCK SEXTANT-236. 16 colours: blue is nearest xterm's 4 (0,0,238)
        // -> 34; black -> 40.
        let options = RenderOptions(symbols: .sextants, colors: .palette16,
                                    cellPixelSize: CellPixelSize(width: 8, height: 12))
        var writer = TerminalVideoWriter(options: options)
        let out = writer.render(rgbFrame([[0x000000, 0x0000FF], [0x0000FF, 0x000000], [0x000000, 0x0000FF]]),
                                in: CellRect(x: 0, y: 0, width: 1, height: 1))
        let expected = syncOn + "\(esc)[1H" + "\(esc)[34;40m\u{1FB24}" + resetSGR + syncOff
        #expect(visible(out) == visible(bytes(expected)))
    }

    @Test func asciiTruecolor() {
        // White bottom row on black in a 2x3 grid: `_` (mask 48), no
        // complement swap in ASCII.
        let options = RenderOptions(symbols: .ascii, cellPixelSize: CellPixelSize(width: 8, height: 12))
        var writer = TerminalVideoWriter(options: options)
        let out = writer.render(rgbFrame([[0, 0], [0, 0], [0xFFFFFF, 0xFFFFFF]]),
                                in: CellRect(x: 0, y: 0, width: 1, height: 1))
        let expected = syncOn + "\(esc)[1H" + "\(esc)[38;2;255;255;255;48;2;0;0;0m_" + resetSGR + syncOff
        #expect(visible(out) == visible(bytes(expected)))
    }

    @Test func letterboxAndFill() {
        // A 1x2 white picture into 3x1 cells (24x16 pixels). Fit: scale 8,
        // the picture covers exactly the middle cell; the outer cells are
        // black bars. Fill: scale 24, all three cells white, and after the
        // first the background is already set, so two bare spaces follow.
        let frame = rgbFrame([[0xFFFFFF], [0xFFFFFF]])
        let rect = CellRect(x: 0, y: 0, width: 3, height: 1)
        var fit = TerminalVideoWriter()
        #expect(visible(fit.render(frame, in: rect)) == visible(bytes(
            syncOn + "\(esc)[1H\(esc)[48;2;0;0;0m \(esc)[48;2;255;255;255m \(esc)[48;2;0;0;0m " + resetSGR + syncOff)))
        var fill = TerminalVideoWriter(options: RenderOptions(scaling: .fill))
        #expect(visible(fill.render(frame, in: rect)) == visible(bytes(
            syncOn + "\(esc)[1H\(esc)[48;2;255;255;255m   " + resetSGR + syncOff)))
    }

    @Test func colourSwapAvoidsSGR() {
        // Cells: red over blue, then blue over red. The first is written as
        // `▄` fg blue bg red; the second, canonically `▄` fg red bg blue,
        // is cheaper as its complement `▀` with fg blue, bg red: no SGR.
        var writer = TerminalVideoWriter()
        let out = writer.render(rgbFrame([[0xFF0000, 0x0000FF], [0x0000FF, 0xFF0000]]),
                                in: CellRect(x: 0, y: 0, width: 2, height: 1))
        let expected = syncOn + "\(esc)[1H\(esc)[38;2;0;0;255;48;2;255;0;0m\u{2584}\u{2580}" + resetSGR + syncOff
        #expect(visible(out) == visible(bytes(expected)))
    }

    @Test func saveAndRestoreCursorWrapsTheFrame() {
        var writer = TerminalVideoWriter(options: RenderOptions(saveAndRestoreCursor: true))
        let out = writer.render(rgbFrame([[0x000000], [0x000000]]), in: CellRect(x: 0, y: 0, width: 1, height: 1))
        #expect(visible(out) == visible(bytes(syncOn + "\(esc)7\(esc)[1H\(esc)[48;2;0;0;0m " + resetSGR + "\(esc)8" + syncOff)))
    }

    @Test func cellAspectDecidesTheLetterbox() {
        // One red pixel into one cell. Square 8x8 cells: scale 8, the pixel
        // covers the cell, both halves red -> a space on red. Usual 8x16
        // cells: scale 8 again (the height allows 16), so the pixel covers
        // rows 4..<12 of 16: half of each half-block's 8 rows -> both halves
        // (255 * 0.5 rounds to 128, 0, 0) -> a space on (128, 0, 0).
        let frame = rgbFrame([[0xFF0000]])
        let rect = CellRect(x: 0, y: 0, width: 1, height: 1)
        var square = TerminalVideoWriter(options: RenderOptions(cellPixelSize: CellPixelSize(width: 8, height: 8)))
        #expect(visible(square.render(frame, in: rect)) == visible(bytes(syncOn + "\(esc)[1H\(esc)[48;2;255;0;0m " + resetSGR + syncOff)))
        var tall = TerminalVideoWriter()
        #expect(visible(tall.render(frame, in: rect)) == visible(bytes(syncOn + "\(esc)[1H\(esc)[48;2;128;0;0m " + resetSGR + syncOff)))
    }

    @Test func halfBlocks16UsesBrightCodes() {
        // Top pure red is nearest xterm's bright red (9: 255,0,0), so the
        // background is 100 + 1 = 101; bottom black is colour 0, foreground 30.
        // Canonical `▄`: foreground = bottom.
        var writer = TerminalVideoWriter(options: RenderOptions(colors: .palette16))
        let out = writer.render(rgbFrame([[0xFF0000], [0x000000]]), in: CellRect(x: 0, y: 0, width: 1, height: 1))
        #expect(visible(out) == visible(bytes(syncOn + "\(esc)[1H\(esc)[30;101m\u{2584}" + resetSGR + syncOff)))
    }

    @Test func halfBlocks256UsesTheGreyRamp() {
        // (128,128,128) is grey 8 + 10 * 12 exactly: 232 + 12 = 244; (8,8,8)
        // is the first grey, 232 (the cube's nearest, black, is further).
        var writer = TerminalVideoWriter(options: RenderOptions(colors: .palette256))
        let out = writer.render(rgbFrame([[0x808080], [0x080808]]), in: CellRect(x: 0, y: 0, width: 1, height: 1))
        #expect(visible(out) == visible(bytes(syncOn + "\(esc)[1H\(esc)[38;5;232;48;5;244m\u{2584}" + resetSGR + syncOff)))
    }

    @Test func sextantsTruecolorUseTheOldBlockCharacters() {
        // Left column green over black: pattern 21 has no sextant code point,
        // it is `▌`; canonical form flips it (bit 0 set) to the right column
        // `▐` (42) in black over green.
        let options = RenderOptions(symbols: .sextants, cellPixelSize: CellPixelSize(width: 8, height: 12))
        var writer = TerminalVideoWriter(options: options)
        let g: UInt32 = 0x00FF00
        let out = writer.render(rgbFrame([[g, 0], [g, 0], [g, 0]]), in: CellRect(x: 0, y: 0, width: 1, height: 1))
        #expect(visible(out) == visible(bytes(syncOn + "\(esc)[1H\(esc)[38;2;0;0;0;48;2;0;255;0m\u{2590}" + resetSGR + syncOff)))
    }
}
