import Foundation

/// A synthetic camera: a frame for any frame number and capture time, the
/// same every time (tests and benchmarks can regenerate a clip exactly).
///
/// Layout: a `FrameStampCode` band along the top; below it, colour bars
/// scrolling left (top left), a zone plate whose rings move (top right,
/// detail up to the pixel grid, which shows what a renderer loses), a hue
/// gradient drifting right with two soft discs moving over it (bottom left,
/// smooth shading and edges), and a clock (the capture time of day, UTC)
/// with the frame number over a scrolling checkerboard (bottom right).
///
/// Drawn straight into I420 planes: the sender makes one at the frame rate,
/// and drawing in RGB with a `cos` per zone-plate pixel and then converting
/// cost about a fifth of a core at 640x480 and 30 fps, which a camera does
/// not cost (BENCHMARKS.md, "Test pattern cost"). Each chroma sample
/// belongs to the region holding its 2x2 block's top-left pixel and is the
/// mean of the block's pixels in that region.
public struct TestPatternSource: Sendable {
    public let width: Int
    public let height: Int
    private let layout: Layout
    /// The zone plate's ring phase `k * (dx² + dy²)` at each pixel of its
    /// region, in turns as a 16-bit fraction: it never changes, so per frame
    /// a pixel costs a subtraction (of the moving phase, wrapping like the
    /// cosine) and a table look-up instead of a `cos`.
    private let zonePhases: [UInt16]

    public init(width: Int = 640, height: Int = 360) {
        precondition(width >= FrameStampCode.blockCount * 2 && height >= 72, "test pattern too small to carry its stamp")
        self.width = width
        self.height = height
        layout = Layout(width: width, height: height)
        let zone = layout.zonePlate
        let cx = Double(zone.width) / 2, cy = Double(zone.height) / 2
        let radius = (cx * cx + cy * cy).squareRoot()
        // Ring frequency rises linearly with radius, reaching half a cycle
        // per pixel (the finest a grid can hold) at the corners.
        let k = Double.pi / (2 * radius)
        var phases = [UInt16](repeating: 0, count: zone.width * zone.height)
        for row in 0..<zone.height {
            let dy = Double(row) - cy
            for column in 0..<zone.width {
                let dx = Double(column) - cx
                phases[row * zone.width + column] = Self.turns16(k * (dx * dx + dy * dy))
            }
        }
        zonePhases = phases
    }

    public func frame(number: UInt32, captureMilliseconds: UInt64) -> I420Frame {
        frame(number: number, captureMilliseconds: captureMilliseconds, prefill: nil)
    }

    /// `prefill` nil: the planes are not cleared first, since the band and
    /// the four regions write every sample; a test draws over two different
    /// fills and expects the same frame, which shows no sample is left out.
    func frame(number: UInt32, captureMilliseconds: UInt64, prefill: UInt8?) -> I420Frame {
        let chromaCount = ((width + 1) / 2) * ((height + 1) / 2)
        func plane(_ count: Int) -> [UInt8] {
            if let prefill { return [UInt8](repeating: prefill, count: count) }
            return [UInt8](unsafeUninitializedCapacity: count) { $1 = $0.count }
        }
        var yPlane = plane(width * height), uPlane = plane(chromaCount), vPlane = plane(chromaCount)
        let t = Double(number)
        yPlane.withUnsafeMutableBufferPointer { y in
            uPlane.withUnsafeMutableBufferPointer { u in
                vPlane.withUnsafeMutableBufferPointer { v in
                    let canvas = Canvas(y: y, u: u, v: v, width: width)
                    drawColorBars(canvas, layout.colorBars, shift: Int(number) * 3)
                    drawZonePlate(canvas, layout.zonePlate, phase: t * 0.35)
                    drawGradient(canvas, layout.gradient, time: t)
                    drawClock(canvas, layout.clock, number: number, milliseconds: captureMilliseconds)
                }
            }
        }
        var frame = I420Frame(width: width, height: height, y: yPlane, u: uPlane, v: vPlane)
        FrameStampCode.draw(FrameStamp(frameNumber: number, captureMilliseconds: UInt32(truncatingIfNeeded: captureMilliseconds)),
                            into: &frame)
        return frame
    }

    /// The same picture in RGB, converted from `frame` (so its colour is at
    /// half resolution, as a decoder would hand it over): one drawing, and
    /// the two never disagree.
    public func rgbFrame(number: UInt32, captureMilliseconds: UInt64) -> RGBFrame {
        frame(number: number, captureMilliseconds: captureMilliseconds).rgb()
    }

    // MARK: - Regions

    private func drawColorBars(_ c: Canvas, _ r: Region, shift: Int) {
        let bars: [(Int, Int, Int)] = [(192, 192, 192), (192, 192, 0), (0, 192, 192), (0, 192, 0),
                                       (192, 0, 192), (192, 0, 0), (0, 0, 192)]
        let w = r.width
        let barWidth = max(1, w / bars.count)
        // The top three quarters are bars, the rest a black-to-white ramp for
        // the greys; both depend on the column only, so one row of each is
        // worked out and copied down.
        let split = r.y0 + r.height * 3 / 4
        let barColors = (0..<w).map { bars[(($0 + shift) / barWidth) % bars.count] }
        let greys = (0..<w).map { $0 * 255 / max(1, w - 1) }
        let barRow = barColors.map { YUV.luma($0.0, $0.1, $0.2) }
        let rampRow = greys.map { YUV.luma($0, $0, $0) }
        for row in r.y0..<r.y1 { c.setLuma(row: row, x: r.x0, from: row < split ? barRow : rampRow) }
        // Chroma: per chroma column the sums over its block's columns, then per
        // chroma row how many of the block's rows are bars and how many ramp.
        let columnSums = r.chromaColumns.map { cx in
            var bar = (0, 0, 0), grey = 0
            for column in r.blockColumns(cx) {
                let color = barColors[column - r.x0]
                bar.0 += color.0; bar.1 += color.1; bar.2 += color.2
                grey += greys[column - r.x0]
            }
            return (bar: bar, grey: grey, count: r.blockColumns(cx).count)
        }
        for cy in r.chromaRows {
            let rows = r.blockRows(cy)
            let barRows = max(0, min(rows.upperBound, split) - rows.lowerBound), rampRows = rows.count - barRows
            for (i, cx) in r.chromaColumns.enumerated() {
                let sums = columnSums[i]
                let n = rows.count * sums.count
                let red = sums.bar.0 * barRows + sums.grey * rampRows
                let green = sums.bar.1 * barRows + sums.grey * rampRows
                let blue = sums.bar.2 * barRows + sums.grey * rampRows
                c.setChroma(cx, cy, YUV.chroma(mean(red, n), mean(green, n), mean(blue, n)))
            }
        }
    }

    private func drawZonePlate(_ c: Canvas, _ r: Region, phase: Double) {
        let table = ZonePlateTable.shared
        let shift = UInt16(16 - ZonePlateTable.bits)
        // cos(k * r² - phase): the phase subtracted in the same 16-bit turns as the table.
        let offset = Self.turns16(phase)
        let blues = (0..<r.height).map { Int(UInt8(64 + 64 * sin(Double($0) * 0.05 + phase))) }
        // YUV.luma's blue and rounding terms and its offset of 16, per row.
        let rowTerms = blues.map { 25 * Int32($0) + 128 + (16 << 8) }
        zonePhases.withUnsafeBufferPointer { phases in
            table.luma.withUnsafeBufferPointer { luma in
                table.chroma.withUnsafeBufferPointer { chroma in
                    // Writes a pixel's luma and returns its table index, which its
                    // chroma sample needs too: one look-up per pixel for both.
                    @inline(__always) func shade(_ column: Int, _ row: Int) -> Int {
                        let k = Int((phases[(row - r.y0) * r.width + column - r.x0] &- offset) >> shift)
                        c.y[row * width + column] = UInt8(truncatingIfNeeded: (luma[k] &+ rowTerms[row - r.y0]) >> 8)
                        return k
                    }
                    // `YUV.chroma` of the block's mean colour, from the sums of the
                    // table's red and green terms and the rows' blue. Within 35...229:
                    // no clamping.
                    @inline(__always) func setChroma(_ cx: Int, _ cy: Int, _ sum: SIMD2<Int32>, blue: Int32, count n: Int32) {
                        let u = n == 4 ? (sum.x &+ 2) >> 2 : (sum.x &+ n / 2) / n, v = n == 4 ? (sum.y &+ 2) >> 2 : (sum.y &+ n / 2) / n
                        c.setChroma(cx, cy, (UInt8(truncatingIfNeeded: 128 &+ ((u &+ 112 &* blue &+ 128) >> 8)),
                                             UInt8(truncatingIfNeeded: 128 &+ ((v &- 18 &* blue &+ 128) >> 8))))
                    }
                    // Pixels whose chroma sample another region owns (a first row or
                    // column at an odd position): luma only.
                    if r.y0 % 2 == 1 { for column in r.x0..<r.x1 { _ = shade(column, r.y0) } }
                    if r.x0 % 2 == 1 { for row in r.y0..<r.y1 { _ = shade(r.x0, row) } }
                    // The whole blocks (nearly all) without loops or bounds, through row pointers.
                    let wholeColumns = r.chromaColumns.lowerBound..<(r.x1 / 2)
                    for cy in r.chromaRows {
                        let rows = r.blockRows(cy)
                        let blue = Int32(rows.reduce(0) { $0 + blues[$1 - r.y0] })
                        var partial = r.chromaColumns
                        if rows.count == 2 {
                            let y = 2 * cy, top = rowTerms[y - r.y0], bottom = rowTerms[y + 1 - r.y0]
                            let phase0 = phases.baseAddress! + (y - r.y0) * r.width - r.x0, phase1 = phase0 + r.width
                            let luma0 = c.y.baseAddress! + y * width, luma1 = luma0 + width
                            let blockBlue = (blue &+ 1) >> 1
                            for cx in wholeColumns {
                                let x = 2 * cx
                                let k0 = Int((phase0[x] &- offset) >> shift), k1 = Int((phase0[x + 1] &- offset) >> shift)
                                let k2 = Int((phase1[x] &- offset) >> shift), k3 = Int((phase1[x + 1] &- offset) >> shift)
                                luma0[x] = UInt8(truncatingIfNeeded: (luma[k0] &+ top) >> 8)
                                luma0[x + 1] = UInt8(truncatingIfNeeded: (luma[k1] &+ top) >> 8)
                                luma1[x] = UInt8(truncatingIfNeeded: (luma[k2] &+ bottom) >> 8)
                                luma1[x + 1] = UInt8(truncatingIfNeeded: (luma[k3] &+ bottom) >> 8)
                                setChroma(cx, cy, chroma[k0] &+ chroma[k1] &+ chroma[k2] &+ chroma[k3], blue: blockBlue, count: 4)
                            }
                            partial = wholeColumns.upperBound..<r.chromaColumns.upperBound
                        }
                        // The rest: a last odd row or column.
                        for cx in partial {
                            let columns = r.blockColumns(cx)
                            var sum = SIMD2<Int32>()
                            for row in rows { for column in columns { sum &+= chroma[shade(column, row)] } }
                            let n = rows.count * columns.count
                            setChroma(cx, cy, sum, blue: Int32(mean(Int(blue) * columns.count, n)), count: Int32(n))
                        }
                    }
                }
            }
        }
    }

    private func drawGradient(_ c: Canvas, _ r: Region, time: Double) {
        let w = r.width, h = r.height
        let discs = [Disc(cx: 0.3 + 0.2 * sin(time * 0.07), cy: 0.5 + 0.3 * cos(time * 0.05), r: 0.22, color: (1.0, 0.95, 0.8)),
                     Disc(cx: 0.7 + 0.2 * cos(time * 0.04), cy: 0.4 + 0.3 * sin(time * 0.06), r: 0.15, color: (0.1, 0.1, 0.3))]
        // The hue depends on the column only and the shade on the row only, and
        // luma and chroma are linear in RGB: away from the discs a pixel is a
        // column's luma (chroma) times a row's shade, multiplied in 10-bit fixed
        // point (integer loops, no float-to-byte checks per pixel). The discs'
        // rims below take luma and chroma from RGB in [0, 1] in floating point
        // (the weights of YUV), which differs from this by under a level.
        let hues = (0..<w).map { Self.hueToRGB((Double($0) / Double(w) + time * 0.004).truncatingRemainder(dividingBy: 1)) }
        let shades = (0..<h).map { 1 - 0.6 * Double($0) / Double(h) }
        let one = 1 << 10
        let shadesQ = shades.map { Int32(($0 * Double(one)).rounded()) }
        let columnLuma = hues.map { Int32((Self.lumaTerm($0) * Double(one)).rounded()) }
        // 16 and a half, in the product's 20 fractional bits.
        let lumaBias = Int32(16 << 20 + 1 << 19), chromaBias = Int32(128 << 20 + 1 << 19)
        columnLuma.withUnsafeBufferPointer { luma in
            for row in 0..<h {
                let shade = shadesQ[row], target = c.y.baseAddress! + (r.y0 + row) * width + r.x0
                // At most 16.5 + 219.2 (white): no clamping; at least 0.4 * 0.
                for column in 0..<w { target[column] = UInt8(truncatingIfNeeded: (luma[column] &* shade &+ lumaBias) >> 20) }
            }
        }
        let chromaColumns = r.chromaColumns.map { cx in
            let columns = r.blockColumns(cx)
            var u = 0.0, v = 0.0
            for column in columns {
                let (cu, cv) = Self.chromaTerms(hues[column - r.x0])
                u += cu; v += cv
            }
            return (Int32((u / Double(columns.count) * Double(one)).rounded()), Int32((v / Double(columns.count) * Double(one)).rounded()))
        }
        for cy in r.chromaRows {
            let rows = r.blockRows(cy)
            let shade = Int32((rows.reduce(0) { $0 + shades[$1 - r.y0] } / Double(rows.count) * Double(one)).rounded())
            for (i, cx) in r.chromaColumns.enumerated() {
                let (u, v) = chromaColumns[i]
                // Chroma terms are within ±112 of 128: never out of a byte.
                c.setChroma(cx, cy, (UInt8(truncatingIfNeeded: (u &* shade &+ chromaBias) >> 20),
                                     UInt8(truncatingIfNeeded: (v &* shade &+ chromaBias) >> 20)))
            }
        }

        // The discs. Per row, each disc touches a span of columns (weight
        // above 0) and covers a narrower one fully (weight 1, its own colour,
        // unless the later disc reaches there too); only the soft rims between
        // are worked out per pixel, the way the pattern was first drawn, and
        // the chroma samples there from their pixels' mean colour. Both spans
        // have a pixel's margin, so rounding cannot leave a rim pixel out.
        func pixel(_ column: Int, _ row: Int) -> (Double, Double, Double) {
            let shade = shades[row]
            var (red, green, blue) = hues[column]
            red *= shade; green *= shade; blue *= shade
            for disc in discs {
                let dx = Double(column) / Double(w) - disc.cx, dy = Double(row) / Double(h) - disc.cy
                if abs(dx) > disc.r * 1.01 || abs(dy) > disc.r * 1.01 { continue }
                let d = (dx * dx + dy * dy).squareRoot()
                // Soft edge a few pixels wide.
                let a = max(0, min(1, (disc.r - d) * Double(w) / 6))
                red = red * (1 - a) + disc.color.0 * a
                green = green * (1 - a) + disc.color.1 * a
                blue = blue * (1 - a) + disc.color.2 * a
            }
            return (red, green, blue)
        }
        func columns(_ disc: Disc, _ row: Int, radius: Double, margin: Int) -> Range<Int> {
            let dy = Double(row) / Double(h) - disc.cy
            guard radius > abs(dy) else { return 0..<0 }
            let half = (radius * radius - dy * dy).squareRoot()
            return span(Int(((disc.cx - half) * Double(w)).rounded(.down)) - margin,
                        Int(((disc.cx + half) * Double(w)).rounded(.up)) + margin + 1).clamped(to: 0..<w)
        }
        // Index 0 and 1 for the two discs, per row of the region.
        let touched = discs.map { disc in (0..<h).map { columns(disc, $0, radius: disc.r, margin: 1) } }
        let covered = discs.map { disc in (0..<h).map { columns(disc, $0, radius: disc.r - 6 / Double(w), margin: -1) } }
        // Which disc's own colour a pixel has (0, 1), or -1: work it out.
        func owner(_ column: Int, _ row: Int) -> Int {
            if covered[1][row].contains(column) { return 1 }
            if covered[0][row].contains(column) && !touched[1][row].contains(column) { return 0 }
            return -1
        }
        let discLuma = discs.map { UInt8(16.5 + Self.lumaTerm($0.color)) }
        let discChroma = discs.map { Self.chromaTerms($0.color) }
        let discChromaBytes = discChroma.map { (u: UInt8(128.5 + $0.0), v: UInt8(128.5 + $0.1)) }
        for k in discs.indices {
            for row in 0..<h {
                let target = c.y.baseAddress! + (r.y0 + row) * width + r.x0
                for column in touched[k][row] {
                    let disc = owner(column, row)
                    target[column] = disc >= 0 ? discLuma[disc] : UInt8(16.5 + Self.lumaTerm(pixel(column, row)))
                }
            }
            for cy in r.chromaRows {
                let rows = r.blockRows(cy)
                let reach = rows.map { touched[k][$0 - r.y0] }.filter { !$0.isEmpty }
                guard !reach.isEmpty else { continue }
                let left = reach.map(\.lowerBound).min()! + r.x0, right = reach.map(\.upperBound).max()! + r.x0
                for cx in r.chromaColumns.clamped(to: (left / 2)..<((right + 1) / 2)) {
                    let columns = r.blockColumns(cx)
                    // Inside a disc a whole block has its colour.
                    let first = owner(columns.lowerBound - r.x0, rows.lowerBound - r.y0)
                    if first >= 0 && rows.allSatisfy({ row in columns.allSatisfy { owner($0 - r.x0, row - r.y0) == first } }) {
                        c.setChroma(cx, cy, discChromaBytes[first])
                        continue
                    }
                    var u = 0.0, v = 0.0, n = 0.0
                    for row in rows {
                        for column in columns {
                            let disc = owner(column - r.x0, row - r.y0)
                            let (cu, cv) = disc >= 0 ? discChroma[disc] : Self.chromaTerms(pixel(column - r.x0, row - r.y0))
                            u += cu; v += cv; n += 1
                        }
                    }
                    c.setChroma(cx, cy, (UInt8(128.5 + u / n), UInt8(128.5 + v / n)))
                }
            }
        }
    }

    private func drawClock(_ c: Canvas, _ r: Region, number: UInt32, milliseconds: UInt64) {
        let w = r.width, h = r.height
        let square = max(2, h / 12)
        let shift = Int(number) % (2 * square)
        let dark = (24, 24, 40), light = (56, 56, 72)
        // A checkerboard row is one of two rows (the other is its inverse): both
        // worked out once and copied down.
        let darkLuma = YUV.luma(dark.0, dark.1, dark.2), lightLuma = YUV.luma(light.0, light.1, light.2)
        let darkFirst = (0..<w).map { (($0 + shift) / square) % 2 == 0 }
        let evenRow = darkFirst.map { $0 ? darkLuma : lightLuma }, oddRow = darkFirst.map { $0 ? lightLuma : darkLuma }
        for row in 0..<h { c.setLuma(row: r.y0 + row, x: r.x0, from: (row / square) % 2 == 0 ? evenRow : oddRow) }
        // Both squares are a grey plus the same blue, so they have the same
        // chroma (chroma is linear and neutral for greys): one value under
        // the whole board.
        let boardChroma = YUV.chroma(dark.0, dark.1, dark.2)
        for cy in r.chromaRows { for cx in r.chromaColumns { c.setChroma(cx, cy, boardChroma) } }

        let ms = milliseconds % 86_400_000
        let clock = String(format: "%02d:%02d:%02d.%03d", Int(ms / 3_600_000), Int(ms / 60_000 % 60),
                           Int(ms / 1000 % 60), Int(ms % 1000))
        let counter = "#\(number)"
        let scale = max(1, min(w / (DigitFont.width(of: clock, scale: 1) + 4), h / 14))
        // The text as a mask over the region (0 board, 1 white, 2 yellow), so
        // that any block can be read without bounds tests: luma from it
        // directly, and chroma from the mix of the three in each block that
        // has ink (the board's is already there).
        let lines = [(clock, r.x0 + (w - DigitFont.width(of: clock, scale: scale)) / 2, r.y0 + h / 2 - 6 * scale, UInt8(1)),
                     (counter, r.x0 + (w - DigitFont.width(of: counter, scale: scale)) / 2, r.y0 + h / 2 + scale, UInt8(2))]
        let box = Region(x0: max(r.x0, lines.map { $0.1 }.min()!), y0: max(r.y0, lines[0].2),
                         x1: min(r.x1, lines.map { $0.1 + DigitFont.width(of: $0.0, scale: scale) }.max()!),
                         y1: min(r.y1, lines[1].2 + 5 * scale))
        guard box.width > 0, box.height > 0 else { return }
        var mask = [UInt8](repeating: 0, count: w * h)
        for (text, x, y, ink) in lines {
            DigitFont.forEachSquare(text, x: x, y: y, scale: scale) { left, top in
                for row in span(top, top + scale).clamped(to: box.y0..<box.y1) {
                    for column in span(left, left + scale).clamped(to: box.x0..<box.x1) {
                        mask[(row - r.y0) * w + column - r.x0] = ink
                    }
                }
            }
        }
        let white = (255, 255, 255), yellow = (255, 220, 0)
        let inkLuma = [0, YUV.luma(white.0, white.1, white.2), YUV.luma(yellow.0, yellow.1, yellow.2)]
        let inkChroma = [boardChroma, YUV.chroma(white.0, white.1, white.2), YUV.chroma(yellow.0, yellow.1, yellow.2)]
        mask.withUnsafeBufferPointer { mask in
            for row in box.y0..<box.y1 {
                for column in box.x0..<box.x1 {
                    let ink = Int(mask[(row - r.y0) * w + column - r.x0])
                    if ink != 0 { c.y[row * width + column] = inkLuma[ink] }
                }
            }
            for cy in r.chromaRows.clamped(to: (box.y0 / 2)..<((box.y1 + 1) / 2)) {
                let rows = r.blockRows(cy)
                for cx in r.chromaColumns.clamped(to: (box.x0 / 2)..<((box.x1 + 1) / 2)) {
                    let columns = r.blockColumns(cx)
                    var u = 0, v = 0, inked = false
                    for row in rows {
                        for column in columns {
                            let ink = Int(mask[(row - r.y0) * w + column - r.x0])
                            inked = inked || ink != 0
                            u += Int(inkChroma[ink].u); v += Int(inkChroma[ink].v)
                        }
                    }
                    if inked {
                        let n = rows.count * columns.count
                        c.setChroma(cx, cy, (UInt8(mean(u, n)), UInt8(mean(v, n))))
                    }
                }
            }
        }
    }

    // MARK: - Helpers

    static func hueToRGB(_ h: Double) -> (Double, Double, Double) {
        let x = h * 6
        let r = max(0, min(1, abs(x - 3) - 1)), g = max(0, min(1, 2 - abs(x - 2))), b = max(0, min(1, 2 - abs(x - 4)))
        return (r, g, b)
    }

    /// `YUV.luma` without its offset of 16, for RGB in [0, 1].
    @inline(__always)
    static func lumaTerm(_ c: (Double, Double, Double)) -> Double {
        (66 * c.0 + 129 * c.1 + 25 * c.2) * (255.0 / 256)
    }

    /// `YUV.chroma` without its offset of 128, for RGB in [0, 1].
    @inline(__always)
    static func chromaTerms(_ c: (Double, Double, Double)) -> (Double, Double) {
        ((-38 * c.0 - 74 * c.1 + 112 * c.2) * (255.0 / 256), (112 * c.0 - 94 * c.1 - 18 * c.2) * (255.0 / 256))
    }

    /// An angle in radians as a fraction of a turn, 65536 to the turn
    /// (wrapping, as the angle does).
    static func turns16(_ radians: Double) -> UInt16 {
        let turns = radians / (2 * Double.pi)
        return UInt16(truncatingIfNeeded: Int(((turns - turns.rounded(.down)) * 65536).rounded()))
    }
}

/// The rounded mean of `n` samples summing to `sum`; a whole 2x2 block (all
/// but a region's odd edges) divides by shifting, not by a variable.
@inline(__always)
private func mean(_ sum: Int, _ n: Int) -> Int { n == 4 ? (sum &+ 2) >> 2 : (sum + n / 2) / n }

/// lo..<hi, empty (not a trap) when hi is below lo.
private func span(_ lo: Int, _ hi: Int) -> Range<Int> { lo..<max(lo, hi) }

/// The zone plate's colour as a function of the ring phase, one entry per
/// 1/2048 of a turn: the pattern's `r = 127.5 + 127.5 cos`, `g = 127.5 -
/// 100 cos`, and their share of `YUV.luma`. 2048 steps move the cosine by at
/// most 0.0016, under a fifth of a level in any channel.
private struct ZonePlateTable: Sendable {
    static let bits = 11
    static let shared = ZonePlateTable()

    /// Red and green's share of `YUV.luma`.
    let luma: [Int32]
    /// Red and green's share of `YUV.chroma` (U, V).
    let chroma: [SIMD2<Int32>]

    private init() {
        let count = 1 << Self.bits
        // Each entry at the middle of the phases that map to it.
        let cosines = (0..<count).map { cos(2 * Double.pi * (Double($0) + 0.5) / Double(count)) }
        let red = cosines.map { Int32(UInt8(127.5 + 127.5 * $0)) }
        let green = cosines.map { Int32(UInt8(127.5 - 100 * $0)) }
        luma = zip(red, green).map { 66 * $0 + 129 * $1 }
        chroma = zip(red, green).map { SIMD2(-38 * $0 - 74 * $1, 112 * $0 - 94 * $1) }
    }
}

private struct Disc {
    var cx: Double
    var cy: Double
    var r: Double
    var color: (Double, Double, Double)
}

/// A rectangle of the frame, x0..<x1 by y0..<y1.
private struct Region {
    var x0: Int, y0: Int, x1: Int, y1: Int

    var width: Int { x1 - x0 }
    var height: Int { y1 - y0 }

    /// The chroma samples this region owns: those whose block's top-left pixel is in it.
    var chromaColumns: Range<Int> { ((x0 + 1) / 2)..<((x1 + 1) / 2) }
    var chromaRows: Range<Int> { ((y0 + 1) / 2)..<((y1 + 1) / 2) }

    /// The pixels of a chroma sample's block that lie in the region.
    func blockColumns(_ cx: Int) -> Range<Int> { (2 * cx)..<min(2 * cx + 2, x1) }
    func blockRows(_ cy: Int) -> Range<Int> { (2 * cy)..<min(2 * cy + 2, y1) }
}

/// Where the four regions go: below the stamp band, split in half each way
/// (as first drawn; where a split falls on an odd row or column, the chroma
/// blocks across it take the upper or left region's colour).
private struct Layout {
    let colorBars: Region
    let zonePlate: Region
    let gradient: Region
    let clock: Region

    init(width: Int, height: Int) {
        let band = FrameStampCode.bandHeight(frameHeight: height)
        let midX = width / 2, midY = band + (height - band) / 2
        colorBars = Region(x0: 0, y0: band, x1: midX, y1: midY)
        zonePlate = Region(x0: midX, y0: band, x1: width, y1: midY)
        gradient = Region(x0: 0, y0: midY, x1: midX, y1: height)
        clock = Region(x0: midX, y0: midY, x1: width, y1: height)
    }
}

/// The planes being drawn, through pointers: array subscripts in these loops
/// would pay a uniqueness check per write.
private struct Canvas {
    let y: UnsafeMutableBufferPointer<UInt8>
    let u: UnsafeMutableBufferPointer<UInt8>
    let v: UnsafeMutableBufferPointer<UInt8>
    let width: Int

    var chromaWidth: Int { (width + 1) / 2 }

    func setLuma(row: Int, x: Int, from values: [UInt8]) {
        precondition(row * width + x + values.count <= y.count, "row outside the plane")
        values.withUnsafeBufferPointer { source in
            (y.baseAddress! + row * width + x).update(from: source.baseAddress!, count: source.count)
        }
    }

    @inline(__always)
    func setChroma(_ cx: Int, _ cy: Int, _ value: (u: UInt8, v: UInt8)) {
        u[cy * chromaWidth + cx] = value.u
        v[cy * chromaWidth + cx] = value.v
    }
}
