/// The help overlay's content and how it folds into columns.
enum HelpSheet {
    struct Entry: Equatable {
        var keys: String
        var action: String
    }

    static let entries: [Entry] = [
        Entry(keys: "↑ k", action: "previous user"),
        Entry(keys: "↓ j", action: "next user"),
        Entry(keys: "Enter", action: "call selected"),
        Entry(keys: "y", action: "accept call"),
        Entry(keys: "n", action: "reject call"),
        Entry(keys: "h", action: "hang up"),
        Entry(keys: "Tab i /", action: "type chat"),
        Entry(keys: "Enter", action: "send (typing)"),
        Entry(keys: "Esc", action: "stop typing/close"),
        Entry(keys: "PgUp/Dn", action: "scroll chat"),
        Entry(keys: "Ctrl-L", action: "redraw"),
        Entry(keys: "r", action: "video symbols"),
        Entry(keys: "R", action: "video colours"),
        Entry(keys: "f", action: "fit/fill video"),
        Entry(keys: "s", action: "stats overlay"),
        Entry(keys: "v", action: "video on/off"),
        Entry(keys: "m", action: "mute/unmute"),
        Entry(keys: "c", action: "next video source"),
        Entry(keys: "b", action: "bitrate cap"),
        Entry(keys: "p", action: "snapshot to file"),
        Entry(keys: "?", action: "this help"),
        Entry(keys: "q", action: "quit"),
    ]

    static let footer = "? or Esc closes"

    static let keysWidth = entries.map { TextWidth.of($0.keys) }.max() ?? 0
    static let columnWidth = keysWidth + 2 + (entries.map { TextWidth.of($0.action) }.max() ?? 0)
    static let columnGap = 2

    /// How many columns of entries fit in `width` cells (at least one).
    static func columnCount(width: Int) -> Int {
        max(1, min(3, (width + columnGap) / (columnWidth + columnGap)))
    }

    /// Rows the overlay's inside needs at `width`: entries, a blank row, the footer.
    static func rowsNeeded(width: Int) -> Int {
        let columns = columnCount(width: width)
        return (entries.count + columns - 1) / columns + 2
    }
}
