/// An in-memory `CellSurface`: the screen as text plus a style per cell.
///
/// Lets tests assert what the room screen shows (and how) without a terminal.
/// A wide character fills its cell and leaves the next cell empty (""), as a
/// terminal does.
struct TextGrid: CellSurface {
    struct Cell: Equatable {
        var text: String = " "
        var style: CellStyle = .plain
    }

    let size: TerminalSize
    private(set) var cells: [[Cell]]

    init(size: TerminalSize) {
        self.size = size
        cells = Array(repeating: Array(repeating: Cell(), count: max(0, size.columns)), count: max(0, size.rows))
    }

    mutating func erase() {
        for row in cells.indices {
            for column in cells[row].indices { cells[row][column] = Cell() }
        }
    }

    mutating func put(_ text: String, row: Int, column: Int, style: CellStyle) {
        guard cells.indices.contains(row) else { return }
        var x = column
        for character in text {
            let width = TextWidth.of(character)
            guard x >= 0, x + max(width, 1) <= size.columns else { break }
            if width == 0 {
                // A lone combining character joins the cell before it.
                if x > 0 { cells[row][x - 1].text.append(character) }
                continue
            }
            cells[row][x] = Cell(text: String(character), style: style)
            if width == 2 { cells[row][x + 1] = Cell(text: "", style: style) }
            x += width
        }
    }

    mutating func fill(_ rect: ScreenRect, style: CellStyle) {
        for y in rect.y..<rect.maxY where cells.indices.contains(y) {
            for x in rect.x..<rect.maxX where cells[y].indices.contains(x) {
                cells[y][x] = Cell(text: " ", style: style)
            }
        }
    }

    mutating func drawBox(_ rect: ScreenRect, style: CellStyle) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        let horizontal = String(repeating: "─", count: rect.width - 2)
        put("┌" + horizontal + "┐", row: rect.y, column: rect.x, style: style)
        put("└" + horizontal + "┘", row: rect.maxY - 1, column: rect.x, style: style)
        for y in (rect.y + 1)..<(rect.maxY - 1) {
            put("│", row: y, column: rect.x, style: style)
            put("│", row: y, column: rect.maxX - 1, style: style)
        }
    }

    mutating func drawRule(across box: ScreenRect, row: Int, style: CellStyle) {
        guard box.width >= 2 else { return }
        put("├" + String(repeating: "─", count: box.width - 2) + "┤", row: row, column: box.x, style: style)
    }

    /// One row as text, wide characters once, trailing blanks kept.
    func line(_ row: Int) -> String {
        cells[row].map(\.text).joined()
    }

    /// The whole screen, one line per row.
    var text: String {
        cells.indices.map(line).joined(separator: "\n")
    }

    /// The style of the first cell of the first occurrence of `needle`, if shown.
    func style(of needle: String) -> CellStyle? {
        for row in cells.indices {
            let line = line(row)
            guard let range = line.firstRange(of: needle) else { continue }
            // Map the character offset back to a cell index (wide cells hold "").
            var offset = line.distance(from: line.startIndex, to: range.lowerBound)
            for cell in cells[row] {
                if offset == 0, !cell.text.isEmpty { return cell.style }
                offset -= cell.text.count
            }
        }
        return nil
    }
}
