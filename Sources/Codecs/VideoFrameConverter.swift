import Media

/// Brings frames from any source to one fixed size (the encoder's), so a
/// camera or file switch needs no renegotiation and no encoder restart.
/// Resampling is separable: each output pixel averages the source pixels its
/// footprint covers (a box as wide as the scale factor, at least one pixel,
/// which is linear interpolation when enlarging). The TerminalRender
/// AreaScaler does the same for RGB cell grids; this one stays in I420.
public struct VideoFrameConverter: Sendable, Hashable {
    /// How a picture of another aspect ratio is placed.
    public enum Scaling: Sendable, Hashable {
        /// Fill the output, distorting the aspect ratio.
        case stretch
        /// The whole picture, centred, with black bars.
        case fit
        /// Fill the output, cropping the picture's edges.
        case fill
    }

    public let width: Int
    public let height: Int
    public let scaling: Scaling

    public init(width: Int, height: Int, scaling: Scaling = .fit) {
        precondition(width > 0 && height > 0, "empty output size")
        self.width = width
        self.height = height
        self.scaling = scaling
    }

    /// The frame at the output size (the frame itself when it already is).
    public func convert(_ frame: VideoFrame) -> I420Frame {
        switch frame {
        case .i420(let f): convert(f)
        case .rgb(let f): convert(I420Frame(f))
        }
    }

    public func convert(_ frame: I420Frame) -> I420Frame {
        if frame.width == width && frame.height == height { return frame }
        // Where the picture lands in the output and which part of the source
        // it shows, in luma pixels. Output rectangles are kept even so the
        // chroma planes line up with luma.
        var target = (x: 0, y: 0, width: width, height: height)
        var source = (x: 0.0, y: 0.0, width: Double(frame.width), height: Double(frame.height))
        let sx = Double(width) / Double(frame.width), sy = Double(height) / Double(frame.height)
        switch scaling {
        case .stretch:
            break
        case .fit:
            let scale = min(sx, sy)
            let w = min(width, max(2, Int((Double(frame.width) * scale).rounded()) & ~1))
            let h = min(height, max(2, Int((Double(frame.height) * scale).rounded()) & ~1))
            target = (((width - w) / 2) & ~1, ((height - h) / 2) & ~1, w, h)
        case .fill:
            let scale = max(sx, sy)
            let w = Double(width) / scale, h = Double(height) / scale
            source = ((Double(frame.width) - w) / 2, (Double(frame.height) - h) / 2, w, h)
        }
        // Limited-range black (BT.601): Y 16, U and V 128.
        var out = I420Frame(width: width, height: height,
                            y: [UInt8](repeating: 16, count: width * height),
                            u: [UInt8](repeating: 128, count: ((width + 1) / 2) * ((height + 1) / 2)),
                            v: [UInt8](repeating: 128, count: ((width + 1) / 2) * ((height + 1) / 2)))
        Self.resample(frame.y, width: frame.width, height: frame.height,
                      from: source, into: &out.y, outputWidth: width, to: target)
        let chromaSource = (x: source.x / 2, y: source.y / 2, width: source.width / 2, height: source.height / 2)
        let chromaTarget = (x: target.x / 2, y: target.y / 2,
                            width: min(out.chromaWidth - target.x / 2, (target.width + 1) / 2),
                            height: min(out.chromaHeight - target.y / 2, (target.height + 1) / 2))
        Self.resample(frame.u, width: frame.chromaWidth, height: frame.chromaHeight,
                      from: chromaSource, into: &out.u, outputWidth: out.chromaWidth, to: chromaTarget)
        Self.resample(frame.v, width: frame.chromaWidth, height: frame.chromaHeight,
                      from: chromaSource, into: &out.v, outputWidth: out.chromaWidth, to: chromaTarget)
        return out
    }

    /// For one axis: for each output pixel, `taps` source indices (clamped to
    /// the plane, so edges repeat) and weights summing to 1 << `precision`.
    struct AxisFilter {
        static let precision = 14
        var taps: Int
        var indices: [Int]
        var weights: [Int32]

        init(sourceStart: Double, sourceLength: Double, sourceSize: Int, outputLength: Int) {
            let scale = sourceLength / Double(outputLength)
            let support = max(scale, 1)
            taps = Int(support.rounded(.up)) + 1
            indices = [Int](repeating: 0, count: outputLength * taps)
            weights = [Int32](repeating: 0, count: outputLength * taps)
            let one = Double(1 << Self.precision)
            var raw = [Double](repeating: 0, count: taps)
            for o in 0..<outputLength {
                let center = sourceStart + (Double(o) + 0.5) * scale
                let low = center - support / 2, high = center + support / 2
                let first = Int(low.rounded(.down))
                var total = 0.0
                for t in 0..<taps {
                    let p = Double(first + t)
                    raw[t] = max(0, min(high, p + 1) - max(low, p))
                    total += raw[t]
                }
                var sum: Int32 = 0, biggest = 0
                for t in 0..<taps {
                    indices[o * taps + t] = min(max(first + t, 0), sourceSize - 1)
                    let w = Int32((raw[t] / total * one).rounded())
                    weights[o * taps + t] = w
                    sum += w
                    if w > weights[o * taps + biggest] { biggest = t }
                }
                // Rounding leftovers go to the largest tap so flat areas stay flat.
                weights[o * taps + biggest] += Int32(1 << Self.precision) - sum
            }
        }
    }

    /// Resamples the `from` rectangle of a plane into the `to` rectangle of
    /// `output`: rows first (into a buffer of source height), then columns.
    static func resample(_ plane: [UInt8], width: Int, height: Int,
                         from source: (x: Double, y: Double, width: Double, height: Double),
                         into output: inout [UInt8], outputWidth: Int,
                         to target: (x: Int, y: Int, width: Int, height: Int)) {
        guard target.width > 0, target.height > 0 else { return }
        let horizontal = AxisFilter(sourceStart: source.x, sourceLength: source.width, sourceSize: width, outputLength: target.width)
        let vertical = AxisFilter(sourceStart: source.y, sourceLength: source.height, sourceSize: height, outputLength: target.height)
        let round = Int32(1 << (AxisFilter.precision - 1))
        var rows = [UInt8](repeating: 0, count: height * target.width)
        plane.withUnsafeBufferPointer { src in
            rows.withUnsafeMutableBufferPointer { dst in
                horizontal.indices.withUnsafeBufferPointer { idx in
                    horizontal.weights.withUnsafeBufferPointer { wts in
                        for row in 0..<height {
                            let line = row * width
                            for o in 0..<target.width {
                                var acc: Int32 = round
                                for t in 0..<horizontal.taps {
                                    acc += Int32(src[line + idx[o * horizontal.taps + t]]) * wts[o * horizontal.taps + t]
                                }
                                dst[row * target.width + o] = UInt8(clamping: acc >> Int32(AxisFilter.precision))
                            }
                        }
                    }
                }
            }
        }
        rows.withUnsafeBufferPointer { src in
            output.withUnsafeMutableBufferPointer { dst in
                vertical.indices.withUnsafeBufferPointer { idx in
                    vertical.weights.withUnsafeBufferPointer { wts in
                        for o in 0..<target.height {
                            let line = (target.y + o) * outputWidth + target.x
                            for column in 0..<target.width {
                                var acc: Int32 = round
                                for t in 0..<vertical.taps {
                                    acc += Int32(src[idx[o * vertical.taps + t] * target.width + column]) * wts[o * vertical.taps + t]
                                }
                                dst[line + column] = UInt8(clamping: acc >> Int32(AxisFilter.precision))
                            }
                        }
                    }
                }
            }
        }
    }
}
