import Media
@testable import TerminalRender

/// Builds an RGB frame from rows of 0xRRGGBB values.
func rgbFrame(_ rows: [[UInt32]]) -> VideoFrame {
    var frame = RGBFrame(width: rows[0].count, height: rows.count)
    for (y, row) in rows.enumerated() {
        for (x, c) in row.enumerated() {
            frame[x, y] = (UInt8(c >> 16 & 0xFF), UInt8(c >> 8 & 0xFF), UInt8(c & 0xFF))
        }
    }
    return .rgb(frame)
}

/// The bytes of a string, for spelling expected output.
func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

let esc = "\u{1B}"
let syncOn = "\u{1B}[?2026h"
let syncOff = "\u{1B}[?2026l"
let resetSGR = "\u{1B}[0m"

/// A readable rendering of bytes for failure messages.
func visible(_ b: [UInt8]) -> String {
    String(decoding: b, as: UTF8.self).replacingEscapes()
}

extension String {
    func replacingEscapes() -> String {
        var s = ""
        for ch in unicodeScalars { s += ch == "\u{1B}" ? "\\e" : String(ch) }
        return s
    }
}

/// The detailed moving picture used by quality and diff tests.
func patternFrame(_ n: UInt32, width: Int = 320, height: Int = 180) -> VideoFrame {
    .rgb(TestPatternSource(width: width, height: height).rgbFrame(number: n, captureMilliseconds: 45_296_789 + UInt64(n) * 33))
}
