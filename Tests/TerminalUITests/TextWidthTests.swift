import Testing
@testable import TerminalUI

@Suite struct TextWidthTests {
    @Test(arguments: [
        ("", 0), ("abc", 3), ("é", 1), ("e\u{301}", 1), ("世界", 4), ("🎉", 2),
        ("한국어", 6), ("ｱ", 1), ("Ａ", 2), ("a\u{200D}b", 2), ("·", 1), ("☎", 1),
    ])
    func widths(text: String, cells: Int) {
        #expect(TextWidth.of(text) == cells)
    }

    @Test func prefixNeverSplitsAWideCharacter() {
        #expect(TextWidth.prefix("ab世界", fitting: 3) == "ab")
        #expect(TextWidth.prefix("ab世界", fitting: 4) == "ab世")
        #expect(TextWidth.suffix("ab世界", fitting: 3) == "界")
        #expect(TextWidth.suffix("ab世界", fitting: 5) == "b世界")
        #expect(TextWidth.truncated("hello world", to: 5) == "hell…")
        #expect(TextWidth.truncated("hello", to: 5) == "hello")
        #expect(TextWidth.truncated("hello", to: 0) == "")
    }

    @Test func wrapsAtWordsAndIndentsContinuations() {
        let lines = TextWidth.wrap("bob: the quick brown fox jumps", width: 12, indent: "  ")
        #expect(lines == ["bob: the", "  quick", "  brown fox", "  jumps"])
    }

    @Test func cutsWordsLongerThanALine() {
        #expect(TextWidth.wrap("abcdefghij", width: 4) == ["abcd", "efgh", "ij"])
        #expect(TextWidth.wrap("x 世界世界世", width: 4) == ["x", "世界", "世界", "世"])
    }

    @Test func keepsNewlinesAndNeverExceedsTheWidth() {
        #expect(TextWidth.wrap("a\nb c", width: 10) == ["a", "b c"])
        let text = "some 日本語のテキスト with 🎉🎉 and averyveryverylongwordthatgoesonandon end"
        for width in 2...30 {
            for line in TextWidth.wrap(text, width: width, indent: "  ") {
                #expect(TextWidth.of(line) <= width, "\(line) wider than \(width)")
            }
        }
    }
}
