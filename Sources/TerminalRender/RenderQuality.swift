import Foundation
import Media

/// Measuring what a viewer sees: cells re-rasterised with their glyph's
/// coverage and colours, compared with the source scaled to the same grid.
public enum RenderQuality {
    /// The picture a grid shows, `GlyphCoverage.columns x rows` pixels a cell.
    public static func rasterize(_ grid: CellGrid) -> RGBFrame {
        let cw = GlyphCoverage.columns, ch = GlyphCoverage.rows
        var frame = RGBFrame(width: grid.columns * cw, height: grid.rows * ch)
        for row in 0..<grid.rows {
            for column in 0..<grid.columns {
                let cell = grid[column, row]
                let scalar = grid.symbols.scalar(for: cell.mask)
                let fg = Palette.rgb(of: cell.foreground, mode: grid.colors)
                let bg = Palette.rgb(of: cell.background, mode: grid.colors)
                paint(scalar, fg: fg, bg: bg, column: column, row: row, into: &frame)
            }
        }
        return frame
    }

    static func paint(_ scalar: Unicode.Scalar, fg: UInt32, bg: UInt32, column: Int, row: Int, into frame: inout RGBFrame) {
        let cw = GlyphCoverage.columns, ch = GlyphCoverage.rows
        for y in 0..<ch {
            for x in 0..<cw {
                let c = GlyphCoverage.covers(scalar, x: x, y: y) == true ? fg : bg
                frame[column * cw + x, row * ch + y] = (UInt8(c >> 16 & 0xFF), UInt8(c >> 8 & 0xFF), UInt8(c & 0xFF))
            }
        }
    }

    /// The source as it would look with infinitely fine cells: scaled (same
    /// fit or fill, same letterbox) to the rasterisation grid.
    public static func reference(_ frame: VideoFrame, columns: Int, rows: Int, options: RenderOptions) -> RGBFrame {
        let placement = FramePlacement(
            sourceWidth: frame.width, sourceHeight: frame.height, columns: columns, rows: rows,
            subColumns: GlyphCoverage.columns, subRows: GlyphCoverage.rows,
            cellPixelSize: options.cellPixelSize, scaling: options.scaling)
        var image = SubpixelImage(width: placement.outputWidth, height: placement.outputHeight)
        var scaler = AreaScaler()
        scaler.scale(frame, placement: placement, into: &image)
        return image.frame
    }

    /// Peak signal-to-noise ratio in dB over all channels (infinity when equal).
    public static func psnr(_ a: RGBFrame, _ b: RGBFrame) -> Double {
        precondition(a.width == b.width && a.height == b.height, "PSNR of different sizes")
        var sum = 0
        a.pixels.withUnsafeBufferPointer { pa in
            b.pixels.withUnsafeBufferPointer { pb in
                for i in 0..<pa.count {
                    let d = Int(pa[i]) - Int(pb[i])
                    sum += d * d
                }
            }
        }
        guard sum > 0 else { return .infinity }
        let mse = Double(sum) / Double(a.pixels.count)
        return 10 * log10(255 * 255 / mse)
    }
}
