@testable import Camera
import Media

/// Encodes an I420 frame into a camera layout, so the fake device can send
/// a known picture. For 4:2:0 sources YUYV repeats each chroma row twice, so
/// YUYV -> I420 (which averages the two) gives the original back exactly.
enum TestEncoding {
    static func fullImageSize(_ format: CameraPixelFormat, width: Int, height: Int, bytesPerLine: Int) -> Int {
        let ch = (height + 1) / 2
        switch format {
        case .yuv420, .yvu420: return bytesPerLine * height + 2 * (bytesPerLine / 2) * ch
        case .nv12: return bytesPerLine * height + bytesPerLine * ch
        case .yuyv, .rgb24, .bgr24: return bytesPerLine * height
        }
    }

    static func encode(_ frame: I420Frame, as format: CameraPixelFormat, bytesPerLine: Int = 0) -> [UInt8] {
        let w = frame.width, h = frame.height, cw = frame.chromaWidth, ch = frame.chromaHeight
        let pitch = bytesPerLine == 0 ? format.minimumBytesPerLine(width: w) : bytesPerLine
        var out = [UInt8](repeating: 0, count: fullImageSize(format, width: w, height: h, bytesPerLine: pitch))
        func plane(_ source: [UInt8], width: Int, rows: Int, at start: Int, pitch: Int) {
            for row in 0..<rows { for col in 0..<width { out[start + row * pitch + col] = source[row * width + col] } }
        }
        switch format {
        case .yuv420, .yvu420:
            plane(frame.y, width: w, rows: h, at: 0, pitch: pitch)
            let (first, second) = format == .yuv420 ? (frame.u, frame.v) : (frame.v, frame.u)
            plane(first, width: cw, rows: ch, at: pitch * h, pitch: pitch / 2)
            plane(second, width: cw, rows: ch, at: pitch * h + (pitch / 2) * ch, pitch: pitch / 2)
        case .nv12:
            plane(frame.y, width: w, rows: h, at: 0, pitch: pitch)
            for row in 0..<ch {
                for col in 0..<cw {
                    out[pitch * h + row * pitch + 2 * col] = frame.u[row * cw + col]
                    out[pitch * h + row * pitch + 2 * col + 1] = frame.v[row * cw + col]
                }
            }
        case .yuyv:
            for row in 0..<h {
                for col in 0..<cw {
                    let at = row * pitch + 4 * col, c = (row / 2) * cw + col
                    out[at] = frame.y[row * w + 2 * col]
                    out[at + 1] = frame.u[c]
                    out[at + 2] = 2 * col + 1 < w ? frame.y[row * w + 2 * col + 1] : 0
                    out[at + 3] = frame.v[c]
                }
            }
        case .rgb24, .bgr24:
            let rgb = frame.rgb().pixels
            for row in 0..<h {
                for col in 0..<w {
                    let from = (row * w + col) * 3, to = row * pitch + col * 3
                    out[to] = rgb[from + (format == .rgb24 ? 0 : 2)]
                    out[to + 1] = rgb[from + 1]
                    out[to + 2] = rgb[from + (format == .rgb24 ? 2 : 0)]
                }
            }
        }
        return out
    }
}
