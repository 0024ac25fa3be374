/// The characters a cell may show. Each set divides a cell into a grid of
/// `columns x rows` sub-pixels; a symbol is a coverage mask over that grid
/// (bit `row * columns + column`, set = foreground colour) and the cell shows
/// it in two colours.
public enum SymbolSet: Sendable, Hashable, CaseIterable {
    /// `▀ ▄ █` and space: 1x2, doubles the vertical resolution.
    case halfBlocks
    /// The 16 quadrant blocks (`▘ ▝ ▖ ▗ ▚ ▞ ▙ ...`): 2x2.
    case quadrants
    /// Unicode 13 sextants (U+1FB00...U+1FB3B) plus the four 2x3 patterns
    /// that already had characters (space, `▌`, `▐`, `█`): 2x3.
    case sextants
    /// Printable ASCII for terminals without block glyphs; masks are rough
    /// 2x3 approximations of each glyph's ink.
    case ascii

    public var columns: Int {
        switch self {
        case .halfBlocks: 1
        case .quadrants, .sextants, .ascii: 2
        }
    }

    public var rows: Int {
        switch self {
        case .halfBlocks, .quadrants: 2
        case .sextants, .ascii: 3
        }
    }

    var subpixelCount: Int { columns * rows }

    var fullMask: UInt8 { UInt8((1 << subpixelCount) - 1) }

    /// Whether every mask over the grid has a character, so a cell can swap
    /// its colours and show the complement instead (which the encoder uses
    /// to avoid colour changes).
    var hasEveryMask: Bool { self != .ascii }

    /// The masks a fitter may choose. With `hasEveryMask` that is all of
    /// them; ASCII has a handful.
    var masks: [UInt8] {
        hasEveryMask ? (0...fullMask).map { $0 } : SymbolSet.asciiGlyphs.map(\.mask)
    }

    /// The character for a mask (which must be one of `masks`).
    func scalar(for mask: UInt8) -> Unicode.Scalar {
        switch self {
        case .halfBlocks:
            return SymbolSet.halfBlockScalars[Int(mask)]
        case .quadrants:
            return SymbolSet.quadrantScalars[Int(mask)]
        case .sextants:
            return SymbolSet.sextantScalar(mask)
        case .ascii:
            return SymbolSet.asciiGlyphs.first { $0.mask == mask }?.scalar ?? " "
        }
    }

    // Bit 0 = top, bit 1 = bottom.
    static let halfBlockScalars: [Unicode.Scalar] = [" ", "\u{2580}", "\u{2584}", "\u{2588}"]

    // Bit 0 = top left, 1 = top right, 2 = bottom left, 3 = bottom right.
    static let quadrantScalars: [Unicode.Scalar] = [
        " ", "\u{2598}", "\u{259D}", "\u{2580}",
        "\u{2596}", "\u{258C}", "\u{259E}", "\u{259B}",
        "\u{2597}", "\u{259A}", "\u{2590}", "\u{259C}",
        "\u{2584}", "\u{2599}", "\u{259F}", "\u{2588}",
    ]

    /// Unicode numbers the sextants 1...6 left to right, top to bottom, which
    /// is our bit order, and gives BLOCK SEXTANT-n for pattern p at
    /// U+1FB00 + p - 1, except that the four patterns that existed before
    /// (empty, left column 1-3-5 = 21, right column 2-4-6 = 42, full) were
    /// left out of the block, shifting everything after them down.
    static func sextantScalar(_ mask: UInt8) -> Unicode.Scalar {
        switch mask {
        case 0: return " "
        case 21: return "\u{258C}"
        case 42: return "\u{2590}"
        case 63: return "\u{2588}"
        default:
            let skipped: UInt32 = mask < 21 ? 1 : (mask < 42 ? 2 : 3)
            return Unicode.Scalar(0x1FB00 + UInt32(mask) - skipped)!
        }
    }

    /// ASCII glyphs with the 2x3 cells their ink mostly falls in. Bits: 0/1
    /// top row, 2/3 middle, 4/5 bottom. No full mask: it would look the
    /// same as a space in the mean colour.
    static let asciiGlyphs: [(scalar: Unicode.Scalar, mask: UInt8)] = [
        (" ", 0), ("`", 1), ("'", 2), ("\"", 3), ("-", 12), ("_", 48), (",", 16), (".", 32),
        ("[", 21), ("]", 42), ("/", 26), ("\\", 37), ("=", 51), ("o", 60),
        ("L", 53), ("J", 58), ("7", 43), ("F", 23), ("d", 62), ("b", 61), ("q", 47), ("p", 31),
    ]
}
