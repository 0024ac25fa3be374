import Media
import Testing
@testable import TerminalRender

@Suite struct OverlayTests {
    let grey: UInt32 = 0x808080

    @Test func overlayCellsAreLeftOutOfThePictureAndTheTextGoesOnTop() {
        // 4x1 grey cells, overlay "ab" (2 columns) one cell in from the left.
        // Cell 0: CUP, bg grey, space. Cells 1-2 are the overlay's: skipped
        // with `CSI 2C` (they hold no picture to rewrite). Cell 3: a space,
        // bg still grey. Then the overlay: CUP to column 2, its colours, text.
        var writer = TerminalVideoWriter()
        let r = CellRect(x: 0, y: 0, width: 4, height: 1)
        let frame = rgbFrame([[grey, grey, grey, grey], [grey, grey, grey, grey]])
        let overlay = [VideoOverlay(text: "ab", width: 2)]
        let first = writer.render(frame, in: r, overlays: overlay)
        let expected = syncOn + "\(esc)[1H\(esc)[48;2;128;128;128m \(esc)[2C " + "\(esc)[1;2H\(esc)[0;97;100mab"
            + resetSGR + syncOff
        #expect(visible(first) == visible(bytes(expected)))
        // Same picture, same overlay: nothing.
        #expect(writer.render(frame, in: r, overlays: overlay).isEmpty)
        // The overlay goes: its two cells get the picture back, nothing else is written.
        let gone = writer.render(frame, in: r)
        #expect(visible(gone) == visible(bytes(syncOn + "\(esc)[1;2H\(esc)[48;2;128;128;128m  " + resetSGR + syncOff)))
    }

    @Test func aChangedOverlayIsRedrawnWithoutThePictureUnderIt() {
        var writer = TerminalVideoWriter()
        let r = CellRect(x: 3, y: 2, width: 10, height: 3)
        let frame = rgbFrame(Array(repeating: Array(repeating: grey, count: 10), count: 6))
        _ = writer.render(frame, in: r, overlays: [VideoOverlay(text: "30 fps", width: 6, placement: .bottomLeft)])
        // Same width, new text: only the text is written (bottom row of the rectangle, one cell in).
        let out = writer.render(frame, in: r, overlays: [VideoOverlay(text: "29 fps", width: 6, placement: .bottomLeft)])
        #expect(visible(out) == visible(bytes(syncOn + "\(esc)[5;5H\(esc)[0;97;100m29 fps" + resetSGR + syncOff)))
    }

    @Test func anOverlayThatDoesNotFitIsNotDrawnAndCoversNothing() {
        var with = TerminalVideoWriter(), without = TerminalVideoWriter()
        let r = CellRect(x: 0, y: 0, width: 4, height: 1)
        let frame = rgbFrame([[grey, grey, 0xFF0000, grey], [grey, grey, grey, grey]])
        #expect(with.render(frame, in: r, overlays: [VideoOverlay(text: "hello", width: 5)]) == without.render(frame, in: r))
    }

    @Test func controlCharactersInTheTextAreReplaced() {
        #expect(VideoOverlay(text: "a\u{1B}[2Jb\n", width: 7).text == "a?[2Jb?")
    }

    /// Over a moving picture with overlays that appear, change, move and go,
    /// the terminal shows each overlay's text in its colours where it is, and
    /// everywhere else exactly what a writer without overlays shows (the same
    /// pixels: the glyph may be the complement with the colours swapped).
    @Test(arguments: [SymbolSet.halfBlocks, .sextants])
    func theModelShowsOverlaysOverThePictureAndThePictureElsewhere(symbols: SymbolSet) throws {
        let rect = CellRect(x: 4, y: 1, width: 40, height: 12)
        var model = TerminalModel(columns: 50, rows: 14), plain = TerminalModel(columns: 50, rows: 14)
        let options = RenderOptions(symbols: symbols, tolerance: 0, saveAndRestoreCursor: true)
        var writer = TerminalVideoWriter(options: options), reference = TerminalVideoWriter(options: options)
        let sequence: [[VideoOverlay]] = [
            [], [VideoOverlay(text: "Alice", width: 5)], [VideoOverlay(text: "Alice", width: 5)],
            [VideoOverlay(text: "Alice · 30 fps", width: 14), VideoOverlay(text: "reconnecting", width: 12, placement: .bottomLeft)],
            [VideoOverlay(text: "Al", width: 2)], [VideoOverlay(text: "Al", width: 2)], [], [],
        ]
        for (n, overlays) in sequence.enumerated() {
            let frame = patternFrame(UInt32(n), width: 160, height: 96)
            if n == 5 { writer.invalidate() }
            try model.apply(writer.render(frame, in: rect, overlays: overlays))
            try plain.apply(reference.render(frame, in: rect))
            var covered = Set<Int>()
            for overlay in overlays {
                let span = try #require(overlay.span(columns: rect.width, rows: rect.height))
                for (k, scalar) in overlay.text.unicodeScalars.enumerated() {
                    let cell = model[rect.x + span.columns.lowerBound + k, rect.y + span.row]
                    #expect(cell.scalar == scalar && cell.foreground == Palette.ansi16[15] && cell.background == Palette.ansi16[8],
                            "frame \(n): overlay \(overlay.text) at \(k)")
                    covered.insert((rect.y + span.row) * 50 + rect.x + span.columns.lowerBound + k)
                }
            }
            for row in 0..<14 {
                for column in 0..<50 where !covered.contains(row * 50 + column) {
                    let cell = CellRect(x: column, y: row, width: 1, height: 1)
                    #expect(model.rasterize(cell).frame == plain.rasterize(cell).frame, "frame \(n): cell \(column),\(row)")
                }
            }
        }
    }
}
