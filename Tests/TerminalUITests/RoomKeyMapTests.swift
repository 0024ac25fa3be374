import Testing
@testable import TerminalUI

@Suite struct RoomKeyMapTests {
    typealias Outcome = RoomKeyMap.Outcome

    /// Every key that means something in navigation focus, and what it means.
    static let navigationTable: [(KeyInput, Outcome)] = [
        (.up, .command(.selectPrevious)),
        (.character("k"), .command(.selectPrevious)),
        (.down, .command(.selectNext)),
        (.character("j"), .command(.selectNext)),
        (.enter, .command(.callSelected)),
        (.character("y"), .command(.accept)),
        (.character("n"), .command(.reject)),
        (.character("h"), .command(.hangup)),
        (.character("q"), .command(.quit)),
        (.character("?"), .command(.toggleHelp)),
        (.escape, .command(.dismiss)),
        (.control("l"), .command(.redraw)),
        (.resize, .command(.resize)),
        (.pageUp, .command(.scrollChat(.older))),
        (.pageDown, .command(.scrollChat(.newer))),
        (.character("v"), .command(.toggleVideo)),
        (.character("m"), .command(.toggleMute)),
        (.character("c"), .command(.nextVideoSource)),
        (.character("s"), .command(.showStats)),
        (.character("b"), .command(.cycleBitrateCap)),
        (.character("p"), .command(.snapshot)),
        (.character("r"), .command(.cycleSymbols)),
        (.character("R"), .command(.cycleColors)),
        (.character("f"), .command(.toggleFit)),
        // Meaningless here: nothing happens, focus stays.
        (.character("x"), .ignored),
        (.character("Q"), .ignored),
        (.character("é"), .ignored),
        (.character("世"), .ignored),
        (.backspace, .ignored),
        (.delete, .ignored),
        (.left, .ignored),
        (.control("u"), .ignored),
        (.unknown(0o410), .ignored),
    ]

    @Test(arguments: navigationTable.indices)
    func navigationKeys(index: Int) {
        let (key, expected) = Self.navigationTable[index]
        var map = RoomKeyMap()
        #expect(map.handle(key) == expected, "key \(key)")
        #expect(map.focus == .navigation)
        #expect(map.draft.isEmpty)
    }

    @Test(arguments: [KeyInput.tab, .character("/"), .character("i")])
    func focusKeysEnterTheChatInput(key: KeyInput) {
        var map = RoomKeyMap()
        #expect(map.handle(key) == .inputChanged)
        #expect(map.focus == .chatInput)
        #expect(map.draft.isEmpty)  // the focusing key is not typed
    }

    /// In chat focus every letter types, including the command letters.
    @Test(arguments: Array("kjyhnq?vmcsbprRfi/x é世🎉").map { $0.unicodeScalars.first! })
    func printableCharactersTypeInChatFocus(scalar: Unicode.Scalar) {
        var map = Self.typing("")
        #expect(map.handle(.character(scalar)) == .inputChanged)
        #expect(map.draft.text == String(scalar))
        #expect(map.focus == .chatInput)
    }

    /// Non-printing keys in chat focus.
    static let chatTable: [(KeyInput, Outcome)] = [
        (.up, .command(.selectPrevious)),
        (.down, .command(.selectNext)),
        (.control("l"), .command(.redraw)),
        (.resize, .command(.resize)),
        (.pageUp, .command(.scrollChat(.older))),
        (.pageDown, .command(.scrollChat(.newer))),
        (.unknown(0o410), .ignored),
        (.control("x"), .ignored),
    ]

    @Test(arguments: chatTable.indices)
    func otherKeysInChatFocus(index: Int) {
        let (key, expected) = Self.chatTable[index]
        var map = Self.typing("hi")
        #expect(map.handle(key) == expected, "key \(key)")
        #expect(map.focus == .chatInput)
        #expect(map.draft.text == "hi")
    }

    @Test func enterSendsAndClearsButStaysInInput() {
        var map = Self.typing("hello 世界")
        #expect(map.handle(.enter) == .command(.sendChat("hello 世界")))
        #expect(map.draft.isEmpty)
        #expect(map.focus == .chatInput)
    }

    @Test(arguments: ["", " ", "   "])
    func enterWithNothingToSendIsIgnored(draft: String) {
        var map = Self.typing(draft)
        #expect(map.handle(.enter) == .ignored)
        #expect(map.draft.text == draft)
    }

    @Test func backspaceAtEmptyInputIsIgnoredAndKeepsFocus() {
        var map = Self.typing("")
        #expect(map.handle(.backspace) == .ignored)
        #expect(map.focus == .chatInput)
        #expect(map.draft.isEmpty)
        #expect(map.handle(.delete) == .ignored)
        #expect(map.handle(.left) == .ignored)
        #expect(map.handle(.right) == .ignored)
        #expect(map.handle(.home) == .ignored)
        #expect(map.handle(.end) == .ignored)
        #expect(map.handle(.control("u")) == .ignored)
    }

    @Test func backspaceRemovesWholeCharacters() {
        // e + combining acute is one Character; so is a ZWJ family emoji.
        var map = Self.typing("ae\u{301}👨\u{200D}👩\u{200D}👧世")
        #expect(map.handle(.backspace) == .inputChanged)
        #expect(map.draft.text == "ae\u{301}👨\u{200D}👩\u{200D}👧")
        #expect(map.handle(.backspace) == .inputChanged)
        #expect(map.draft.text == "ae\u{301}")
        #expect(map.handle(.backspace) == .inputChanged)
        #expect(map.draft.text == "a")
        #expect(map.handle(.backspace) == .inputChanged)
        #expect(map.handle(.backspace) == .ignored)
    }

    @Test func combiningMarkTypedAfterALetterJoinsIt() {
        var map = Self.typing("e")
        #expect(map.handle(.character("\u{301}")) == .inputChanged)
        #expect(map.draft.text == "é")
        #expect(map.draft.text.count == 1)
    }

    @Test func cursorMovesAndEditsInTheMiddle() {
        var map = Self.typing("ac")
        #expect(map.handle(.left) == .inputChanged)
        #expect(map.handle(.character("b")) == .inputChanged)
        #expect(map.draft.text == "abc")
        #expect(map.draft.beforeCursor == "ab")
        #expect(map.handle(.home) == .inputChanged)
        #expect(map.handle(.delete) == .inputChanged)
        #expect(map.draft.text == "bc")
        #expect(map.handle(.end) == .inputChanged)
        #expect(map.draft.afterCursor.isEmpty)
        #expect(map.handle(.control("a")) == .inputChanged)
        #expect(map.handle(.right) == .inputChanged)
        #expect(map.handle(.control("u")) == .inputChanged)
        #expect(map.draft.text == "c")
        #expect(map.draft.beforeCursor.isEmpty)
        // Enter sends the whole line wherever the cursor is.
        #expect(map.handle(.enter) == .command(.sendChat("c")))
    }

    @Test(arguments: [KeyInput.escape, .tab, .backTab])
    func leavingTheInputKeepsTheDraft(key: KeyInput) {
        var map = Self.typing("half a thought")
        #expect(map.handle(key) == .inputChanged)
        #expect(map.focus == .navigation)
        #expect(map.draft.text == "half a thought")
        // Back in navigation, letters are commands again.
        #expect(map.handle(.character("q")) == .command(.quit))
        #expect(map.handle(.tab) == .inputChanged)
        #expect(map.handle(.character("!")) == .inputChanged)
        #expect(map.draft.text == "half a thought!")
    }

    @Test func draftIsBounded() {
        var map = Self.typing(String(repeating: "x", count: ChatDraft.maximumScalars - 1))
        #expect(map.handle(.character("y")) == .inputChanged)
        #expect(map.handle(.character("z")) == .ignored)
        #expect(map.draft.text.unicodeScalars.count == ChatDraft.maximumScalars)
    }

    @Test func everyCommandLetterIsInTheHelp() {
        let helpKeys = HelpSheet.entries.map(\.keys).joined(separator: " ")
        for letter in "kjyhnq?rRfsvmcbp" {
            var map = RoomKeyMap()
            guard case .command = map.handle(.character(letter.unicodeScalars.first!)) else {
                Issue.record("\(letter) is not mapped")
                continue
            }
            #expect(helpKeys.contains(String(letter)), "\(letter) missing from help")
        }
    }

    /// A key map in chat focus holding `text`, built by typing it.
    static func typing(_ text: String) -> RoomKeyMap {
        var map = RoomKeyMap()
        _ = map.handle(.tab)
        for scalar in text.unicodeScalars { _ = map.handle(.character(scalar)) }
        return map
    }
}

@Suite struct KeyInputDecodingTests {
    @Test(arguments: [
        (UInt32(9), false, KeyInput.tab),
        (10, false, .enter),
        (13, false, .enter),
        (27, false, .escape),
        (127, false, .backspace),
        (8, false, .backspace),
        (12, false, .control("l")),
        (21, false, .control("u")),
        (1, false, .control("a")),
        (0x61, false, .character("a")),
        (0xE9, false, .character("é")),
        (0x4E16, false, .character("世")),
        (0x1F389, false, .character("🎉")),
        (0x301, false, .character("\u{301}")),
        (0x200D, false, .character("\u{200D}")),  // ZWJ joins emoji: keep it
        (0x9B, false, .unknown(0x9B)),  // C1 control
        (0o402, true, .down),
        (0o403, true, .up),
        (0o404, true, .left),
        (0o405, true, .right),
        (0o406, true, .home),
        (0o550, true, .end),
        (0o407, true, .backspace),
        (0o512, true, .delete),
        (0o527, true, .enter),
        (0o541, true, .backTab),
        (0o632, true, .resize),
        (0o411, true, .unknown(0o411)),  // F1
    ] as [(UInt32, Bool, KeyInput)])
    func decodesWgetWchResults(code: UInt32, isKeyCode: Bool, expected: KeyInput) {
        #expect(KeyInput(wideCharacter: code, isKeyCode: isKeyCode) == expected)
    }
}
