import Media

/// Pure conversions from the layouts in `CameraPixelFormat` to `I420Frame`.
/// Every one checks sizes first and returns nil rather than read past the
/// data, so an odd driver cannot crash us.
public enum PixelConversion {
    /// Converts one captured image. `bytesPerLine` is the row pitch the
    /// driver reported (0: the tightest pitch for `width`). Nil when the
    /// size is not positive, the pitch is too small, or `data` is too short.
    public static func i420(from data: UnsafeRawBufferPointer, format: CameraPixelFormat,
                            width: Int, height: Int, bytesPerLine: Int = 0) -> I420Frame? {
        guard width > 0, height > 0, width <= 1 << 15, height <= 1 << 15 else { return nil }
        let pitch = bytesPerLine == 0 ? format.minimumBytesPerLine(width: width) : bytesPerLine
        guard pitch >= format.minimumBytesPerLine(width: width),
              data.count >= format.minimumImageSize(width: width, height: height, bytesPerLine: pitch) else { return nil }
        switch format {
        case .yuv420: return planar(data, width: width, height: height, pitch: pitch, uFirst: true)
        case .yvu420: return planar(data, width: width, height: height, pitch: pitch, uFirst: false)
        case .yuyv: return yuyv(data, width: width, height: height, pitch: pitch)
        case .nv12: return nv12(data, width: width, height: height, pitch: pitch)
        case .rgb24: return packedRGB(data, width: width, height: height, pitch: pitch, red: 0, blue: 2)
        case .bgr24: return packedRGB(data, width: width, height: height, pitch: pitch, red: 2, blue: 0)
        }
    }

    /// Array convenience for tests and callers holding bytes.
    public static func i420(from bytes: [UInt8], format: CameraPixelFormat,
                            width: Int, height: Int, bytesPerLine: Int = 0) -> I420Frame? {
        bytes.withUnsafeBytes { i420(from: $0, format: format, width: width, height: height, bytesPerLine: bytesPerLine) }
    }

    /// Rows of `width` bytes at `pitch` apart, starting at `start`.
    private static func copyPlane(_ data: UnsafeRawBufferPointer, start: Int, pitch: Int,
                                  width: Int, rows: Int) -> [UInt8] {
        var plane = [UInt8](repeating: 0, count: width * rows)
        for row in 0..<rows {
            let from = start + row * pitch
            for col in 0..<width { plane[row * width + col] = data[from + col] }
        }
        return plane
    }

    private static func planar(_ data: UnsafeRawBufferPointer, width: Int, height: Int,
                               pitch: Int, uFirst: Bool) -> I420Frame {
        let cw = (width + 1) / 2, ch = (height + 1) / 2, chromaPitch = pitch / 2
        let first = pitch * height, second = first + chromaPitch * ch
        let y = copyPlane(data, start: 0, pitch: pitch, width: width, rows: height)
        let a = copyPlane(data, start: first, pitch: chromaPitch, width: cw, rows: ch)
        let b = copyPlane(data, start: second, pitch: chromaPitch, width: cw, rows: ch)
        return I420Frame(width: width, height: height, y: y, u: uFirst ? a : b, v: uFirst ? b : a)
    }

    /// Packed 4:2:2 to 4:2:0: luma is copied; each I420 chroma sample is the
    /// rounded mean of the two vertically adjacent 4:2:2 samples (the last
    /// row alone when the height is odd). A macropixel Y0 U Y1 V covers two
    /// pixels; with an odd width the last one's Y1 is padding.
    private static func yuyv(_ data: UnsafeRawBufferPointer, width: Int, height: Int, pitch: Int) -> I420Frame {
        let cw = (width + 1) / 2, ch = (height + 1) / 2
        var y = [UInt8](repeating: 0, count: width * height)
        var u = [UInt8](repeating: 0, count: cw * ch)
        var v = [UInt8](repeating: 0, count: cw * ch)
        for row in 0..<height {
            let base = row * pitch
            for col in 0..<width { y[row * width + col] = data[base + (col / 2) * 4 + (col & 1) * 2] }
        }
        for crow in 0..<ch {
            let top = 2 * crow * pitch, bottom = min(2 * crow + 1, height - 1) * pitch
            for ccol in 0..<cw {
                let m = ccol * 4
                u[crow * cw + ccol] = UInt8((Int(data[top + m + 1]) + Int(data[bottom + m + 1]) + 1) >> 1)
                v[crow * cw + ccol] = UInt8((Int(data[top + m + 3]) + Int(data[bottom + m + 3]) + 1) >> 1)
            }
        }
        return I420Frame(width: width, height: height, y: y, u: u, v: v)
    }

    /// NV12: the luma plane, then one plane of U V pairs at the same pitch.
    private static func nv12(_ data: UnsafeRawBufferPointer, width: Int, height: Int, pitch: Int) -> I420Frame {
        let cw = (width + 1) / 2, ch = (height + 1) / 2
        let y = copyPlane(data, start: 0, pitch: pitch, width: width, rows: height)
        var u = [UInt8](repeating: 0, count: cw * ch)
        var v = [UInt8](repeating: 0, count: cw * ch)
        let start = pitch * height
        for crow in 0..<ch {
            let base = start + crow * pitch
            for ccol in 0..<cw {
                u[crow * cw + ccol] = data[base + 2 * ccol]
                v[crow * cw + ccol] = data[base + 2 * ccol + 1]
            }
        }
        return I420Frame(width: width, height: height, y: y, u: u, v: v)
    }

    /// Packed 24-bit RGB, through Media's `I420Frame(RGBFrame)` (the same
    /// BT.601 maths as the rest of the project).
    private static func packedRGB(_ data: UnsafeRawBufferPointer, width: Int, height: Int,
                                  pitch: Int, red: Int, blue: Int) -> I420Frame {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for row in 0..<height {
            for col in 0..<width {
                let from = row * pitch + col * 3, to = (row * width + col) * 3
                pixels[to] = data[from + red]
                pixels[to + 1] = data[from + 1]
                pixels[to + 2] = data[from + blue]
            }
        }
        return I420Frame(RGBFrame(width: width, height: height, pixels: pixels))
    }
}
