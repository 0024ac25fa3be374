/// The terminal's size in character cells.
public struct TerminalSize: Sendable, Hashable, CustomStringConvertible {
    public var columns: Int
    public var rows: Int

    public init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
    }

    public var description: String { "\(columns)x\(rows)" }
}

/// A rectangle of character cells, zero-based: `x` is the column, `y` the row.
///
/// Public because the video renderer writes frames into the video rectangles
/// with direct escape sequences (CUP is one-based: add 1 to both).
public struct ScreenRect: Sendable, Hashable, CustomStringConvertible {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public var area: Int { isEmpty ? 0 : width * height }
    public var isEmpty: Bool { width <= 0 || height <= 0 }

    /// Whether `other` lies entirely inside this rectangle.
    public func contains(_ other: ScreenRect) -> Bool {
        !other.isEmpty && other.x >= x && other.y >= y && other.maxX <= maxX && other.maxY <= maxY
    }

    /// Whether the two rectangles share at least one cell.
    public func intersects(_ other: ScreenRect) -> Bool {
        !isEmpty && !other.isEmpty && x < other.maxX && other.x < maxX && y < other.maxY && other.y < maxY
    }

    /// The rectangle shrunk by `amount` cells on every side (the inside of a border).
    public func inset(by amount: Int) -> ScreenRect {
        ScreenRect(x: x + amount, y: y + amount, width: max(0, width - 2 * amount), height: max(0, height - 2 * amount))
    }

    public var description: String { "(\(x),\(y) \(width)x\(height))" }
}
