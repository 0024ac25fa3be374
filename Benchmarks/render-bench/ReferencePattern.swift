import Foundation
import Media

/// The test pattern as first written (commit 30502ac, `TestPatternSource`):
/// drawn in RGB with a `cos` per zone-plate pixel, then converted with
/// `I420Frame(RGBFrame)`. Kept here, and only here, as the anchor the
/// pattern's cost is measured against in the same run (`--pattern`).
struct ReferencePattern {
    let width: Int
    let height: Int

    func frame(number: UInt32, captureMilliseconds: UInt64) -> I420Frame {
        I420Frame(rgbFrame(number: number, captureMilliseconds: captureMilliseconds))
    }

    func rgbFrame(number: UInt32, captureMilliseconds: UInt64) -> RGBFrame {
        var frame = RGBFrame(width: width, height: height)
        let band = FrameStampCode.bandHeight(frameHeight: height)
        let midX = width / 2, midY = band + (height - band) / 2
        let t = Double(number)
        drawColorBars(&frame, x: 0, y: band, width: midX, height: midY - band, shift: Int(number) * 3)
        drawZonePlate(&frame, x: midX, y: band, width: width - midX, height: midY - band, phase: t * 0.35)
        drawGradient(&frame, x: 0, y: midY, width: midX, height: height - midY, time: t)
        drawClock(&frame, x: midX, y: midY, width: width - midX, height: height - midY,
                  number: number, milliseconds: captureMilliseconds)
        FrameStampCode.draw(FrameStamp(frameNumber: number, captureMilliseconds: UInt32(truncatingIfNeeded: captureMilliseconds)),
                            into: &frame)
        return frame
    }

    private func drawColorBars(_ f: inout RGBFrame, x: Int, y: Int, width w: Int, height h: Int, shift: Int) {
        let bars: [(UInt8, UInt8, UInt8)] = [(192, 192, 192), (192, 192, 0), (0, 192, 192), (0, 192, 0),
                                             (192, 0, 192), (192, 0, 0), (0, 0, 192)]
        let barWidth = max(1, w / bars.count)
        for column in 0..<w {
            let color = bars[((column + shift) / barWidth) % bars.count]
            f.fill(x: x + column, y: y, width: 1, height: h * 3 / 4, color: color)
        }
        // A black-to-white ramp under the bars for the greys.
        for column in 0..<w {
            let v = UInt8(column * 255 / max(1, w - 1))
            f.fill(x: x + column, y: y + h * 3 / 4, width: 1, height: h - h * 3 / 4, color: (v, v, v))
        }
    }

    private func drawZonePlate(_ f: inout RGBFrame, x: Int, y: Int, width w: Int, height h: Int, phase: Double) {
        let cx = Double(w) / 2, cy = Double(h) / 2
        let radius = (cx * cx + cy * cy).squareRoot()
        // Ring frequency rises linearly with radius, reaching half a cycle
        // per pixel (the finest a grid can hold) at the corners.
        let k = Double.pi / (2 * radius)
        // Written through the buffer, with the per-row blue hoisted: the sender draws this at the
        // frame rate (30 fps at 640x480 is about 2 million pixels a second), so per-pixel
        // subscripts and a sin per pixel cost a good part of a core. Same pixels as before.
        let stride = f.width
        f.pixels.withUnsafeMutableBufferPointer { p in
            for row in 0..<h {
                let blue = UInt8(64 + 64 * sin(Double(row) * 0.05 + phase))
                let dy = Double(row) - cy
                var i = ((y + row) * stride + x) * 3
                for column in 0..<w {
                    let dx = Double(column) - cx
                    let v = cos(k * (dx * dx + dy * dy) - phase)
                    p[i] = UInt8(127.5 + 127.5 * v)
                    p[i + 1] = UInt8(127.5 - 100 * v)
                    p[i + 2] = blue
                    i += 3
                }
            }
        }
    }

    private func drawGradient(_ f: inout RGBFrame, x: Int, y: Int, width w: Int, height h: Int, time: Double) {
        let discs = [(cx: 0.3 + 0.2 * sin(time * 0.07), cy: 0.5 + 0.3 * cos(time * 0.05), r: 0.22, color: (1.0, 0.95, 0.8)),
                     (cx: 0.7 + 0.2 * cos(time * 0.04), cy: 0.4 + 0.3 * sin(time * 0.06), r: 0.15, color: (0.1, 0.1, 0.3))]
        // The hue depends on the column only: once per column, not per pixel (same values).
        let hues = (0..<w).map { column in
            hueToRGB((Double(column) / Double(w) + time * 0.004).truncatingRemainder(dividingBy: 1))
        }
        let stride = f.width
        f.pixels.withUnsafeMutableBufferPointer { p in
            for row in 0..<h {
                let v = 1 - 0.6 * Double(row) / Double(h)
                var i = ((y + row) * stride + x) * 3
                for column in 0..<w {
                    var (r, g, b) = hues[column]
                    r *= v; g *= v; b *= v
                    for disc in discs {
                        let dx = (Double(column) / Double(w) - disc.cx), dy = (Double(row) / Double(h) - disc.cy)
                        // Clearly outside the disc its weight is exactly 0 and the pixel unchanged:
                        // skip the square root (most pixels).
                        if abs(dx) > disc.r * 1.01 || abs(dy) > disc.r * 1.01 { continue }
                        let d = (dx * dx + dy * dy).squareRoot()
                        // Soft edge a few pixels wide.
                        let a = max(0, min(1, (disc.r - d) * Double(w) / 6))
                        r = r * (1 - a) + disc.color.0 * a; g = g * (1 - a) + disc.color.1 * a; b = b * (1 - a) + disc.color.2 * a
                    }
                    p[i] = UInt8(r * 255)
                    p[i + 1] = UInt8(g * 255)
                    p[i + 2] = UInt8(b * 255)
                    i += 3
                }
            }
        }
    }

    private func drawClock(_ f: inout RGBFrame, x: Int, y: Int, width w: Int, height h: Int, number: UInt32, milliseconds: UInt64) {
        let square = max(2, h / 12)
        let shift = Int(number) % (2 * square)
        let stride = f.width
        f.pixels.withUnsafeMutableBufferPointer { p in
            for row in 0..<h {
                var i = ((y + row) * stride + x) * 3
                for column in 0..<w {
                    let dark = ((column + shift) / square + row / square) % 2 == 0
                    let v: UInt8 = dark ? 24 : 56
                    p[i] = v
                    p[i + 1] = v
                    p[i + 2] = v + 16
                    i += 3
                }
            }
        }
        let ms = milliseconds % 86_400_000
        let clock = String(format: "%02d:%02d:%02d.%03d", Int(ms / 3_600_000), Int(ms / 60_000 % 60),
                           Int(ms / 1000 % 60), Int(ms % 1000))
        let counter = "#\(number)"
        let scale = max(1, min(w / (DigitFont.width(of: clock, scale: 1) + 4), h / 14))
        DigitFont.forEachSquare(clock, x: x + (w - DigitFont.width(of: clock, scale: scale)) / 2, y: y + h / 2 - 6 * scale,
                                scale: scale) { f.fill(x: $0, y: $1, width: scale, height: scale, color: (255, 255, 255)) }
        DigitFont.forEachSquare(counter, x: x + (w - DigitFont.width(of: counter, scale: scale)) / 2, y: y + h / 2 + scale,
                                scale: scale) { f.fill(x: $0, y: $1, width: scale, height: scale, color: (255, 220, 0)) }
    }

    func hueToRGB(_ h: Double) -> (Double, Double, Double) {
        let x = h * 6
        let r = max(0, min(1, abs(x - 3) - 1)), g = max(0, min(1, 2 - abs(x - 2))), b = max(0, min(1, 2 - abs(x - 4)))
        return (r, g, b)
    }
}
