/// Turns a cell grid into the escape bytes that bring the screen from the
/// previous grid to it: changed cells only, the cheapest cursor move to each,
/// colour changes only where the SGR state differs, all in one buffer inside
/// synchronized output, SGR reset at the end.
///
/// Assumes nothing about the SGR state or cursor when a frame starts (the
/// previous frame reset SGR, and something else may have moved the cursor
/// since); within a frame it tracks both exactly.
struct FrameEncoder {
    let symbols: SymbolSet
    let mode: ColorMode
    let glyphs: EscapeBytes.GlyphTable
    /// Largest per-channel difference (truecolor) that still counts as the
    /// same colour; palette codes must match exactly.
    let tolerance: Int
    let saveAndRestoreCursor: Bool

    private var foreground: UInt32?
    private var background: UInt32?
    /// Screen position of the cursor, nil when unknown.
    private var cursorRow: Int?
    private var cursorColumn = 0
    private var started = false

    init(symbols: SymbolSet, mode: ColorMode, tolerance: Int, saveAndRestoreCursor: Bool) {
        self.symbols = symbols
        self.mode = mode
        glyphs = EscapeBytes.GlyphTable(symbols)
        self.tolerance = tolerance
        self.saveAndRestoreCursor = saveAndRestoreCursor
    }

    /// Appends to `out` what turns `screen` (what the rectangle shows now,
    /// nil = unknown) into `grid`, and updates `screen` to what it then shows.
    /// Cells within `tolerance` are left alone, so `screen` keeps their old
    /// look and small drifts cannot pile up. Writes nothing when nothing changed.
    /// The cells under `overlays` are not written (the screen record marks
    /// them unknown, so they are repainted once uncovered); the overlays'
    /// text is written when `drawOverlays` is set.
    mutating func encode(_ grid: CellGrid, at origin: (x: Int, y: Int), over screen: inout CellGrid?,
                         overlays: [VideoOverlay] = [], drawOverlays: Bool = false, into out: inout [UInt8]) {
        foreground = nil; background = nil; cursorRow = nil; started = false
        let repaintAll = screen == nil
        var shown = screen ?? grid
        let columns = grid.columns
        let spans = overlays.map { $0.span(columns: columns, rows: grid.rows) }
        grid.cells.withUnsafeBufferPointer { cells in
            for row in 0..<grid.rows {
                let screenRow = origin.y + row
                let hole = spans.lazy.compactMap { $0 }.first { $0.row == row }?.columns ?? 0..<0
                for column in 0..<columns {
                    if hole.contains(column) {
                        shown.cells[row * columns + column] = .unknown
                        continue
                    }
                    let cell = cells[row * columns + column]
                    let before = shown.cells[row * columns + column]
                    if !repaintAll && before != .unknown && looksSame(cell, before) { continue }
                    if !started { begin(&out) }
                    moveCursor(toRow: screenRow, column: origin.x + column, rowCells: shown, row: row,
                               gridColumnOffset: origin.x, into: &out)
                    shown.cells[row * columns + column] = write(cell, into: &out)
                    // At the rectangle's right edge the cursor may be in the
                    // terminal's pending-wrap state: forget where it is.
                    if column == columns - 1 { cursorRow = nil } else { cursorColumn += 1 }
                }
            }
        }
        if drawOverlays {
            for (overlay, span) in zip(overlays, spans) {
                guard let span else { continue }
                if !started { begin(&out) }
                out.append(EscapeBytes.escape); out.append(EscapeBytes.bracket)
                EscapeBytes.appendDecimal(origin.y + span.row + 1, to: &out); out.append(59)
                EscapeBytes.appendDecimal(origin.x + span.columns.lowerBound + 1, to: &out)
                // Bright white on dark grey: readable over any picture, in every colour mode.
                EscapeBytes.append("H\u{1B}[0;97;100m", to: &out)
                out.append(contentsOf: overlay.text.utf8)
            }
            foreground = nil; background = nil; cursorRow = nil
        }
        if started { end(&out) }
        screen = shown
    }

    private mutating func begin(_ out: inout [UInt8]) {
        started = true
        // Save/restore go inside the synchronized update, as RoomScreen asks.
        EscapeBytes.append("\u{1B}[?2026h", to: &out)
        if saveAndRestoreCursor { out.append(EscapeBytes.escape); out.append(0x37) }  // ESC 7
    }

    private func end(_ out: inout [UInt8]) {
        EscapeBytes.append("\u{1B}[0m", to: &out)
        if saveAndRestoreCursor { out.append(EscapeBytes.escape); out.append(0x38) }  // ESC 8
        EscapeBytes.append("\u{1B}[?2026l", to: &out)
    }

    @inline(__always)
    private func sameColor(_ a: UInt32, _ b: UInt32) -> Bool {
        if a == b { return true }
        guard tolerance > 0, mode == .truecolor else { return false }
        return abs(Int(a >> 16 & 0xFF) - Int(b >> 16 & 0xFF)) <= tolerance
            && abs(Int(a >> 8 & 0xFF) - Int(b >> 8 & 0xFF)) <= tolerance
            && abs(Int(a & 0xFF) - Int(b & 0xFF)) <= tolerance
    }

    /// Whether two cells look alike within tolerance, sub-pixel by
    /// sub-pixel. Masks can differ between near-equal cells (a two-colour
    /// cell whose colours are within tolerance of each other was drawn as
    /// one colour), so when they do, each sub-pixel's colour is compared.
    @inline(__always)
    private func looksSame(_ a: TerminalCell, _ b: TerminalCell) -> Bool {
        if a.mask == b.mask {
            return sameColor(a.background, b.background) && (a.mask == 0 || sameColor(a.foreground, b.foreground))
        }
        guard tolerance > 0 else { return false }
        for k in 0..<symbols.subpixelCount {
            let bit: UInt8 = 1 << k
            let ca = a.mask & bit != 0 ? a.foreground : a.background
            let cb = b.mask & bit != 0 ? b.foreground : b.background
            if !sameColor(ca, cb) { return false }
        }
        return true
    }

    /// Whether the SGR state `state` can stand for `wanted`: equal, or within
    /// `tolerance` (then the cell is written in the state's colour, saving an
    /// SGR sequence; the screen record keeps the colour actually written).
    @inline(__always)
    private func reusable(_ state: UInt32?, for wanted: UInt32) -> Bool {
        guard let state else { return false }
        return sameColor(state, wanted)
    }

    /// The glyph and colours to write `cell` with, given the SGR state: the
    /// cell as is, or (where the set has every mask) its complement with the
    /// colours swapped, whichever needs fewer colour changes. A one-colour
    /// cell is a space on its background or a full block in its foreground.
    /// `fg`/`bg` are the colours the glyph will show in (nil = not shown),
    /// `changes` how many of them need an SGR change.
    @inline(__always)
    private func plan(_ cell: TerminalCell) -> (mask: UInt8, fg: UInt32?, bg: UInt32, changes: Int) {
        let needFg = cell.mask != 0
        let keepFgA = !needFg || reusable(foreground, for: cell.foreground)
        let keepBgA = reusable(background, for: cell.background)
        let changesA = (keepFgA ? 0 : 1) + (keepBgA ? 0 : 1)
        let planA = (mask: cell.mask,
                     fg: needFg ? (keepFgA ? foreground! : cell.foreground) : nil as UInt32?,
                     bg: keepBgA ? background! : cell.background, changes: changesA)
        guard symbols.hasEveryMask, changesA > 0 else { return planA }
        let complement = ~cell.mask & symbols.fullMask
        if cell.mask == 0 {
            // A full block in the colour needs the foreground only; the
            // background stays whatever it is (it does not show).
            guard reusable(foreground, for: cell.background), let fg = foreground, let bg = background ?? foreground else {
                return planA
            }
            return (complement, fg, bg, 0)
        }
        let keepFgB = reusable(foreground, for: cell.background)
        let keepBgB = reusable(background, for: cell.foreground)
        let changesB = (keepFgB ? 0 : 1) + (keepBgB ? 0 : 1)
        guard changesB < changesA else { return planA }
        return (complement, keepFgB ? foreground! : cell.background, keepBgB ? background! : cell.foreground, changesB)
    }

    /// Writes `cell` and returns what the screen now shows there (canonical).
    @discardableResult
    private mutating func write(_ cell: TerminalCell, into out: inout [UInt8]) -> TerminalCell {
        let p = plan(cell)
        let setFg = p.fg != nil && p.fg != foreground
        let setBg = p.bg != background && p.mask != symbols.fullMask
        if setFg || setBg {
            out.append(EscapeBytes.escape); out.append(EscapeBytes.bracket)
            if setFg { EscapeBytes.appendColor(p.fg!, background: false, mode: mode, to: &out); foreground = p.fg }
            if setFg && setBg { out.append(59) }
            if setBg { EscapeBytes.appendColor(p.bg, background: true, mode: mode, to: &out); background = p.bg }
            out.append(0x6D)  // m
        }
        glyphs.append(p.mask, to: &out)
        return shows(p)
    }

    @inline(__always)
    private func shows(_ p: (mask: UInt8, fg: UInt32?, bg: UInt32, changes: Int)) -> TerminalCell {
        TerminalCell.canonical(mask: p.mask, foreground: p.fg ?? p.bg, background: p.bg, symbols: symbols)
    }

    /// Puts the cursor at (row, column): nothing when it is there; on the same
    /// row and a few cells short, rewriting the cells in between when they
    /// need no colour change and that is shorter than `CSI n C`; `CSI n C`
    /// otherwise on the same row; `CSI row ; col H` when the row differs.
    private mutating func moveCursor(toRow row: Int, column: Int, rowCells shown: CellGrid, row gridRow: Int,
                                     gridColumnOffset: Int, into out: inout [UInt8]) {
        if let current = cursorRow, current == row {
            let gap = column - cursorColumn
            if gap == 0 { return }
            if gap > 0 {
                let forwardCost = gap == 1 ? 3 : 3 + EscapeBytes.decimalLength(gap)
                if gap < forwardCost, rewriteIfCheaper(from: cursorColumn, count: gap, budget: forwardCost,
                                                       shown: shown, gridRow: gridRow,
                                                       gridColumnOffset: gridColumnOffset, into: &out) {
                    return
                }
                out.append(EscapeBytes.escape); out.append(EscapeBytes.bracket)
                if gap > 1 { EscapeBytes.appendDecimal(gap, to: &out) }
                out.append(0x43)  // C
                cursorColumn = column
                return
            }
        }
        out.append(EscapeBytes.escape); out.append(EscapeBytes.bracket)
        EscapeBytes.appendDecimal(row + 1, to: &out)
        if column > 0 {
            out.append(59)
            EscapeBytes.appendDecimal(column + 1, to: &out)
        }
        out.append(0x48)  // H
        cursorRow = row
        cursorColumn = column
    }

    private mutating func rewriteIfCheaper(from screenColumn: Int, count: Int, budget: Int, shown: CellGrid,
                                           gridRow: Int, gridColumnOffset: Int, into out: inout [UInt8]) -> Bool {
        var cost = 0
        let first = screenColumn - gridColumnOffset
        for c in first..<(first + count) {
            // Only cells that come out exactly as they are (not merely within
            // tolerance), so the screen record stays true.
            if shown[c, gridRow] == .unknown { return false }
            let p = plan(shown[c, gridRow])
            if p.changes > 0 || shows(p) != shown[c, gridRow] { return false }
            cost += glyphs.length(p.mask)
            if cost >= budget { return false }
        }
        for c in first..<(first + count) { write(shown[c, gridRow], into: &out) }
        cursorColumn += count
        return true
    }
}
