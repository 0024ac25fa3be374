import Foundation
import Testing

@testable import Signaling

@Suite("JSON text")
struct JSONTextTests {
    @Test(arguments: [
        "null", "true", "false", "0", "-0.5", "1e3", "2.5E-3", "\"\"", "[]", "{}", " [ 1 , { \"a\" : [ ] } ] ",
        "\"\\u00e9\\n\\t\\\"\\\\\\/\"", "\"\\ud83d\\ude00\"", "\"é😀\"", "{\"a\":1,\"a\":2}",
    ])
    func acceptsValidJSON(_ text: String) throws {
        let value = try #require(JSONValue.parse(Substring(text)))
        // What we write, we read back to the same value.
        #expect(JSONValue.parse(Substring(value.jsonText)) == value)
    }

    @Test(arguments: [
        "", " ", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "-", "+1", "1e", "NaN", "tru", "nul", "[1 2]", "{\"a\" 1}",
        "{a:1}", "'x'", "\"abc", "\"\u{01}\"", "\"\\x\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\u12\"", "[] []", "1e999",
    ])
    func rejectsInvalidJSON(_ text: String) {
        #expect(JSONValue.parse(Substring(text)) == nil)
    }

    @Test func boundsNesting() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(JSONValue.parse(Substring(deep)) == nil)
        let fine = String(repeating: "[", count: 50) + String(repeating: "]", count: 50)
        #expect(JSONValue.parse(Substring(fine)) != nil)
    }

    @Test func decodedStringsAndNumbers() {
        #expect(JSONValue.parse("\"a\\u0041\\ud83d\\ude00\"") == .string("aA😀"))
        #expect(JSONValue.parse("-12.5e1") == .number(-125))
        #expect(JSONValue.parse("{\"a\":1,\"a\":2}") == ["a": 2])
    }

    /// The writer must produce exactly what JSONEncoder produced before it replaced it.
    @Test func writerMatchesJSONEncoder() throws {
        let values: [JSONValue] = [
            ["b": [1, .number(2.5), true, nil], "a": "x/y\"z\\\n\t\u{01}é😀", "c": ["nested": [:]]],
            .number(1e20), .number(-0.25), .number(123_456_789_012), .string("\u{7f}\u{1f}"), [],
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for value in values {
            let expected = String(decoding: try encoder.encode(value), as: UTF8.self)
            #expect(JSONValue.parse(Substring(value.jsonText)) == JSONValue.parse(Substring(expected)))
            if case .number(let n) = value, n >= 1e15 { continue }  // exponent spelling may differ
            #expect(value.jsonText == expected)
        }
    }
}
