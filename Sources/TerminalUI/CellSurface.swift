/// How a run of cells should look. Each surface decides the actual look
/// (ncurses attributes and colour pairs, or just a tag in `TextGrid`).
enum CellStyle: Sendable, Hashable {
    case plain
    case border
    /// The border of the pane that takes typing.
    case focusedBorder
    case title
    case selectedRow
    /// The tag next to a user who is calling us or whom we call.
    case ringingTag
    case dim
    case notice
    /// The incoming-call banner: loud on purpose.
    case ringingBanner
    case status
    case statusTrouble
    case selfSender
    case peerSender
    case input
    case helpKey
}

/// What the room screen painter draws on: ncurses' standard screen on a
/// terminal, or an in-memory grid in tests. Coordinates are zero-based cells.
/// Callers clip text to the surface before `put`, so a surface never wraps.
protocol CellSurface {
    var size: TerminalSize { get }
    /// Blanks every cell (ncurses `erase`, not `clear`: no forced full repaint).
    mutating func erase()
    /// Writes `text` (already clipped, no newlines) starting at the cell.
    mutating func put(_ text: String, row: Int, column: Int, style: CellStyle)
    /// Fills the rectangle with blanks in `style`.
    mutating func fill(_ rect: ScreenRect, style: CellStyle)
    /// Draws a single-line border around the edge of `rect`.
    mutating func drawBox(_ rect: ScreenRect, style: CellStyle)
    /// Draws a horizontal rule across a box at `row`, joined to its sides (├──┤).
    mutating func drawRule(across box: ScreenRect, row: Int, style: CellStyle)
}
