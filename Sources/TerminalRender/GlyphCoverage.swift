/// Which part of a cell each character inks, on a fine grid shared by all
/// symbol sets (6x12 per cell: divisible by the 1x2, 2x2 and 2x3 grids, and
/// square sub-pixels on a 1:2 cell), so outputs of different sets (and of
/// other programs) can be compared pixel for pixel.
public enum GlyphCoverage {
    public static let columns = 6
    public static let rows = 12

    /// Per character, a 72-bit coverage (row-major, bit = inked) split into
    /// two words.
    static let table: [Unicode.Scalar: (UInt64, UInt64)] = {
        var table: [Unicode.Scalar: (UInt64, UInt64)] = [:]
        for symbols in SymbolSet.allCases {
            for mask in symbols.masks {
                let scalar = symbols.scalar(for: mask)
                if table[scalar] != nil { continue }
                var low: UInt64 = 0, high: UInt64 = 0
                for y in 0..<rows {
                    for x in 0..<columns {
                        let k = (y * symbols.rows / rows) * symbols.columns + x * symbols.columns / columns
                        guard mask & (1 << k) != 0 else { continue }
                        let bit = y * columns + x
                        if bit < 64 { low |= 1 << UInt64(bit) } else { high |= 1 << UInt64(bit - 64) }
                    }
                }
                table[scalar] = (low, high)
            }
        }
        return table
    }()

    /// Whether `scalar` inks fine sub-pixel (x, y); nil for characters we do
    /// not know.
    public static func covers(_ scalar: Unicode.Scalar, x: Int, y: Int) -> Bool? {
        guard let (low, high) = table[scalar] else { return nil }
        let bit = y * columns + x
        return bit < 64 ? low & (1 << UInt64(bit)) != 0 : high & (1 << UInt64(bit - 64)) != 0
    }

    public static func isKnown(_ scalar: Unicode.Scalar) -> Bool { table[scalar] != nil }
}
