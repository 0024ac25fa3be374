/// A 3x5 pixel font for the test pattern's clock and counter: digits, `:`,
/// `.` and `#`, each row three bits (most significant = left).
enum DigitFont {
    static let glyphs: [Character: [UInt8]] = [
        "0": [7, 5, 5, 5, 7], "1": [2, 6, 2, 2, 7], "2": [7, 1, 7, 4, 7], "3": [7, 1, 7, 1, 7],
        "4": [5, 5, 7, 1, 1], "5": [7, 4, 7, 1, 7], "6": [7, 4, 7, 5, 7], "7": [7, 1, 2, 2, 2],
        "8": [7, 5, 7, 5, 7], "9": [7, 5, 7, 1, 7], ":": [0, 2, 0, 2, 0], ".": [0, 0, 0, 0, 2],
        "#": [5, 7, 5, 7, 5], " ": [0, 0, 0, 0, 0],
    ]

    /// Draws `text` with its top-left at (x, y), each font pixel `scale`
    /// pixels square, one font pixel between characters.
    static func draw(_ text: String, x: Int, y: Int, scale: Int, color: (UInt8, UInt8, UInt8), into frame: inout RGBFrame) {
        var left = x
        for character in text {
            let rows = glyphs[character] ?? glyphs[" "]!
            for (r, bits) in rows.enumerated() {
                for c in 0..<3 where bits & (4 >> c) != 0 {
                    frame.fill(x: left + c * scale, y: y + r * scale, width: scale, height: scale, color: color)
                }
            }
            left += 4 * scale
        }
    }

    static func width(of text: String, scale: Int) -> Int { text.count * 4 * scale - scale }
}
