/// A 3x5 pixel font for the test pattern's clock and counter: digits, `:`,
/// `.` and `#`, each row three bits (most significant = left).
///
/// `package`, not internal: render-bench keeps the pattern's first (RGB)
/// implementation as its timing anchor and draws the same text with it.
package enum DigitFont {
    static let glyphs: [Character: [UInt8]] = [
        "0": [7, 5, 5, 5, 7], "1": [2, 6, 2, 2, 7], "2": [7, 1, 7, 4, 7], "3": [7, 1, 7, 1, 7],
        "4": [5, 5, 7, 1, 1], "5": [7, 4, 7, 1, 7], "6": [7, 4, 7, 5, 7], "7": [7, 1, 2, 2, 2],
        "8": [7, 5, 7, 5, 7], "9": [7, 5, 7, 1, 7], ":": [0, 2, 0, 2, 0], ".": [0, 0, 0, 0, 2],
        "#": [5, 7, 5, 7, 5], " ": [0, 0, 0, 0, 0],
    ]

    /// Calls `body` with the top-left corner of each lit font pixel of `text`
    /// drawn with its top-left at (x, y), each font pixel `scale` pixels
    /// square, one font pixel between characters. The caller paints the
    /// squares, so RGB and I420 drawing share the layout.
    package static func forEachSquare(_ text: String, x: Int, y: Int, scale: Int, _ body: (Int, Int) -> Void) {
        var left = x
        for character in text {
            let rows = glyphs[character] ?? glyphs[" "]!
            for (r, bits) in rows.enumerated() {
                for c in 0..<3 where bits & (4 >> c) != 0 {
                    body(left + c * scale, y + r * scale)
                }
            }
            left += 4 * scale
        }
    }

    package static func width(of text: String, scale: Int) -> Int { text.count * 4 * scale - scale }
}
