/// A line of status text over the video (the peer's name, "reconnecting",
/// the frame rate), drawn by the writer in the same synchronized update as
/// the picture: the cells under it are left out of the picture, so video
/// never overwrites it, and once it is gone they get the picture back.
public struct VideoOverlay: Sendable, Hashable {
    /// Which line of the rectangle, counted from its top or bottom edge; the
    /// text starts one cell in from the left edge.
    public enum Placement: Sendable, Hashable {
        case top(Int)
        case bottom(Int)

        public static let topLeft = Placement.top(0)
        public static let bottomLeft = Placement.bottom(0)
    }

    /// One line of printable text; control characters are replaced.
    public var text: String
    /// The columns `text` takes on the terminal (the caller measures it:
    /// wide characters and emoji take two).
    public var width: Int
    public var placement: Placement

    public init(text: String, width: Int, placement: Placement = .topLeft) {
        self.text = String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
        self.width = width
        self.placement = placement
    }

    /// Where the overlay sits in a rectangle of `columns` x `rows` cells: one
    /// cell in from the left edge, nil when it does not fit.
    func span(columns: Int, rows: Int) -> (row: Int, columns: Range<Int>)? {
        let start = columns > width + 1 ? 1 : 0
        let row = switch placement {
        case .top(let line): line
        case .bottom(let line): rows - 1 - line
        }
        guard width > 0, (0..<rows).contains(row), start + width <= columns else { return nil }
        return (row, start..<(start + width))
    }
}
