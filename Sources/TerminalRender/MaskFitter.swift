/// Two-colour fitting for symbol sets with more than two sub-pixels per cell
/// (quadrants, sextants, ASCII).
///
/// For a mask, the colours that minimise the squared error are the means of
/// the pixels under it and under its complement, and the error is
/// `sum |p|^2 - |S1|^2 / n1 - |S2|^2 / n2` (S = colour sums, n = counts), so
/// the best mask is the one maximising `|S1|^2 / n1 + |S2|^2 / n2`. With at
/// most six sub-pixels that can be searched exhaustively: where every mask has
/// a character, masks are visited in Gray-code order (one sub-pixel moves per
/// step, so the sums update with one add) and only half of them, since a mask
/// and its complement split the pixels the same way. This finds the optimum
/// that chafa's cluster-then-match approximates. ASCII scores its few glyph
/// masks directly.
enum MaskFitter {
    static func fit(_ image: SubpixelImage, into grid: inout CellGrid, dithering: Bool) {
        let symbols = grid.symbols, mode = grid.colors
        let gw = symbols.columns, gh = symbols.rows, n = gw * gh
        let columns = grid.columns
        let stride = image.width * 3
        let candidates = symbols.masks
        var r = [Int](repeating: 0, count: 6), g = r, b = r
        image.rgb.withUnsafeBufferPointer { px in
            grid.cells.withUnsafeMutableBufferPointer { cells in
                for row in 0..<grid.rows {
                    for column in 0..<columns {
                        var tr = 0, tg = 0, tb = 0
                        for sy in 0..<gh {
                            var i = (row * gh + sy) * stride + column * gw * 3
                            for sx in 0..<gw {
                                let k = sy * gw + sx
                                r[k] = Int(px[i]); g[k] = Int(px[i + 1]); b[k] = Int(px[i + 2])
                                tr += r[k]; tg += g[k]; tb += b[k]
                                i += 3
                            }
                        }
                        let mask = symbols.hasEveryMask
                            ? bestMaskExhaustive(n: n, r: r, g: g, b: b, total: (tr, tg, tb))
                            : bestMask(among: candidates, n: n, r: r, g: g, b: b, total: (tr, tg, tb))
                        var fr = 0, fg = 0, fb = 0, count = 0
                        for k in 0..<n where mask & (1 << k) != 0 {
                            fr += r[k]; fg += g[k]; fb += b[k]; count += 1
                        }
                        let rest = n - count
                        var fore = count == 0 ? 0 : Palette.pack((fr + count / 2) / count, (fg + count / 2) / count,
                                                                 (fb + count / 2) / count)
                        var back = rest == 0 ? fore : Palette.pack((tr - fr + rest / 2) / rest,
                                                                   (tg - fg + rest / 2) / rest,
                                                                   (tb - fb + rest / 2) / rest)
                        if count == 0 { fore = back }
                        if mode != .truecolor {
                            let tf = dithering ? Palette.bayer4[(row & 3) * 4 + (column & 3)] : nil
                            let tbk = dithering ? Palette.bayer4[((row + 2) & 3) * 4 + ((column + 2) & 3)] : nil
                            fore = Palette.quantize(fore, mode: mode, ditherThreshold: tf)
                            back = Palette.quantize(back, mode: mode, ditherThreshold: tbk)
                        }
                        cells[row * columns + column] = TerminalCell.canonical(
                            mask: mask, foreground: fore, background: back, symbols: symbols)
                    }
                }
            }
        }
    }

    @inline(__always)
    private static func score(_ s: (Int, Int, Int), _ count: Int) -> Double {
        count == 0 ? 0 : Double(s.0 * s.0 + s.1 * s.1 + s.2 * s.2) / Double(count)
    }

    private static func bestMaskExhaustive(n: Int, r: [Int], g: [Int], b: [Int], total: (Int, Int, Int)) -> UInt8 {
        // Start from mask 0 (everything background), the one-colour cell.
        var best: UInt8 = 0
        var bestScore = score(total, n)
        var mask = 0, s1 = (0, 0, 0), n1 = 0
        for i in 1..<(1 << (n - 1)) {
            let bit = i.trailingZeroBitCount
            let m = 1 << bit
            if mask & m == 0 {
                mask |= m; s1.0 += r[bit]; s1.1 += g[bit]; s1.2 += b[bit]; n1 += 1
            } else {
                mask &= ~m; s1.0 -= r[bit]; s1.1 -= g[bit]; s1.2 -= b[bit]; n1 -= 1
            }
            let s = score(s1, n1) + score((total.0 - s1.0, total.1 - s1.1, total.2 - s1.2), n - n1)
            if s > bestScore { bestScore = s; best = UInt8(mask) }
        }
        return best
    }

    private static func bestMask(among candidates: [UInt8], n: Int, r: [Int], g: [Int], b: [Int],
                                 total: (Int, Int, Int)) -> UInt8 {
        var best: UInt8 = 0
        var bestScore = -1.0
        for mask in candidates {
            var s1 = (0, 0, 0), n1 = 0
            for k in 0..<n where mask & (1 << k) != 0 {
                s1.0 += r[k]; s1.1 += g[k]; s1.2 += b[k]; n1 += 1
            }
            let s = score(s1, n1) + score((total.0 - s1.0, total.1 - s1.1, total.2 - s1.2), n - n1)
            if s > bestScore { bestScore = s; best = mask }
        }
        return best
    }
}
