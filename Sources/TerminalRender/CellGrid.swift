/// One cell's look: a symbol (a coverage mask of its `SymbolSet`) in a
/// foreground and a background colour. Colours are codes of the grid's
/// `ColorMode`: `0xRRGGBB` in truecolor, palette indices otherwise.
///
/// Cells are kept canonical so that cells that look the same compare equal:
/// a one-colour cell is mask 0 with `foreground == background`; where every
/// mask has a character, the mask never covers sub-pixel 0 (the complement
/// with swapped colours is used instead).
public struct TerminalCell: Sendable, Hashable {
    public var mask: UInt8
    public var foreground: UInt32
    public var background: UInt32

    public init(mask: UInt8, foreground: UInt32, background: UInt32) {
        self.mask = mask
        self.foreground = foreground
        self.background = background
    }

    /// What the screen record holds where the writer does not know what is
    /// shown (under an overlay): no real cell has this mask, so it never
    /// looks the same as one.
    static let unknown = TerminalCell(mask: 0xFF, foreground: 0, background: 0)

    /// The canonical cell showing `mask` in `foreground` over `background`.
    static func canonical(mask: UInt8, foreground: UInt32, background: UInt32, symbols: SymbolSet) -> TerminalCell {
        if mask == 0 || foreground == background {
            return TerminalCell(mask: 0, foreground: background, background: background)
        }
        if symbols.hasEveryMask {
            let full = symbols.fullMask
            if mask == full { return TerminalCell(mask: 0, foreground: foreground, background: foreground) }
            if mask & 1 != 0 {
                return TerminalCell(mask: ~mask & full, foreground: background, background: foreground)
            }
        }
        return TerminalCell(mask: mask, foreground: foreground, background: background)
    }
}

/// The cells of a video rectangle, row by row.
public struct CellGrid: Sendable, Hashable {
    public let columns: Int
    public let rows: Int
    public let symbols: SymbolSet
    public let colors: ColorMode
    public var cells: [TerminalCell]

    public init(columns: Int, rows: Int, symbols: SymbolSet, colors: ColorMode) {
        self.columns = columns
        self.rows = rows
        self.symbols = symbols
        self.colors = colors
        cells = [TerminalCell](repeating: TerminalCell(mask: 0, foreground: 0, background: 0), count: columns * rows)
    }

    public subscript(column: Int, row: Int) -> TerminalCell {
        get { cells[row * columns + column] }
        set { cells[row * columns + column] = newValue }
    }
}
