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
/// masks directly. In palette modes the best four masks are scored again
/// with their quantised colours (the truecolor optimum can quantise badly).
enum MaskFitter {
    static func fit(_ image: SubpixelImage, into grid: inout CellGrid, dithering: Bool) {
        let symbols = grid.symbols, mode = grid.colors
        let gw = symbols.columns, gh = symbols.rows, n = gw * gh
        let columns = grid.columns
        let stride = image.width * 3
        let candidates = symbols.masks
        var r = [Int](repeating: 0, count: 6), g = r, b = r
        // The best few masks by the truecolor score (one is enough in truecolor).
        var top = TopMasks(capacity: mode == .truecolor ? 1 : 4)
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
                        let total = (tr, tg, tb)
                        top.reset()
                        if symbols.hasEveryMask {
                            rankMasksExhaustive(n: n, r: r, g: g, b: b, total: total, into: &top)
                        } else {
                            rankMasks(among: candidates, n: n, r: r, g: g, b: b, total: total, into: &top)
                        }
                        let tf = dithering ? Palette.bayer4[(row & 3) * 4 + (column & 3)] : nil
                        let tbk = dithering ? Palette.bayer4[((row + 2) & 3) * 4 + ((column + 2) & 3)] : nil
                        var mask = top.masks[0]
                        var (fore, back) = colors(mask, n: n, r: r, g: g, b: b, total: total)
                        if mode != .truecolor {
                            // Quantising can reorder the candidates: score the
                            // best few again with the colours actually shown.
                            var bestError = Int.max
                            for slot in 0..<top.count {
                                let candidate = top.masks[slot]
                                let (f, bk) = colors(candidate, n: n, r: r, g: g, b: b, total: total)
                                let qf = Palette.quantize(f, mode: mode, ditherThreshold: tf)
                                let qb = Palette.quantize(bk, mode: mode, ditherThreshold: tbk)
                                let e = error(candidate, Palette.rgb(of: qf, mode: mode), Palette.rgb(of: qb, mode: mode),
                                              n: n, r: r, g: g, b: b)
                                if e < bestError { bestError = e; mask = candidate; fore = qf; back = qb }
                            }
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

    /// The mean colours under `mask` and under the rest (one colour when
    /// either side is empty).
    @inline(__always)
    private static func colors(_ mask: UInt8, n: Int, r: [Int], g: [Int], b: [Int],
                               total: (Int, Int, Int)) -> (UInt32, UInt32) {
        var fr = 0, fg = 0, fb = 0, count = 0
        for k in 0..<n where mask & (1 << k) != 0 {
            fr += r[k]; fg += g[k]; fb += b[k]; count += 1
        }
        let rest = n - count
        let back = rest == 0 ? 0 : Palette.pack((total.0 - fr + rest / 2) / rest, (total.1 - fg + rest / 2) / rest,
                                                (total.2 - fb + rest / 2) / rest)
        let fore = count == 0 ? back : Palette.pack((fr + count / 2) / count, (fg + count / 2) / count,
                                                    (fb + count / 2) / count)
        return (fore, rest == 0 ? fore : back)
    }

    /// Squared error of showing the pixels as `mask` in `fore` over `back` (RGB).
    @inline(__always)
    private static func error(_ mask: UInt8, _ fore: UInt32, _ back: UInt32, n: Int, r: [Int], g: [Int], b: [Int]) -> Int {
        var e = 0
        for k in 0..<n {
            let c = mask & (1 << k) != 0 ? fore : back
            let dr = Int(c >> 16 & 0xFF) - r[k], dg = Int(c >> 8 & 0xFF) - g[k], db = Int(c & 0xFF) - b[k]
            e += dr * dr + dg * dg + db * db
        }
        return e
    }

    /// The best masks seen so far, best first; fixed-size and on the stack
    /// so the per-cell search allocates nothing.
    struct TopMasks {
        let capacity: Int
        var masks = SIMD4<UInt8>(repeating: 0)
        var scores = SIMD4<Double>(repeating: -1)
        var count = 0

        init(capacity: Int) { self.capacity = capacity }

        mutating func reset() {
            scores = SIMD4(repeating: -1)
            count = 0
        }

        @inline(__always)
        mutating func offer(_ mask: UInt8, _ score: Double) {
            var i = capacity - 1
            guard score > scores[i] else { return }
            while i > 0 && score > scores[i - 1] {
                scores[i] = scores[i - 1]; masks[i] = masks[i - 1]; i -= 1
            }
            scores[i] = score; masks[i] = mask
            count = min(capacity, count + 1)
        }
    }

    private static func rankMasksExhaustive(n: Int, r: [Int], g: [Int], b: [Int], total: (Int, Int, Int),
                                            into top: inout TopMasks) {
        // Mask 0 (everything background) is the one-colour cell.
        top.offer(0, score(total, n))
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
            top.offer(UInt8(mask), s)
        }
    }

    private static func rankMasks(among candidates: [UInt8], n: Int, r: [Int], g: [Int], b: [Int],
                                  total: (Int, Int, Int), into top: inout TopMasks) {
        for mask in candidates {
            var s1 = (0, 0, 0), n1 = 0
            for k in 0..<n where mask & (1 << k) != 0 {
                s1.0 += r[k]; s1.1 += g[k]; s1.2 += b[k]; n1 += 1
            }
            top.offer(mask, score(s1, n1) + score((total.0 - s1.0, total.1 - s1.1, total.2 - s1.2), n - n1))
        }
    }
}
