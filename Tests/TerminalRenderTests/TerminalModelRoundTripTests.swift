import Media
import Testing
@testable import TerminalRender

/// Applying what the writer emitted, frame after frame, to a terminal model
/// must leave the rectangle showing exactly the frame the writer fitted.
@Suite struct TerminalModelRoundTripTests {
    static let combinations: [(SymbolSet, ColorMode, Bool)] = SymbolSet.allCases.flatMap { s in
        ColorMode.allCases.flatMap { c in [(s, c, false), (s, c, true)] }
    }

    @Test(arguments: combinations)
    func modelShowsEveryFrameExactly(symbols: SymbolSet, colors: ColorMode, dithering: Bool) throws {
        let rect = CellRect(x: 5, y: 2, width: 48, height: 14)
        var model = TerminalModel(columns: 60, rows: 20)
        var writer = TerminalVideoWriter(options: RenderOptions(symbols: symbols, colors: colors, dithering: dithering,
                                                                tolerance: 0, saveAndRestoreCursor: true))
        var fitter = CellFitter()
        for n in 0..<12 {
            // Frame 6 repeats frame 5 (nothing to write); frame 9 comes after
            // an invalidate (whole repaint).
            let frame = patternFrame(UInt32(n == 6 ? 5 : n), width: 192, height: 108)
            if n == 9 { writer.invalidate() }
            let out = writer.render(frame, in: rect)
            if n == 6 { #expect(out.isEmpty) }
            try model.apply(out)
            #expect(!model.inSynchronizedUpdate)
            // ESC 8 put the cursor back where ESC 7 found it.
            #expect(model.cursorRow == 0 && model.cursorColumn == 0)
            let expected = fitter.fit(frame, columns: rect.width, rows: rect.height, options: writer.options)
            let shown = model.rasterize(rect)
            #expect(shown.unknownGlyphs == 0)
            #expect(shown.frame == RenderQuality.rasterize(expected), "frame \(n)")
        }
        // Nothing outside the rectangle was touched.
        for row in 0..<model.rows {
            for column in 0..<model.columns
            where !(rect.x..<(rect.x + rect.width)).contains(column) || !(rect.y..<(rect.y + rect.height)).contains(row) {
                #expect(model[column, row].scalar == " " && model[column, row].background == TerminalModel.defaultBackground)
            }
        }
    }

    @Test(arguments: [SymbolSet.halfBlocks, .sextants, .ascii])
    func withToleranceTheScreenStaysWithinToleranceAndTheRecordIsExact(symbols: SymbolSet) throws {
        let tolerance = 6
        let rect = CellRect(x: 0, y: 0, width: 48, height: 14)
        var model = TerminalModel(columns: 48, rows: 14)
        var writer = TerminalVideoWriter(options: RenderOptions(symbols: symbols, tolerance: tolerance))
        var fitter = CellFitter()
        var exactBytes = 0, looseBytes = 0
        var exact = TerminalVideoWriter(options: RenderOptions(symbols: symbols, tolerance: 0))
        for n in 0..<10 {
            let frame = patternFrame(UInt32(n), width: 192, height: 108)
            let out = writer.render(frame, in: rect)
            looseBytes += out.count
            exactBytes += exact.render(frame, in: rect).count
            try model.apply(out)
            let shown = model.rasterize(rect).frame
            #expect(shown == RenderQuality.rasterize(writer.shownCells!))
            let wanted = RenderQuality.rasterize(fitter.fit(frame, columns: 48, rows: 14, options: writer.options))
            let worst = zip(shown.pixels, wanted.pixels).map { abs(Int($0) - Int($1)) }.max()!
            #expect(worst <= tolerance)
        }
        #expect(looseBytes < exactBytes)
    }

    @Test func rectangleAtTheRightMarginDoesNotWrap() throws {
        // The last column puts the terminal in pending-wrap; the next row must
        // still start where it should.
        let rect = CellRect(x: 20, y: 0, width: 20, height: 6)
        var model = TerminalModel(columns: 40, rows: 6)
        var writer = TerminalVideoWriter(options: RenderOptions(symbols: .sextants))
        for n in 0..<3 {
            let frame = patternFrame(UInt32(n), width: 160, height: 90)
            try model.apply(writer.render(frame, in: rect))
            #expect(model.rasterize(rect).frame == RenderQuality.rasterize(writer.shownCells!))
        }
    }

    @Test func modelRejectsWhatItDoesNotKnow() {
        var model = TerminalModel(columns: 4, rows: 2)
        #expect(throws: TerminalModel.UnsupportedSequence.self) { try model.apply(bytes("\(esc)[2J")) }
        #expect(throws: TerminalModel.UnsupportedSequence.self) { try model.apply(bytes("\(esc)[38;2;1;2m")) }
        #expect(throws: TerminalModel.UnsupportedSequence.self) { try model.apply([0x07]) }
    }

    @Test func modelInterpretsColoursAndMoves() throws {
        var model = TerminalModel(columns: 6, rows: 3)
        try model.apply(bytes("\(esc)[2;2H\(esc)[31;48;5;196mA\(esc)[2CB\(esc)[0m\r\nC\(esc)[38;2;1;2;3;104mD\n\nE"))
        #expect(model[1, 1] == .init(scalar: "A", foreground: 0xCD0000, background: 0xFF0000))
        #expect(model[4, 1] == .init(scalar: "B", foreground: 0xCD0000, background: 0xFF0000))
        #expect(model[0, 2] == .init(scalar: "C", foreground: TerminalModel.defaultForeground,
                                     background: TerminalModel.defaultBackground))
        #expect(model[1, 2].scalar == "D" && model[1, 2].foreground == 0x010203 && model[1, 2].background == 0x5C5CFF)
        try model.apply(bytes("\(esc)[1;1Hx\(esc)[3b"))
        #expect((0..<4).allSatisfy { model[$0, 0].scalar == "x" } && model[4, 0].scalar == " ")
        // LF keeps the column; at the bottom row it stays there (no scrolling in the model).
        #expect(model[2, 2].scalar == "E")
    }
}
