import Media
import Testing
@testable import TerminalRender

@Suite struct DiffingTests {
    let rect = CellRect(x: 2, y: 1, width: 80, height: 22)

    @Test(arguments: SymbolSet.allCases)
    func sameFrameTwiceWritesNothing(symbols: SymbolSet) {
        var writer = TerminalVideoWriter(options: RenderOptions(symbols: symbols))
        let frame = patternFrame(5)
        #expect(!writer.render(frame, in: rect).isEmpty)
        #expect(writer.render(frame, in: rect).isEmpty)
    }

    @Test func oneChangedCellIsAllThatIsWritten() {
        // 4x1 cells of grey; then cell 2 turns red on top. Expected: a CUP to
        // row 1, column 3, both colours (SGR state is unknown at a frame's
        // start) and the glyph.
        let grey: UInt32 = 0x808080
        var writer = TerminalVideoWriter()
        let r = CellRect(x: 0, y: 0, width: 4, height: 1)
        _ = writer.render(rgbFrame([[grey, grey, grey, grey], [grey, grey, grey, grey]]), in: r)
        let out = writer.render(rgbFrame([[grey, grey, 0xFF0000, grey], [grey, grey, grey, grey]]), in: r)
        // Red top, grey bottom: canonical `▄` fg grey, bg red.
        let expected = syncOn + "\(esc)[1;3H\(esc)[38;2;128;128;128;48;2;255;0;0m\u{2584}" + resetSGR + syncOff
        #expect(visible(out) == visible(bytes(expected)))
    }

    @Test func gapsUseCursorForwardOrRewriteWhicheverIsShorter() {
        // Row of 8 cells. Frame 1: all black. Frame 2: cells 0, 2 and 6 white.
        // Cell 0: CUP, bg white, space. Cell 1 is a black space; rewriting
        // it needs a colour change, so `CSI C` (3 bytes) moves over it.
        // Cell 2: space on white, no SGR. Cells 3-5 (3 black cells): `CSI 3C`.
        let b: UInt32 = 0, w: UInt32 = 0xFFFFFF
        var writer = TerminalVideoWriter()
        let r = CellRect(x: 0, y: 0, width: 8, height: 1)
        _ = writer.render(rgbFrame([[b, b, b, b, b, b, b, b], [b, b, b, b, b, b, b, b]]), in: r)
        let out = writer.render(rgbFrame([[w, b, w, b, b, b, w, b], [w, b, w, b, b, b, w, b]]), in: r)
        let expected = syncOn + "\(esc)[1H\(esc)[48;2;255;255;255m \(esc)[C \(esc)[3C " + resetSGR + syncOff
        #expect(visible(out) == visible(bytes(expected)))
        // Frame 3: cells 0 and 2 turn red; cell 1 (black) was not set since
        // cell 0 needs bg red... cell 1 still needs a colour change: CSI C.
        // Then frame 4: cells 0 and 2 back to white, cell 1 white too: all
        // three contiguous, no cursor moves.
        let red: UInt32 = 0xFF0000
        let out3 = writer.render(rgbFrame([[red, w, red, b, b, b, w, b], [red, w, red, b, b, b, w, b]]), in: r)
        // Cell 1 was black, now white: it changes too, so 0, 1, 2 are contiguous.
        let expected3 = syncOn + "\(esc)[1H\(esc)[48;2;255;0;0m \(esc)[48;2;255;255;255m \(esc)[48;2;255;0;0m " + resetSGR + syncOff
        #expect(visible(out3) == visible(bytes(expected3)))
    }

    @Test func rewritingBeatsCursorForwardForACheapGap() {
        // Frame 1: white, white, white. Frame 2: red, white, red. Cell 0 sets
        // bg red; cell 1 is unchanged but bg is red now, so a rewrite of it
        // needs SGR: `CSI C`. Frame 3: white, white, white -> cells 0 and 2
        // change; after cell 0 (bg white) the unchanged white cell 1 can be
        // rewritten as one space (1 byte) instead of `CSI C` (3 bytes).
        let w: UInt32 = 0xFFFFFF, red: UInt32 = 0xFF0000
        var writer = TerminalVideoWriter()
        let r = CellRect(x: 0, y: 0, width: 3, height: 1)
        _ = writer.render(rgbFrame([[w, w, w], [w, w, w]]), in: r)
        let out2 = writer.render(rgbFrame([[red, w, red], [red, w, red]]), in: r)
        #expect(visible(out2) == visible(bytes(syncOn + "\(esc)[1H\(esc)[48;2;255;0;0m \(esc)[C " + resetSGR + syncOff)))
        let out3 = writer.render(rgbFrame([[w, w, w], [w, w, w]]), in: r)
        #expect(visible(out3) == visible(bytes(syncOn + "\(esc)[1H\(esc)[48;2;255;255;255m   " + resetSGR + syncOff)))
    }

    @Test func changedRegionOnlyIsWritten() {
        // A moving picture in one corner of a static one: every byte written
        // must land in the changed rows/columns.
        let size = (w: 160, h: 90)
        var base = RGBFrame(width: size.w, height: size.h)
        base.fill(x: 0, y: 0, width: size.w, height: size.h, color: (30, 60, 90))
        var changed = base
        changed.fill(x: 20, y: 20, width: 20, height: 10, color: (250, 200, 0))
        var writer = TerminalVideoWriter()
        let r = CellRect(x: 0, y: 0, width: 80, height: 22)
        let first = writer.render(.rgb(base), in: r)
        let second = writer.render(.rgb(changed), in: r)
        // The first frame is 1,760 spaces on one background; the second only
        // rewrites the 40-odd cells around the box.
        #expect(second.count < 1000 && first.count > 1760)
        var model = TerminalModel(columns: 80, rows: 22)
        try? model.apply(first)
        let before = model.cells
        try? model.apply(second)
        var touched = Set<Int>()
        for i in 0..<before.count where before[i] != model.cells[i] { touched.insert(i) }
        // The yellow box is pixels 20..<40 x 20..<30 of 160x90 -> cells
        // 10..<20 x rows covering 20..<30 of 44 half-block rows -> 5...7.
        let rows = Set(touched.map { $0 / 80 }), columns = Set(touched.map { $0 % 80 })
        #expect(!touched.isEmpty)
        #expect(rows.isSubset(of: Set(4...8)))
        #expect(columns.isSubset(of: Set(9...20)))
    }

    @Test func toleranceKeepsNearlyEqualCells() {
        var writer = TerminalVideoWriter(options: RenderOptions(tolerance: 6))
        let r = CellRect(x: 0, y: 0, width: 40, height: 10)
        var a = RGBFrame(width: 80, height: 40)
        a.fill(x: 0, y: 0, width: 80, height: 40, color: (100, 100, 100))
        var b = a
        b.fill(x: 0, y: 0, width: 80, height: 40, color: (104, 97, 100))
        var c = a
        c.fill(x: 0, y: 0, width: 80, height: 40, color: (110, 100, 100))
        _ = writer.render(.rgb(a), in: r)
        #expect(writer.render(.rgb(b), in: r).isEmpty)
        // Measured against what is on screen (a), not the skipped b.
        #expect(!writer.render(.rgb(c), in: r).isEmpty)
    }

    @Test func invalidateAndOptionChangesRepaintEverything() {
        var writer = TerminalVideoWriter()
        let frame = patternFrame(1)
        let full = writer.render(frame, in: rect)
        writer.invalidate()
        #expect(writer.render(frame, in: rect) == full)
        // A moved rectangle repaints whole too.
        let moved = writer.render(frame, in: CellRect(x: 3, y: 1, width: 80, height: 22))
        #expect(moved.count > full.count / 2)
        writer.options.colors = .palette256
        #expect(!writer.render(frame, in: CellRect(x: 3, y: 1, width: 80, height: 22)).isEmpty)
    }
}
