/// How video is drawn into cells.
public struct RenderOptions: Sendable, Hashable {
    public var symbols: SymbolSet
    public var colors: ColorMode
    public var scaling: ScalingMode
    /// Ordered (4x4 Bayer) dithering before quantising to a palette; no
    /// effect in truecolor.
    public var dithering: Bool
    public var cellPixelSize: CellPixelSize
    /// Largest per-channel colour difference (truecolor) that counts as the
    /// same colour: a cell that differs from the screen by no more is not
    /// rewritten, and a colour that close to the current SGR colour is drawn
    /// in that colour instead of switching. 0 = exact. The default 8 (of
    /// 255) halves the bytes of a fully moving picture for a loss of about
    /// 0.03 dB PSNR (see BENCHMARKS.md); the error never exceeds it.
    public var tolerance: Int
    /// Wrap each frame's bytes in `ESC 7` ... `ESC 8` (save/restore cursor
    /// and attributes), for writing next to ncurses.
    public var saveAndRestoreCursor: Bool

    public init(symbols: SymbolSet = .halfBlocks, colors: ColorMode = .truecolor, scaling: ScalingMode = .fit,
                dithering: Bool = false, cellPixelSize: CellPixelSize = .typical, tolerance: Int = 8,
                saveAndRestoreCursor: Bool = false) {
        self.symbols = symbols
        self.colors = colors
        self.scaling = scaling
        self.dithering = dithering
        self.cellPixelSize = cellPixelSize
        self.tolerance = tolerance
        self.saveAndRestoreCursor = saveAndRestoreCursor
    }
}
