import Testing
@testable import TerminalUI

/// Paints the room screen into an in-memory grid and reads it back: the same
/// painter code that draws through ncurses, minus the terminal.
@Suite struct RoomScreenPainterTests {
    static let alice = UserRow(id: "1001", nickname: "alice")
    static let bob = UserRow(id: "1002", nickname: "bob")
    static let carol = UserRow(id: "1003", nickname: "carol")

    static func model() -> RoomScreenModel {
        RoomScreenModel(
            selfUser: alice, room: "10012", server: "127.0.0.1:18080",
            users: [bob, carol], selectedUserID: "1003", connection: .connected
        )
    }

    static func paint(
        _ model: RoomScreenModel, keyMap: RoomKeyMap = RoomKeyMap(),
        size: TerminalSize = TerminalSize(columns: 120, rows: 40)
    ) -> (TextGrid, RoomScreenPainter.CursorPosition?) {
        var grid = TextGrid(size: size)
        let cursor = RoomScreenPainter(model: model, keyMap: keyMap, layout: RoomScreenLayout(size: size)).paint(on: &grid)
        return (grid, cursor)
    }

    @Test func showsUsersWithTheSelectionHighlighted() {
        let (grid, cursor) = Self.paint(Self.model())
        #expect(grid.text.contains("bob (1002)"))
        #expect(grid.style(of: "▸ carol (1003)") == .selectedRow)
        #expect(grid.style(of: "bob (1002)") == .plain)
        #expect(grid.text.contains("room 10012 · 2"))
        #expect(grid.text.contains("no video yet"))
        #expect(grid.text.contains("you: alice (1001)"))
        #expect(cursor == nil)  // not typing: cursor hidden
    }

    @Test func theVideoLabelIsCenteredInTheVideoArea() throws {
        let size = TerminalSize(columns: 120, rows: 40)
        let (grid, _) = Self.paint(Self.model(), size: size)
        let video = try #require(RoomScreenLayout(size: size).remoteVideo)
        let row = video.y + (video.height - 1) / 2
        let line = grid.line(row)
        let label = "no video yet"
        let start = video.x + (video.width - label.count) / 2
        #expect(String(Array(line)[start..<(start + label.count)]) == label)
    }

    @Test func incomingCallShowsABannerAndTagsTheCaller() {
        var model = Self.model()
        model.callLine = .ringingIn(Self.bob)
        model.notice = "this notice is hidden while ringing"
        let (grid, _) = Self.paint(model)
        #expect(grid.style(of: "☎ incoming call from bob — y accept / n reject") == .ringingBanner)
        #expect(grid.style(of: "☎ calling") == .ringingTag)
        #expect(!grid.text.contains("this notice"))
        #expect(grid.line(39).contains("incoming call from bob [1002]"))
    }

    @Test func noticeReplacesTheKeyHints() {
        var model = Self.model()
        #expect(Self.paint(model).0.line(38).contains("Enter call"))
        model.notice = "chat needs a call: data channel not built yet"
        let (grid, _) = Self.paint(model)
        #expect(grid.style(of: "chat needs a call") == .notice)
        #expect(!grid.line(38).contains("Enter call"))
    }

    @Test func statusLineShowsStatePlaceAndTroubledConnection() {
        var model = Self.model()
        model.callLine = .inCall(Self.bob, elapsedSeconds: 61)
        model.connection = .reconnecting(attempt: 2, retryInSeconds: 5)
        let (grid, _) = Self.paint(model)
        let status = grid.line(39)
        #expect(status.hasPrefix(" in call with bob 01:01"))
        #expect(status.contains("room 10012 · 127.0.0.1:18080"))
        #expect(grid.style(of: "reconnecting (try 2, next in 5s)") == .statusTrouble)
        #expect(grid.style(of: "in call with bob") == .status)
        #expect(grid.style(of: "● in call") == .ringingTag)
    }

    @Test func narrowStatusLineDropsTheSelfNameBeforeTheRoom() {
        var model = Self.model()
        model.callLine = .inCall(Self.bob, elapsedSeconds: 61)
        let at80 = Self.paint(model, size: TerminalSize(columns: 80, rows: 24)).0.line(23)
        #expect(at80.hasPrefix(" in call with bob 01:01 [1002]"))
        #expect(at80.hasSuffix("room 10012 · 127.0.0.1:18080 · connected "))
        #expect(!at80.contains("alice"))
        let at60 = Self.paint(model, size: TerminalSize(columns: 60, rows: 18)).0.line(17)
        #expect(at60.hasSuffix("room 10012 · connected "))
    }

    @Test func longChatIsWrappedAndScrolledToTheNewest() throws {
        var model = Self.model()
        for i in 1...50 {
            model.chat.append(ChatLine(from: i.isMultiple(of: 2) ? "alice" : "bob", text: "message number \(i) with some words to wrap", isSelf: i.isMultiple(of: 2)))
        }
        model.chat.append(.system("call ended"))
        let size = TerminalSize(columns: 120, rows: 40)
        let (grid, _) = Self.paint(model, size: size)
        guard case .room(let panes) = RoomScreenLayout(size: size) else { return }
        let history = (panes.chatHistory.y..<panes.chatHistory.maxY).map { grid.line($0) }.joined(separator: "\n")
        #expect(history.contains("· call ended"))
        #expect(history.contains("message number 50"))
        #expect(!history.contains("message number 1 "))
        // The newest line is on the last history row.
        #expect(grid.line(panes.chatHistory.maxY - 1).contains("· call ended"))
        #expect(grid.style(of: "alice:") == .selfSender)
        #expect(grid.style(of: "bob:") == .peerSender)
    }

    @Test func chatRowsKeepOnlyWhatFitsNewestLast() {
        let chat = (1...5).map { ChatLine(from: "u", text: "line \($0)") }
        let rows = RoomScreenPainter.chatRows(chat, width: 20, height: 3)
        #expect(rows.map(\.text) == ["u: line 3", "u: line 4", "u: line 5"])
        #expect(RoomScreenPainter.chatRows(chat, width: 20, height: 10).count == 5)
        #expect(RoomScreenPainter.chatRows([], width: 20, height: 3).isEmpty)
    }

    @Test func scrollingBackShowsOlderRowsAndSaysHowManyNewerWaitBelow() {
        let chat = (1...8).map { ChatLine(from: "u", text: "line \($0)") }
        // Two rows back from the newest: lines 4-6 are the window, and its last row is the marker.
        let rows = RoomScreenPainter.chatRows(chat, width: 30, height: 3, scrollBack: 2)
        #expect(rows.map(\.text) == ["u: line 4", "u: line 5", "↓ 2 newer rows (PgDn)"])
        // Past the oldest row the window stops at the top of the history.
        let top = RoomScreenPainter.chatRows(chat, width: 30, height: 3, scrollBack: 100)
        #expect(top.map(\.text) == ["u: line 1", "u: line 2", "↓ 5 newer rows (PgDn)"])
        // A history that fits has nothing to scroll.
        #expect(RoomScreenPainter.chatRows(Array(chat.prefix(2)), width: 30, height: 3, scrollBack: 4).map(\.text)
            == ["u: line 1", "u: line 2"])
    }

    @Test func aMessageShowsItsTimeDimAndItsSenderInColour() {
        let rows = RoomScreenPainter.chatRows([ChatLine(from: "ann", text: "hi", time: "14:03")], width: 30, height: 2)
        #expect(rows.map(\.text) == ["14:03 ann: hi"])
        #expect(rows.first?.highlights == [
            .init(column: 0, text: "14:03", style: .dim), .init(column: 6, text: "ann:", style: .peerSender),
        ])
        // Wide characters wrap by cells: the 12-cell word does not fit after "ann: " (5 cells)
        // in 11, so it moves to the next row, which has 9 cells after the indent: 4 characters.
        let wide = RoomScreenPainter.chatRows([ChatLine(from: "ann", text: "日本語日本語")], width: 11, height: 4)
        #expect(wide.map(\.text) == ["ann:", "  日本語日", "  本語"])
    }

    @Test func typingShowsTheDraftAndPlacesTheCursorAfterIt() throws {
        var keyMap = RoomKeyMap()
        _ = keyMap.handle(.tab)
        for scalar in "hi 世界".unicodeScalars { _ = keyMap.handle(.character(scalar)) }
        let size = TerminalSize(columns: 120, rows: 40)
        let (grid, cursor) = Self.paint(Self.model(), keyMap: keyMap, size: size)
        guard case .room(let panes) = RoomScreenLayout(size: size) else { return }
        #expect(grid.line(panes.chatInput.y).contains("› hi 世界"))
        let position = try #require(cursor)
        #expect(position.row == panes.chatInput.y)
        #expect(position.column == panes.chatInput.x + 2 + 7)  // prompt, then "hi 世界" is 7 cells
        #expect(grid.line(38).contains("Esc stop typing"))
        #expect(grid.style(of: "┌─ chat") == .focusedBorder)
    }

    @Test func aLongDraftScrollsSoTheCursorStaysVisible() {
        let draft = ChatDraft(text: String(repeating: "abcdefghij", count: 10))
        let visible = RoomScreenPainter.visibleDraft(draft, width: 20)
        #expect(visible.text == "bcdefghij" + "abcdefghij")
        #expect(visible.cursorOffset == 19)
        let short = RoomScreenPainter.visibleDraft(ChatDraft(text: "abc"), width: 20)
        #expect(short.text == "abc" && short.cursorOffset == 3)
        // Wide characters are never cut in half.
        let wide = RoomScreenPainter.visibleDraft(ChatDraft(text: String(repeating: "世", count: 20)), width: 10)
        #expect(wide.text == String(repeating: "世", count: 4))
        #expect(wide.cursorOffset == 8)
    }

    @Test func helpOverlayListsEveryKeyAtTheMinimumSize() {
        var model = Self.model()
        model.showHelp = true
        let (grid, cursor) = Self.paint(model, size: RoomScreenLayout.minimumSize)
        let text = grid.text
        for entry in HelpSheet.entries {
            #expect(text.contains(entry.action), "\(entry.action) not shown")
        }
        #expect(text.contains(HelpSheet.footer))
        #expect(cursor == nil)
    }

    @Test func userListScrollsToKeepTheSelectionVisible() {
        #expect(RoomScreenPainter.firstVisibleRow(selected: 0, count: 10, visible: 3) == 0)
        #expect(RoomScreenPainter.firstVisibleRow(selected: 2, count: 10, visible: 3) == 0)
        #expect(RoomScreenPainter.firstVisibleRow(selected: 5, count: 10, visible: 3) == 3)
        #expect(RoomScreenPainter.firstVisibleRow(selected: 9, count: 10, visible: 3) == 7)
        #expect(RoomScreenPainter.firstVisibleRow(selected: nil, count: 10, visible: 3) == 0)
        #expect(RoomScreenPainter.firstVisibleRow(selected: 2, count: 3, visible: 3) == 0)

        var model = Self.model()
        model.users = (1...30).map { UserRow(id: "\(2000 + $0)", nickname: "user\($0)") }
        model.selectedUserID = "2030"
        let (grid, _) = Self.paint(model, size: TerminalSize(columns: 80, rows: 24))
        #expect(grid.style(of: "▸ user30 (2030)") == .selectedRow)
        #expect(!grid.text.contains("user1 (2001)"))
    }

    @Test(arguments: [TerminalSize(columns: 59, rows: 30), TerminalSize(columns: 100, rows: 17), TerminalSize(columns: 20, rows: 5)])
    func tooSmallShowsOnlyTheMessage(size: TerminalSize) {
        let (grid, cursor) = Self.paint(Self.model(), size: size)
        let expected = TextWidth.truncated("terminal too small (need 60x18)", to: size.columns)
        #expect(grid.text.contains(expected))
        #expect(!grid.text.contains("bob"))
        #expect(!grid.text.contains("┌"))
        #expect(cursor == nil)
    }

    /// Nothing but the labels is drawn inside the video rectangles, at any size
    /// and in any state: the video renderer owns those cells.
    @Test(arguments: [TerminalSize(columns: 60, rows: 18), TerminalSize(columns: 80, rows: 24), TerminalSize(columns: 200, rows: 60)])
    func videoAreasHoldOnlyTheirLabels(size: TerminalSize) throws {
        var model = Self.model()
        model.callLine = .ringingIn(Self.bob)
        model.chat = (1...40).map { ChatLine(from: "bob", text: "a long message \($0) that wraps around a few times in the pane") }
        model.users = (1...30).map { UserRow(id: "\($0)", nickname: "someone with a long nickname \($0)") }
        model.remoteVideoLabel = ""
        model.previewLabel = ""
        let (grid, _) = Self.paint(model, size: size)
        let layout = RoomScreenLayout(size: size)
        for rect in [try #require(layout.remoteVideo), try #require(layout.localPreview)] {
            for y in rect.y..<rect.maxY {
                for x in rect.x..<rect.maxX {
                    #expect(grid.cells[y][x] == TextGrid.Cell(), "cell \(x),\(y) drawn in video \(rect)")
                }
            }
        }
    }

    /// Every row is exactly as wide as the screen: nothing spills or wraps.
    @Test(arguments: [TerminalSize(columns: 60, rows: 18), TerminalSize(columns: 97, rows: 33), TerminalSize(columns: 140, rows: 50)])
    func noRowSpillsOverTheEdge(size: TerminalSize) {
        var model = Self.model()
        model.callLine = .inCall(UserRow(id: "1002", nickname: "a rather long nickname for bob that goes on"), elapsedSeconds: 5000)
        model.connection = .disconnected(reason: "connection refused by 127.0.0.1:18080 after many tries")
        model.notice = String(repeating: "notice ", count: 40)
        model.chat = [ChatLine(from: "bob", text: String(repeating: "世界🎉 ", count: 40))]
        let (grid, _) = Self.paint(model, size: size)
        for row in 0..<size.rows {
            let width = grid.cells[row].reduce(0) { $0 + max(TextWidth.of($1.text), $1.text.isEmpty ? 0 : 1) }
            #expect(width == size.columns, "row \(row) is \(width) wide")
        }
        #expect(grid.text.contains("disconnected"))
    }
}
