/// Draws a `RoomScreenModel` onto a `CellSurface`. Pure apart from the
/// surface it is given, so the same code paints ncurses and the test grid.
///
/// It never writes inside the video rectangles except their centered labels:
/// once video runs there, the renderer owns those cells.
struct RoomScreenPainter {
    let model: RoomScreenModel
    let keyMap: RoomKeyMap
    let layout: RoomScreenLayout

    /// Where the terminal cursor belongs after painting (the chat input), or
    /// nil to hide it.
    struct CursorPosition: Equatable {
        var row: Int
        var column: Int
    }

    @discardableResult
    func paint(on surface: inout some CellSurface) -> CursorPosition? {
        surface.erase()
        switch layout {
        case .tooSmall(let size):
            paintTooSmall(size, on: &surface)
            return nil
        case .room(let panes):
            paintVideoBoxes(panes, on: &surface)
            paintUsers(panes, on: &surface)
            let cursor = paintChat(panes, on: &surface)
            paintMessageLine(panes.messageLine, on: &surface)
            paintStatusLine(panes.statusLine, on: &surface)
            if model.showHelp {
                paintHelp(panes.helpOverlay, on: &surface)
                return nil  // the overlay hides the input
            }
            return cursor
        }
    }

    // MARK: - Too small

    private func paintTooSmall(_ size: TerminalSize, on surface: inout some CellSurface) {
        guard size.columns > 0, size.rows > 0 else { return }
        let message = TextWidth.truncated(RoomScreenLayout.tooSmallMessage, to: size.columns)
        let row = max(0, size.rows / 2 - 1)
        surface.put(message, row: row, column: centered(message, in: size.columns), style: .notice)
        let now = TextWidth.truncated("now \(size)", to: size.columns)
        if row + 1 < size.rows {
            surface.put(now, row: row + 1, column: centered(now, in: size.columns), style: .dim)
        }
    }

    // MARK: - Video boxes

    private func paintVideoBoxes(_ panes: RoomPanes, on surface: inout some CellSurface) {
        let remoteTitle: String
        switch model.callLine {
        case .inCall(let peer, _), .connecting(let peer): remoteTitle = peer.displayName
        default: remoteTitle = "remote"
        }
        boxedPane(panes.remoteVideoBox, title: remoteTitle, focused: false, on: &surface)
        label(model.remoteVideoLabel, centeredIn: panes.remoteVideo, on: &surface)

        boxedPane(panes.previewBox, title: "you: \(model.selfUser.displayName)", focused: false, on: &surface)
        label(model.previewLabel, centeredIn: panes.localPreview, on: &surface)
    }

    private func label(_ text: String, centeredIn rect: ScreenRect, on surface: inout some CellSurface) {
        guard !text.isEmpty, !rect.isEmpty else { return }
        let lines = TextWidth.wrap(text, width: rect.width).suffix(rect.height)
        let top = rect.y + (rect.height - lines.count) / 2
        for (offset, line) in lines.enumerated() {
            surface.put(line, row: top + offset, column: rect.x + centered(line, in: rect.width), style: .dim)
        }
    }

    // MARK: - Users

    private func paintUsers(_ panes: RoomPanes, on surface: inout some CellSurface) {
        let count = model.users.count
        boxedPane(panes.usersBox, title: "room \(model.room) · \(count)", focused: false, on: &surface)
        let list = panes.userList
        guard count > 0 else {
            surface.put(TextWidth.truncated("nobody else here yet", to: list.width), row: list.y, column: list.x, style: .dim)
            return
        }
        let selected = model.selectedIndex
        let first = Self.firstVisibleRow(selected: selected, count: count, visible: list.height)
        for (offset, user) in model.users[first..<min(count, first + list.height)].enumerated() {
            let row = list.y + offset
            let isSelected = first + offset == selected
            let tag = ringingTag(for: user)
            let style: CellStyle = isSelected ? .selectedRow : .plain
            if isSelected { surface.fill(ScreenRect(x: list.x, y: row, width: list.width, height: 1), style: style) }
            let tagWidth = tag.map { TextWidth.of($0) + 1 } ?? 0
            let name = (isSelected ? "▸ " : "  ") + user.displayName
            surface.put(TextWidth.truncated(name, to: list.width - tagWidth), row: row, column: list.x, style: style)
            if let tag {
                surface.put(tag, row: row, column: list.maxX - TextWidth.of(tag), style: .ringingTag)
            }
        }
        // Say there is more than fits, on the border where it costs no row.
        if first > 0 {
            surface.put("↑", row: panes.usersBox.y, column: panes.usersBox.maxX - 3, style: .border)
        }
        if first + list.height < count {
            surface.put("↓", row: panes.usersBox.maxY - 1, column: panes.usersBox.maxX - 3, style: .border)
        }
    }

    /// Scrolls the list only as far as needed to keep the selection visible.
    static func firstVisibleRow(selected: Int?, count: Int, visible: Int) -> Int {
        guard visible > 0, count > visible, let selected else { return 0 }
        return min(max(0, selected - visible + 1), count - visible)
    }

    private func ringingTag(for user: UserRow) -> String? {
        switch model.callLine {
        case .ringingIn(let peer) where peer.id == user.id: "☎ calling"
        case .ringingOut(let peer) where peer.id == user.id: "☎ ringing"
        case .connecting(let peer) where peer.id == user.id: "…"
        case .inCall(let peer, _) where peer.id == user.id: "● in call"
        default: nil
        }
    }

    // MARK: - Chat

    private func paintChat(_ panes: RoomPanes, on surface: inout some CellSurface) -> CursorPosition? {
        let focused = keyMap.focus == .chatInput
        boxedPane(panes.chatBox, title: "chat", focused: focused, on: &surface)
        surface.drawRule(across: panes.chatBox, row: panes.chatSeparatorRow, style: focused ? .focusedBorder : .border)

        let history = panes.chatHistory
        let rows = Self.chatRows(model.chat, width: history.width, height: history.height, scrollBack: model.chatScrollBack)
        for (offset, row) in rows.enumerated() {
            surface.put(row.text, row: history.y + offset, column: history.x, style: row.style)
            for highlight in row.highlights {
                surface.put(highlight.text, row: history.y + offset, column: history.x + highlight.column, style: highlight.style)
            }
        }
        return paintInput(panes.chatInput, focused: focused, on: &surface)
    }

    struct ChatRow: Equatable {
        /// A part of the row drawn in its own style: the time, the sender's name.
        struct Highlight: Equatable {
            var column: Int
            var text: String
            var style: CellStyle
        }

        var text: String
        var style: CellStyle
        var highlights: [Highlight] = []
    }

    /// The rows of the wrapped history that fit in `height`, oldest at the top:
    /// the newest ones, or `scrollBack` rows further back (clamped to the oldest),
    /// with the last row then saying that newer lines wait below. Wraps from the
    /// newest message backwards and stops once enough rows exist, so a long
    /// history costs nothing per frame.
    static func chatRows(_ chat: [ChatLine], width: Int, height: Int, scrollBack: Int = 0) -> [ChatRow] {
        guard width > 0, height > 0 else { return [] }
        let wanted = height + max(0, scrollBack)
        var rows: [ChatRow] = []
        for line in chat.reversed() {
            rows.insert(contentsOf: wrapped(line, width: width), at: 0)
            if rows.count >= wanted { break }
        }
        let back = min(max(0, scrollBack), max(0, rows.count - height))
        var window = Array(rows.dropLast(back).suffix(height))
        if back > 0, !window.isEmpty {
            window[window.count - 1] = ChatRow(
                text: TextWidth.truncated("↓ \(back) newer row\(back == 1 ? "" : "s") (PgDn)", to: width), style: .dim)
        }
        return window
    }

    /// One message as rows: `14:03 ann: text`, wrapped with an indent.
    static func wrapped(_ line: ChatLine, width: Int) -> [ChatRow] {
        let time = line.time.isEmpty ? "" : line.time + " "
        if line.isSystem {
            var rows = TextWidth.wrap(time + "· " + line.text, width: width, indent: "  ").map { ChatRow(text: $0, style: .dim) }
            if !time.isEmpty, let first = rows.first, first.text.hasPrefix(time) {
                rows[0].highlights = [ChatRow.Highlight(column: 0, text: line.time, style: .dim)]
            }
            return rows
        }
        let sender = line.from + ":"
        var rows = TextWidth.wrap(time + sender + " " + line.text, width: width, indent: "  ")
            .map { ChatRow(text: $0, style: .plain) }
        // Each prefix is drawn in its style unless wrapping cut it.
        if let first = rows.first {
            if !time.isEmpty, first.text.hasPrefix(time) {
                rows[0].highlights.append(ChatRow.Highlight(column: 0, text: line.time, style: .dim))
            }
            if first.text.hasPrefix(time + sender) {
                rows[0].highlights.append(ChatRow.Highlight(
                    column: TextWidth.of(time), text: sender, style: line.isSelf ? .selfSender : .peerSender))
            }
        }
        return rows
    }

    private func paintInput(_ rect: ScreenRect, focused: Bool, on surface: inout some CellSurface) -> CursorPosition? {
        let draft = keyMap.draft
        guard focused else {
            let text = draft.isEmpty ? "Tab to chat" : "› " + draft.text
            surface.put(TextWidth.truncated(text, to: rect.width), row: rect.y, column: rect.x, style: .dim)
            return nil
        }
        let prompt = "› "
        surface.put(prompt, row: rect.y, column: rect.x, style: .focusedBorder)
        let visible = Self.visibleDraft(draft, width: rect.width - TextWidth.of(prompt))
        let column = rect.x + TextWidth.of(prompt)
        surface.put(visible.text, row: rect.y, column: column, style: .input)
        return CursorPosition(row: rect.y, column: column + visible.cursorOffset)
    }

    /// The part of the draft that fits in `width` cells with the cursor in
    /// view: everything when it fits, else the end of the text before the
    /// cursor (leaving a cell for the cursor) and as much after it as fits.
    static func visibleDraft(_ draft: ChatDraft, width: Int) -> (text: String, cursorOffset: Int) {
        guard width > 1 else { return ("", 0) }
        let beforeWidth = TextWidth.of(draft.beforeCursor)
        if beforeWidth + TextWidth.of(draft.afterCursor) < width {
            return (draft.text, beforeWidth)
        }
        let before = TextWidth.suffix(draft.beforeCursor, fitting: width - 1)
        let shownBefore = TextWidth.of(before)
        let after = TextWidth.prefix(draft.afterCursor, fitting: width - shownBefore)
        return (before + after, shownBefore)
    }

    // MARK: - Message and status lines

    private func paintMessageLine(_ rect: ScreenRect, on surface: inout some CellSurface) {
        if case .ringingIn(let peer) = model.callLine {
            surface.fill(rect, style: .ringingBanner)
            let name = peer.nickname.isEmpty ? peer.id : peer.nickname
            let banner = TextWidth.truncated("☎ incoming call from \(name) — y accept / n reject", to: rect.width)
            surface.put(banner, row: rect.y, column: rect.x + centered(banner, in: rect.width), style: .ringingBanner)
            return
        }
        if let notice = model.notice, !notice.isEmpty {
            surface.put(TextWidth.truncated(" " + notice, to: rect.width), row: rect.y, column: rect.x, style: .notice)
            return
        }
        surface.put(TextWidth.truncated(" " + keyHints, to: rect.width), row: rect.y, column: rect.x, style: .dim)
    }

    /// The keys that matter right now, so the screen teaches itself.
    private var keyHints: String {
        if keyMap.focus == .chatInput { return "Enter send · Esc stop typing · ←→ move" }
        switch model.callLine {
        case .idle, .ended: return "↑↓ select · Enter call · Tab chat · ? help · q quit"
        case .ringingOut, .connecting: return "h hang up · Tab chat · ? help · q quit"
        case .ringingIn: return "y accept · n reject"
        case .inCall: return "h hang up · Tab chat · ? help · q quit"
        }
    }

    private func paintStatusLine(_ rect: ScreenRect, on surface: inout some CellSurface) {
        surface.fill(rect, style: .status)
        var left = " " + model.callLine.text
        if let peer = model.callLine.peer, model.callLine.text.contains(peer.id) == false, peer.nickname != peer.id {
            left += " [\(peer.id)]"
        }
        let connection = model.connection.text + " "
        let leftWidth = TextWidth.of(left)
        let connectionStyle: CellStyle = model.connection.isTrouble ? .statusTrouble : .status
        // Where we are, from the fullest form down to what fits.
        let places = [
            "\(model.selfUser.displayName) · room \(model.room) · \(model.server) · ",
            "room \(model.room) · \(model.server) · ",
            "room \(model.room) · ",
        ]
        for place in places {
            let rightWidth = TextWidth.of(place) + TextWidth.of(connection)
            guard leftWidth + 2 + rightWidth <= rect.width else { continue }
            surface.put(left, row: rect.y, column: rect.x, style: .status)
            let start = rect.maxX - rightWidth
            surface.put(place, row: rect.y, column: start, style: .status)
            surface.put(connection, row: rect.y, column: start + TextWidth.of(place), style: connectionStyle)
            return
        }
        // Narrow: the call state and the link state matter most; drop the place.
        let connectionWidth = TextWidth.of(connection)
        let clippedLeft = TextWidth.truncated(left, to: max(0, rect.width - connectionWidth - 1))
        surface.put(clippedLeft, row: rect.y, column: rect.x, style: .status)
        let clippedConnection = TextWidth.truncated(connection, to: rect.width - TextWidth.of(clippedLeft))
        surface.put(clippedConnection, row: rect.y, column: rect.maxX - TextWidth.of(clippedConnection), style: connectionStyle)
    }

    // MARK: - Help

    private func paintHelp(_ rect: ScreenRect, on surface: inout some CellSurface) {
        surface.fill(rect, style: .plain)
        boxedPane(rect, title: "keys", focused: true, on: &surface)
        let inside = rect.inset(by: 1)
        guard !inside.isEmpty else { return }
        let columns = HelpSheet.columnCount(width: inside.width)
        let entries = HelpSheet.entries
        let rowsPerColumn = (entries.count + columns - 1) / columns
        let usedWidth = columns * HelpSheet.columnWidth + (columns - 1) * HelpSheet.columnGap
        let left = inside.x + max(0, (inside.width - usedWidth) / 2)
        // Keep the footer's row when the overlay is cut short.
        let entryRows = min(rowsPerColumn, max(0, inside.height - 2))
        for (index, entry) in entries.enumerated() {
            let column = index / rowsPerColumn
            let row = index % rowsPerColumn
            guard row < entryRows else { continue }
            let x = left + column * (HelpSheet.columnWidth + HelpSheet.columnGap)
            let y = inside.y + row
            surface.put(TextWidth.truncated(entry.keys, to: inside.maxX - x), row: y, column: x, style: .helpKey)
            let actionX = x + HelpSheet.keysWidth + 2
            if actionX < inside.maxX {
                surface.put(TextWidth.truncated(entry.action, to: inside.maxX - actionX), row: y, column: actionX, style: .plain)
            }
        }
        if inside.height >= 1 {
            let footer = TextWidth.truncated(HelpSheet.footer, to: inside.width)
            surface.put(footer, row: inside.maxY - 1, column: inside.x + centered(footer, in: inside.width), style: .dim)
        }
    }

    // MARK: - Pieces

    private func boxedPane(_ box: ScreenRect, title: String, focused: Bool, on surface: inout some CellSurface) {
        surface.drawBox(box, style: focused ? .focusedBorder : .border)
        guard box.width > 6 else { return }
        let text = " " + TextWidth.truncated(title, to: box.width - 6) + " "
        surface.put(text, row: box.y, column: box.x + 2, style: .title)
    }

    private func centered(_ text: String, in width: Int) -> Int {
        max(0, (width - TextWidth.of(text)) / 2)
    }
}
