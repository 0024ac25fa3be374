import Media

/// Frame to cells: area-average the frame onto the symbol set's sub-pixel
/// grid, then pick each cell's symbol and two colours.
public struct CellFitter {
    private var scaler = AreaScaler()
    private var image = SubpixelImage(width: 0, height: 0)

    public init() {}

    /// The cells showing `frame` in a `columns x rows` rectangle.
    public mutating func fit(_ frame: VideoFrame, columns: Int, rows: Int, options: RenderOptions) -> CellGrid {
        var grid = CellGrid(columns: columns, rows: rows, symbols: options.symbols, colors: options.colors)
        fit(frame, into: &grid, options: options)
        return grid
    }

    mutating func fit(_ frame: VideoFrame, into grid: inout CellGrid, options: RenderOptions) {
        let symbols = options.symbols
        let placement = FramePlacement(
            sourceWidth: frame.width, sourceHeight: frame.height, columns: grid.columns, rows: grid.rows,
            subColumns: symbols.columns, subRows: symbols.rows,
            cellPixelSize: options.cellPixelSize, scaling: options.scaling)
        if image.width != placement.outputWidth || image.height != placement.outputHeight {
            image = SubpixelImage(width: placement.outputWidth, height: placement.outputHeight)
        }
        scaler.scale(frame, placement: placement, into: &image)
        if symbols == .halfBlocks {
            HalfBlockFitter.fit(image, into: &grid, dithering: options.dithering)
        } else {
            MaskFitter.fit(image, into: &grid, dithering: options.dithering)
        }
    }
}
