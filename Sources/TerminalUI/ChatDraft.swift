/// The chat line being typed, with a cursor between grapheme clusters.
///
/// Kept as the text before and after the cursor so that every edit works on
/// whole Characters (a combining accent joins the letter before it; Backspace
/// removes an emoji sequence as one).
public struct ChatDraft: Sendable, Equatable {
    public private(set) var beforeCursor: String = ""
    public private(set) var afterCursor: String = ""

    /// One chat message goes out as one data-channel message; keep it bounded.
    public static let maximumScalars = 1000

    public init(text: String = "") {
        beforeCursor = text
    }

    public var text: String { beforeCursor + afterCursor }
    public var isEmpty: Bool { beforeCursor.isEmpty && afterCursor.isEmpty }

    /// Inserts at the cursor; false when the draft is full.
    mutating func insert(_ scalar: Unicode.Scalar) -> Bool {
        guard beforeCursor.unicodeScalars.count + afterCursor.unicodeScalars.count < Self.maximumScalars else {
            return false
        }
        beforeCursor.unicodeScalars.append(scalar)
        return true
    }

    /// Deletes the Character before the cursor; false when there is none.
    mutating func deleteBackward() -> Bool {
        guard !beforeCursor.isEmpty else { return false }
        beforeCursor.removeLast()
        return true
    }

    /// Deletes the Character after the cursor; false when there is none.
    mutating func deleteForward() -> Bool {
        guard !afterCursor.isEmpty else { return false }
        afterCursor.removeFirst()
        return true
    }

    mutating func moveLeft() -> Bool {
        guard let last = beforeCursor.popLast() else { return false }
        afterCursor.insert(last, at: afterCursor.startIndex)
        return true
    }

    mutating func moveRight() -> Bool {
        guard !afterCursor.isEmpty else { return false }
        beforeCursor.append(afterCursor.removeFirst())
        return true
    }

    mutating func moveToStart() -> Bool {
        guard !beforeCursor.isEmpty else { return false }
        afterCursor = beforeCursor + afterCursor
        beforeCursor = ""
        return true
    }

    mutating func moveToEnd() -> Bool {
        guard !afterCursor.isEmpty else { return false }
        beforeCursor += afterCursor
        afterCursor = ""
        return true
    }

    /// Ctrl-U: deletes everything before the cursor.
    mutating func deleteToStart() -> Bool {
        guard !beforeCursor.isEmpty else { return false }
        beforeCursor = ""
        return true
    }

    mutating func clear() {
        beforeCursor = ""
        afterCursor = ""
    }
}
