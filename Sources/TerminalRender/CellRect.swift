/// A rectangle of terminal cells; `x` and `y` are 0-based screen columns and
/// rows (the escape sequences we write are 1-based, the encoder adds one).
public struct CellRect: Sendable, Hashable {
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

    public var isEmpty: Bool { width <= 0 || height <= 0 }
}

/// The size of one cell in screen pixels, which sets the aspect ratio the
/// picture is scaled to. Read it from TIOCGWINSZ (`ws_xpixel / columns`,
/// `ws_ypixel / rows`) when the terminal reports it; otherwise the usual
/// 1:2 is assumed.
public struct CellPixelSize: Sendable, Hashable {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        precondition(width > 0 && height > 0, "a cell has a size")
        self.width = width
        self.height = height
    }

    /// A cell twice as tall as wide, what most terminal fonts give.
    public static let typical = CellPixelSize(width: 8, height: 16)

    /// From a window size as TIOCGWINSZ reports it; `typical` when the
    /// terminal leaves the pixel fields zero.
    public static func fromWindow(columns: Int, rows: Int, pixelWidth: Int, pixelHeight: Int) -> CellPixelSize {
        guard columns > 0, rows > 0, pixelWidth >= columns, pixelHeight >= rows else { return .typical }
        return CellPixelSize(width: pixelWidth / columns, height: pixelHeight / rows)
    }
}

/// How the picture meets a rectangle of another shape.
public enum ScalingMode: Sendable, Hashable, CaseIterable {
    /// Whole picture visible, black bars where the shapes differ.
    case fit
    /// Rectangle filled, the picture's overflow cropped.
    case fill
}
