/// Display width of text in terminal cells, and clipping and wrapping by it.
///
/// Follows what glibc's `wcwidth` (which ncurses uses) does for the cases a
/// chat meets: East Asian wide and fullwidth characters and emoji take two
/// cells, combining marks and format characters none, everything else one; a
/// Character's width is the sum over its scalars, as ncurses adds them. It
/// does not read the locale, so layout is the same in tests and on screen.
public enum TextWidth {
    static func of(_ scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        if value < 0x20 || (0x7F..<0xA0).contains(value) { return 0 }
        if value < 0x300 { return 1 }  // fast path: Latin
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if scalar.properties.isEmojiPresentation { return 2 }
        return wideRanges.contains { $0.contains(value) } ? 2 : 1
    }

    static func of(_ character: Character) -> Int {
        character.unicodeScalars.reduce(0) { $0 + of($1) }
    }

    public static func of(_ text: some StringProtocol) -> Int {
        text.unicodeScalars.reduce(0) { $0 + of($1) }
    }

    /// The longest prefix of `text` that fits in `width` cells; a wide
    /// character that would straddle the edge is left out.
    static func prefix(_ text: some StringProtocol, fitting width: Int) -> String {
        var used = 0
        var result = ""
        for character in text {
            let w = of(character)
            if used + w > width { break }
            used += w
            result.append(character)
        }
        return result
    }

    /// The longest suffix of `text` that fits in `width` cells.
    static func suffix(_ text: some StringProtocol, fitting width: Int) -> String {
        var used = 0
        var kept: [Character] = []
        for character in text.reversed() {
            let w = of(character)
            if used + w > width { break }
            used += w
            kept.append(character)
        }
        return String(kept.reversed())
    }

    /// `text` clipped to `width` cells, ending in `…` when something was cut.
    public static func truncated(_ text: some StringProtocol, to width: Int) -> String {
        guard width > 0 else { return "" }
        if of(text) <= width { return String(text) }
        return prefix(text, fitting: width - 1) + "…"
    }

    /// Greedy word wrap to `width` cells. Newlines in `text` break lines; a
    /// word wider than a line is cut between characters. Continuation lines
    /// start with `indent`, unless that would leave no room for a wide character.
    static func wrap(_ text: String, width: Int, indent: String = "") -> [String] {
        guard width > 0 else { return [] }
        let indentWidth = of(indent) + 2 <= width ? of(indent) : 0
        let indent = indentWidth > 0 ? indent : ""
        var lines: [String] = []
        var line = ""
        var lineWidth = 0
        var atLineStart = true  // no word on this line yet (an indent may be there)

        func finishLine() {
            lines.append(line)
            line = indent
            lineWidth = indentWidth
            atLineStart = true
        }

        for (index, paragraph) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if index > 0 { finishLine() }
            for word in paragraph.split(separator: " ", omittingEmptySubsequences: true) {
                let wordWidth = of(word)
                let spaceNeeded = atLineStart ? 0 : 1
                if lineWidth + spaceNeeded + wordWidth <= width {
                    if !atLineStart { line.append(" ") }
                    line += word
                    lineWidth += spaceNeeded + wordWidth
                    atLineStart = false
                    continue
                }
                if !atLineStart { finishLine() }
                if lineWidth + wordWidth <= width {
                    line += word
                    lineWidth += wordWidth
                    atLineStart = false
                    continue
                }
                // Too long for any line: cut it.
                for character in word {
                    let w = of(character)
                    if lineWidth + w > width, !atLineStart { finishLine() }
                    line.append(character)
                    lineWidth += w
                    atLineStart = false
                }
            }
        }
        lines.append(line)
        return lines
    }

    /// Wide ranges of Unicode's East Asian Width property (W and F) that are
    /// not already emoji-presentation characters.
    private static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F,  // Hangul Jamo initials
        0x2E80...0x303E,  // CJK radicals, Kangxi, CJK symbols
        0x3041...0x33FF,  // Hiragana, Katakana, Bopomofo, CJK compatibility
        0x3400...0x4DBF,  // CJK extension A
        0x4E00...0x9FFF,  // CJK unified ideographs
        0xA000...0xA4CF,  // Yi
        0xA960...0xA97F,  // Hangul Jamo extended A
        0xAC00...0xD7A3,  // Hangul syllables
        0xF900...0xFAFF,  // CJK compatibility ideographs
        0xFE10...0xFE19,  // vertical forms
        0xFE30...0xFE6F,  // CJK compatibility forms, small forms
        0xFF00...0xFF60,  // fullwidth forms
        0xFFE0...0xFFE6,  // fullwidth signs
        0x1F300...0x1F64F,  // pictographs, emoticons
        0x1F900...0x1F9FF,  // supplemental symbols and pictographs
        0x20000...0x2FFFD,  // CJK extensions B..F
        0x30000...0x3FFFD,  // CJK extension G
    ]
}
