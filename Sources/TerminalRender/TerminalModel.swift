import Media

/// A small terminal: a grid of cells that interprets exactly the sequences a
/// video writer needs (CUP, CUF, SGR colours in truecolor/256/16, reset,
/// reverse video, save/restore cursor, synchronized output and cursor
/// visibility markers, CR, LF, UTF-8 glyphs with xterm's pending-wrap at the
/// right margin, and REP `CSI n b`, which we do not write but chafa does)
/// and rejects anything else. Tests apply our output to it and
/// compare what it shows with what was meant; the benchmark feeds it other
/// programs' output to measure them the same way.
public struct TerminalModel: Sendable {
    public struct Cell: Sendable, Hashable {
        public var scalar: Unicode.Scalar
        /// Resolved 0xRRGGBB colours (palette entries by xterm's defaults).
        public var foreground: UInt32
        public var background: UInt32
    }

    public struct UnsupportedSequence: Error, CustomStringConvertible {
        public let bytes: [UInt8]
        public var description: String {
            "unsupported sequence: " + bytes.map { $0 >= 0x20 && $0 < 0x7F ? String(UnicodeScalar($0)) : "\\x\(String($0, radix: 16))" }.joined()
        }
    }

    public static let defaultForeground: UInt32 = 0xE5E5E5
    public static let defaultBackground: UInt32 = 0x000000

    public let columns: Int
    public let rows: Int
    public private(set) var cells: [Cell]
    public private(set) var cursorRow = 0
    public private(set) var cursorColumn = 0
    /// Between `CSI ?2026h` and `CSI ?2026l`.
    public private(set) var inSynchronizedUpdate = false
    /// Completed synchronized updates.
    public private(set) var synchronizedUpdates = 0

    private var foreground = TerminalModel.defaultForeground
    private var background = TerminalModel.defaultBackground
    private var reverse = false
    private var pendingWrap = false
    private var lastScalar: Unicode.Scalar?
    private var saved: (row: Int, column: Int, fg: UInt32, bg: UInt32, reverse: Bool) = (0, 0, defaultForeground, defaultBackground, false)

    /// Whether LF also returns to column 1, as a tty with `onlcr` (the
    /// default) makes it for programs that end lines with a bare `\n`.
    public var lineFeedReturnsCarriage = false

    public init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
        cells = [Cell](repeating: Cell(scalar: " ", foreground: Self.defaultForeground, background: Self.defaultBackground),
                       count: columns * rows)
    }

    public subscript(column: Int, row: Int) -> Cell { cells[row * columns + column] }

    /// Interprets `bytes`. Sequences must be complete within one call.
    public mutating func apply(_ bytes: [UInt8]) throws {
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case 0x1B:
                i = try escape(bytes, at: i)
            case 0x0D:
                cursorColumn = 0; pendingWrap = false; i += 1
            case 0x0A:
                cursorRow = min(rows - 1, cursorRow + 1); pendingWrap = false; i += 1
                if lineFeedReturnsCarriage { cursorColumn = 0 }
            case 0..<0x20, 0x7F:
                throw UnsupportedSequence(bytes: [b])
            default:
                let (scalar, length) = try Self.decodeUTF8(bytes, at: i)
                put(scalar)
                i += length
            }
        }
    }

    /// The region `rect` rasterised like `RenderQuality.rasterize`; unknown
    /// characters count in `unknownGlyphs` and show as their background.
    public func rasterize(_ rect: CellRect) -> (frame: RGBFrame, unknownGlyphs: Int) {
        var frame = RGBFrame(width: rect.width * GlyphCoverage.columns, height: rect.height * GlyphCoverage.rows)
        var unknown = 0
        for row in 0..<rect.height {
            for column in 0..<rect.width {
                let cell = self[rect.x + column, rect.y + row]
                if !GlyphCoverage.isKnown(cell.scalar) { unknown += 1 }
                RenderQuality.paint(cell.scalar, fg: cell.foreground, bg: cell.background,
                                    column: column, row: row, into: &frame)
            }
        }
        return (frame, unknown)
    }

    private mutating func put(_ scalar: Unicode.Scalar) {
        if pendingWrap {
            pendingWrap = false
            cursorColumn = 0
            cursorRow = min(rows - 1, cursorRow + 1)
        }
        lastScalar = scalar
        let (fg, bg) = reverse ? (background, foreground) : (foreground, background)
        cells[cursorRow * columns + cursorColumn] = Cell(scalar: scalar, foreground: fg, background: bg)
        if cursorColumn == columns - 1 { pendingWrap = true } else { cursorColumn += 1 }
    }

    private mutating func escape(_ bytes: [UInt8], at start: Int) throws -> Int {
        guard start + 1 < bytes.count else { throw UnsupportedSequence(bytes: [0x1B]) }
        switch bytes[start + 1] {
        case 0x37:  // ESC 7
            saved = (cursorRow, cursorColumn, foreground, background, reverse)
            return start + 2
        case 0x38:  // ESC 8
            (cursorRow, cursorColumn, foreground, background, reverse) = saved
            pendingWrap = false
            return start + 2
        case 0x5B:
            break
        default:
            throw UnsupportedSequence(bytes: Array(bytes[start..<min(bytes.count, start + 2)]))
        }
        var i = start + 2
        var isPrivate = false
        if i < bytes.count, bytes[i] == 0x3F { isPrivate = true; i += 1 }
        var params: [Int?] = []
        var current: Int?
        while i < bytes.count, (bytes[i] >= 0x30 && bytes[i] <= 0x39) || bytes[i] == 0x3B {
            if bytes[i] == 0x3B {
                params.append(current); current = nil
            } else {
                current = (current ?? 0) * 10 + Int(bytes[i] - 0x30)
            }
            i += 1
        }
        params.append(current)
        guard i < bytes.count else { throw UnsupportedSequence(bytes: Array(bytes[start...])) }
        let final = bytes[i]
        let sequence = Array(bytes[start...i])
        switch (isPrivate, final) {
        case (true, 0x68), (true, 0x6C):  // h, l
            switch params.first.flatMap({ $0 }) {
            case 2026?:
                if final == 0x68 {
                    inSynchronizedUpdate = true
                } else {
                    if inSynchronizedUpdate { synchronizedUpdates += 1 }
                    inSynchronizedUpdate = false
                }
            case 25?: break  // cursor visibility: nothing to draw
            default: throw UnsupportedSequence(bytes: sequence)
            }
        case (false, 0x48):  // H
            let row = (params.first.flatMap { $0 } ?? 1), column = (params.count > 1 ? params[1] ?? 1 : 1)
            cursorRow = max(0, min(rows - 1, row - 1))
            cursorColumn = max(0, min(columns - 1, column - 1))
            pendingWrap = false
        case (false, 0x43):  // C
            let n = max(1, params.first.flatMap { $0 } ?? 1)
            cursorColumn = min(columns - 1, cursorColumn + n)
            pendingWrap = false
        case (false, 0x62):  // b: repeat the last character
            guard let scalar = lastScalar else { throw UnsupportedSequence(bytes: sequence) }
            for _ in 0..<max(1, params.first.flatMap { $0 } ?? 1) { put(scalar) }
        case (false, 0x6D):  // m
            try selectGraphicRendition(params.map { $0 ?? 0 }, sequence: sequence)
        default:
            throw UnsupportedSequence(bytes: sequence)
        }
        return i + 1
    }

    private mutating func selectGraphicRendition(_ params: [Int], sequence: [UInt8]) throws {
        var k = 0
        while k < params.count {
            let p = params[k]
            switch p {
            case 0:
                foreground = Self.defaultForeground; background = Self.defaultBackground; reverse = false
            case 7: reverse = true
            case 27: reverse = false
            case 30...37: foreground = Palette.ansi16[p - 30]
            case 90...97: foreground = Palette.ansi16[p - 90 + 8]
            case 40...47: background = Palette.ansi16[p - 40]
            case 100...107: background = Palette.ansi16[p - 100 + 8]
            case 39: foreground = Self.defaultForeground
            case 49: background = Self.defaultBackground
            case 38, 48:
                guard k + 1 < params.count else { throw UnsupportedSequence(bytes: sequence) }
                let color: UInt32
                if params[k + 1] == 2, k + 4 < params.count,
                   params[(k + 2)...(k + 4)].allSatisfy({ (0...255).contains($0) }) {
                    color = Palette.pack(params[k + 2], params[k + 3], params[k + 4])
                    k += 4
                } else if params[k + 1] == 5, k + 2 < params.count, (0...255).contains(params[k + 2]) {
                    color = Palette.xterm256[params[k + 2]]
                    k += 2
                } else {
                    throw UnsupportedSequence(bytes: sequence)
                }
                if p == 38 { foreground = color } else { background = color }
            default:
                throw UnsupportedSequence(bytes: sequence)
            }
            k += 1
        }
    }

    private static func decodeUTF8(_ bytes: [UInt8], at i: Int) throws -> (Unicode.Scalar, Int) {
        let b0 = bytes[i]
        let length = b0 < 0x80 ? 1 : (b0 >> 5 == 0b110 ? 2 : (b0 >> 4 == 0b1110 ? 3 : (b0 >> 3 == 0b11110 ? 4 : 0)))
        guard length > 0, i + length <= bytes.count else { throw UnsupportedSequence(bytes: [b0]) }
        var value = length == 1 ? UInt32(b0) : UInt32(b0) & (0xFF >> UInt32(length + 1))
        for k in 1..<max(1, length) {
            let b = bytes[i + k]
            guard b >> 6 == 0b10 else { throw UnsupportedSequence(bytes: Array(bytes[i...(i + k)])) }
            value = value << 6 | UInt32(b & 0x3F)
        }
        guard let scalar = Unicode.Scalar(value) else { throw UnsupportedSequence(bytes: Array(bytes[i..<(i + length)])) }
        return (scalar, length)
    }
}
