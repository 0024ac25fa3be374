/// The fast path for half blocks: each cell is exactly two sub-pixels, top
/// and bottom, so the best two colours are those two pixels and no search
/// is needed.
enum HalfBlockFitter {
    static func fit(_ image: SubpixelImage, into grid: inout CellGrid, dithering: Bool) {
        let mode = grid.colors
        let columns = grid.columns
        image.rgb.withUnsafeBufferPointer { px in
            grid.cells.withUnsafeMutableBufferPointer { cells in
                for row in 0..<grid.rows {
                    let top = 2 * row * columns * 3, bottom = top + columns * 3
                    for column in 0..<columns {
                        let t = Palette.pack(Int(px[top + 3 * column]), Int(px[top + 3 * column + 1]),
                                             Int(px[top + 3 * column + 2]))
                        let b = Palette.pack(Int(px[bottom + 3 * column]), Int(px[bottom + 3 * column + 1]),
                                             Int(px[bottom + 3 * column + 2]))
                        var qt = t, qb = b
                        if mode != .truecolor {
                            let tt = dithering ? Palette.bayer4[((2 * row) & 3) * 4 + (column & 3)] : nil
                            let tb = dithering ? Palette.bayer4[((2 * row + 1) & 3) * 4 + (column & 3)] : nil
                            qt = Palette.quantize(t, mode: mode, ditherThreshold: tt)
                            qb = Palette.quantize(b, mode: mode, ditherThreshold: tb)
                        }
                        // Canonical form: mask bit 0 (top) never set, so a
                        // two-colour cell is `▄` with the bottom as foreground.
                        cells[row * columns + column] = qt == qb
                            ? TerminalCell(mask: 0, foreground: qt, background: qt)
                            : TerminalCell(mask: 0b10, foreground: qb, background: qt)
                    }
                }
            }
        }
    }
}
