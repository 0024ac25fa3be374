/// Byte-level pieces of the escape sequences we write: decimal numbers from a
/// table, glyphs pre-encoded as UTF-8, colour parameters.
enum EscapeBytes {
    static let escape: UInt8 = 0x1B
    static let bracket: UInt8 = 0x5B  // [

    /// "0" ... "999" as ASCII, three bytes per entry, with their lengths, so a
    /// number is a table copy rather than a division loop per digit.
    static let decimals: (bytes: [UInt8], lengths: [UInt8]) = {
        var bytes: [UInt8] = [], lengths: [UInt8] = []
        for n in 0..<1000 {
            let digits = Array(String(n).utf8)
            lengths.append(UInt8(digits.count))
            bytes += digits + [UInt8](repeating: 0, count: 3 - digits.count)
        }
        return (bytes, lengths)
    }()

    @inline(__always)
    static func appendDecimal(_ n: Int, to out: inout [UInt8]) {
        if n >= 1000 {
            appendDecimal(n / 1000, to: &out)
            let r = n % 1000
            out.append(UInt8(48 + r / 100)); out.append(UInt8(48 + r / 10 % 10)); out.append(UInt8(48 + r % 10))
            return
        }
        let length = Int(decimals.lengths[n])
        for i in 0..<length { out.append(decimals.bytes[3 * n + i]) }
    }

    @inline(__always)
    static func decimalLength(_ n: Int) -> Int {
        n < 10 ? 1 : (n < 100 ? 2 : (n < 1000 ? 3 : (n < 10000 ? 4 : String(n).count)))
    }

    static func append(_ s: StaticString, to out: inout [UInt8]) {
        s.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    /// UTF-8 of each mask's character for one symbol set, four bytes a slot.
    struct GlyphTable {
        var bytes: [UInt8]
        var lengths: [UInt8]

        init(_ symbols: SymbolSet) {
            bytes = [UInt8](repeating: 0, count: 64 * 4)
            lengths = [UInt8](repeating: 0, count: 64)
            for mask in symbols.masks {
                let utf8 = Array(String(Character(symbols.scalar(for: mask))).utf8)
                lengths[Int(mask)] = UInt8(utf8.count)
                for (i, byte) in utf8.enumerated() { bytes[Int(mask) * 4 + i] = byte }
            }
        }

        @inline(__always)
        func append(_ mask: UInt8, to out: inout [UInt8]) {
            let base = Int(mask) * 4
            for i in 0..<Int(lengths[Int(mask)]) { out.append(bytes[base + i]) }
        }

        @inline(__always)
        func length(_ mask: UInt8) -> Int { Int(lengths[Int(mask)]) }
    }

    /// Appends the SGR parameters (without `ESC [` and `m`) that select a
    /// colour code as foreground or background.
    @inline(__always)
    static func appendColor(_ code: UInt32, background: Bool, mode: ColorMode, to out: inout [UInt8]) {
        switch mode {
        case .truecolor:
            out.append(background ? 52 : 51); out.append(56); out.append(59); out.append(50); out.append(59) // 48;2; / 38;2;
            appendDecimal(Int(code >> 16 & 0xFF), to: &out); out.append(59)
            appendDecimal(Int(code >> 8 & 0xFF), to: &out); out.append(59)
            appendDecimal(Int(code & 0xFF), to: &out)
        case .palette256:
            out.append(background ? 52 : 51); out.append(56); out.append(59); out.append(53); out.append(59) // 48;5; / 38;5;
            appendDecimal(Int(code), to: &out)
        case .palette16:
            let base = code < 8 ? (background ? 40 : 30) : (background ? 100 : 90)
            appendDecimal(base + Int(code & 7), to: &out)
        }
    }
}
