import Media

/// Draws video frames into a rectangle of the terminal and remembers what it
/// drew, so each frame writes only what changed.
///
/// ```swift
/// var video = TerminalVideoWriter(options: RenderOptions(colors: .detect(environment: env)))
/// let bytes = video.render(frame, in: rect)   // write(2) these in one call
/// video.invalidate()                          // after a resize or Ctrl-L
/// ```
///
/// Pure: no I/O, no terminal state beyond what the bytes it returned did.
/// A change of rectangle or options repaints everything (clearing an area the
/// rectangle left is the caller's job). Next to ncurses, set
/// `saveAndRestoreCursor` and write the bytes only after ncurses flushed.
public struct TerminalVideoWriter {
    public var options: RenderOptions
    private var fitter = CellFitter()
    private var grid: CellGrid?
    private var screen: CellGrid?
    private var screenRect: CellRect?
    private var screenOptions: RenderOptions?
    private var encoder: FrameEncoder?
    /// The overlays on screen, nil when unknown (nothing drawn yet, or invalidated).
    private var drawnOverlays: [VideoOverlay]?

    public init(options: RenderOptions = RenderOptions()) {
        self.options = options
    }

    /// What the rectangle shows after the last `render`, nil before one or
    /// after `invalidate()`. Cells under an overlay hold no picture.
    public var shownCells: CellGrid? { screen }

    /// Forget what is on screen: the next frame is written whole.
    public mutating func invalidate() {
        screen = nil
    }

    /// The bytes that show `frame` in `rect` with `overlays` on top; empty when nothing changed.
    public mutating func render(_ frame: VideoFrame, in rect: CellRect, overlays: [VideoOverlay] = []) -> [UInt8] {
        var out: [UInt8] = []
        render(frame, in: rect, overlays: overlays, appendingTo: &out)
        return out
    }

    /// Appends the bytes that show `frame` in `rect`, with `overlays` on top,
    /// to `out` (reuse one buffer across frames to avoid an allocation per frame).
    public mutating func render(_ frame: VideoFrame, in rect: CellRect, overlays: [VideoOverlay] = [],
                                appendingTo out: inout [UInt8]) {
        guard !rect.isEmpty else { return }
        if rect != screenRect || options != screenOptions {
            screen = nil
            screenRect = rect
            screenOptions = options
        }
        if grid == nil || grid!.columns != rect.width || grid!.rows != rect.height
            || grid!.symbols != options.symbols || grid!.colors != options.colors {
            grid = CellGrid(columns: rect.width, rows: rect.height, symbols: options.symbols, colors: options.colors)
        }
        fitter.fit(frame, into: &grid!, options: options)
        if encoder == nil || encoder!.symbols != options.symbols || encoder!.mode != options.colors
            || encoder!.tolerance != options.tolerance || encoder!.saveAndRestoreCursor != options.saveAndRestoreCursor {
            encoder = FrameEncoder(symbols: options.symbols, mode: options.colors, tolerance: options.tolerance,
                                   saveAndRestoreCursor: options.saveAndRestoreCursor)
        }
        if out.capacity - out.count < rect.width * rect.height * 8 {
            out.reserveCapacity(out.count + rect.width * rect.height * 8)
        }
        // A repaint writes the picture whole, overlays included.
        if screen == nil { drawnOverlays = nil }
        encoder!.encode(grid!, at: (rect.x, rect.y), over: &screen, overlays: overlays,
                        drawOverlays: drawnOverlays != overlays, into: &out)
        drawnOverlays = overlays
    }
}
