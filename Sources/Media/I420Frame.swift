/// A planar YUV 4:2:0 frame (BT.601, limited range), the format VP8 decodes to
/// and cameras deliver: a full-size luma plane and two chroma planes of
/// `(width + 1) / 2` by `(height + 1) / 2`.
public struct I420Frame: Sendable, Hashable {
    public let width: Int
    public let height: Int
    public var y: [UInt8]
    public var u: [UInt8]
    public var v: [UInt8]

    public var chromaWidth: Int { (width + 1) / 2 }
    public var chromaHeight: Int { (height + 1) / 2 }

    public init(width: Int, height: Int, y: [UInt8], u: [UInt8], v: [UInt8]) {
        precondition(width > 0 && height > 0, "empty frame")
        let chroma = ((width + 1) / 2) * ((height + 1) / 2)
        precondition(y.count == width * height && u.count == chroma && v.count == chroma, "plane sizes do not match")
        self.width = width
        self.height = height
        self.y = y
        self.u = u
        self.v = v
    }

    /// Converts RGB to I420; each chroma sample is the mean of its 2x2 block.
    public init(_ rgb: RGBFrame) {
        let w = rgb.width, h = rgb.height
        let cw = (w + 1) / 2, ch = (h + 1) / 2
        var yPlane = [UInt8](repeating: 0, count: w * h)
        var uPlane = [UInt8](repeating: 128, count: cw * ch)
        var vPlane = [UInt8](repeating: 128, count: cw * ch)
        // Through buffer pointers: array subscripts on the captured planes cost a uniqueness
        // check per write, which made this a sixth of a 30 fps sender's CPU (BENCHMARKS.md).
        rgb.pixels.withUnsafeBufferPointer { p in
            yPlane.withUnsafeMutableBufferPointer { yOut in
                for row in 0..<h {
                    for col in 0..<w {
                        let i = (row * w + col) * 3
                        yOut[row * w + col] = YUV.luma(Int(p[i]), Int(p[i + 1]), Int(p[i + 2]))
                    }
                }
            }
            uPlane.withUnsafeMutableBufferPointer { uOut in
                vPlane.withUnsafeMutableBufferPointer { vOut in
                    for crow in 0..<ch {
                        for ccol in 0..<cw {
                            if crow * 2 + 1 < h && ccol * 2 + 1 < w {
                                // A whole 2x2 block (all but an odd last row or column): n is 4,
                                // so no loops and no division by a variable.
                                let i = (crow * 2 * w + ccol * 2) * 3, j = i + w * 3
                                let r = Int(p[i]) + Int(p[i + 3]) + Int(p[j]) + Int(p[j + 3])
                                let g = Int(p[i + 1]) + Int(p[i + 4]) + Int(p[j + 1]) + Int(p[j + 4])
                                let b = Int(p[i + 2]) + Int(p[i + 5]) + Int(p[j + 2]) + Int(p[j + 5])
                                let (cu, cv) = YUV.chroma((r + 2) / 4, (g + 2) / 4, (b + 2) / 4)
                                uOut[crow * cw + ccol] = cu
                                vOut[crow * cw + ccol] = cv
                                continue
                            }
                            var r = 0, g = 0, b = 0, n = 0
                            for row in (crow * 2)..<min(h, crow * 2 + 2) {
                                for col in (ccol * 2)..<min(w, ccol * 2 + 2) {
                                    let i = (row * w + col) * 3
                                    r += Int(p[i]); g += Int(p[i + 1]); b += Int(p[i + 2]); n += 1
                                }
                            }
                            let (cu, cv) = YUV.chroma((r + n / 2) / n, (g + n / 2) / n, (b + n / 2) / n)
                            uOut[crow * cw + ccol] = cu
                            vOut[crow * cw + ccol] = cv
                        }
                    }
                }
            }
        }
        self.init(width: w, height: h, y: yPlane, u: uPlane, v: vPlane)
    }

    /// Converts to RGB (each chroma sample covers its 2x2 block).
    public func rgb() -> RGBFrame {
        var out = [UInt8](repeating: 0, count: width * height * 3)
        let cw = chromaWidth
        for row in 0..<height {
            for col in 0..<width {
                let c = (row / 2) * cw + col / 2
                let (r, g, b) = YUV.rgb(Int(y[row * width + col]), Int(u[c]), Int(v[c]))
                let i = (row * width + col) * 3
                out[i] = r; out[i + 1] = g; out[i + 2] = b
            }
        }
        return RGBFrame(width: width, height: height, pixels: out)
    }
}

/// BT.601 limited-range conversions in 8-bit fixed point.
public enum YUV {
    @inline(__always)
    public static func luma(_ r: Int, _ g: Int, _ b: Int) -> UInt8 {
        UInt8(clamping: 16 + ((66 * r + 129 * g + 25 * b + 128) >> 8))
    }

    @inline(__always)
    public static func chroma(_ r: Int, _ g: Int, _ b: Int) -> (u: UInt8, v: UInt8) {
        (UInt8(clamping: 128 + ((-38 * r - 74 * g + 112 * b + 128) >> 8)),
         UInt8(clamping: 128 + ((112 * r - 94 * g - 18 * b + 128) >> 8)))
    }

    @inline(__always)
    public static func rgb(_ y: Int, _ u: Int, _ v: Int) -> (UInt8, UInt8, UInt8) {
        let c = 298 * (y - 16) + 128, d = u - 128, e = v - 128
        return (UInt8(clamping: (c + 409 * e) >> 8),
                UInt8(clamping: (c - 100 * d - 208 * e) >> 8),
                UInt8(clamping: (c + 516 * d) >> 8))
    }
}
