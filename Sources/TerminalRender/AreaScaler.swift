import Media

/// A picture resampled to a grid of sub-pixels (cells x symbol grid), 8-bit
/// RGB, black where letterboxing leaves no picture.
public struct SubpixelImage: Sendable, Hashable {
    public let width: Int
    public let height: Int
    public var rgb: [UInt8]

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        rgb = [UInt8](repeating: 0, count: width * height * 3)
    }

    public var frame: RGBFrame { RGBFrame(width: width, height: height, pixels: rgb) }
}

/// Where a picture lands on a grid of `columns x rows` cells, each divided
/// into `subColumns x subRows` sub-pixels: for each axis, the source
/// coordinate at the grid's edge and how many source pixels one sub-pixel
/// spans. Source pixels are taken as square; cells have `cellPixelSize`.
struct FramePlacement: Hashable {
    var sourceWidth: Int
    var sourceHeight: Int
    var outputWidth: Int
    var outputHeight: Int
    var xStart: Double
    var xStep: Double
    var yStart: Double
    var yStep: Double

    init(sourceWidth: Int, sourceHeight: Int, columns: Int, rows: Int, subColumns: Int, subRows: Int,
         cellPixelSize: CellPixelSize, scaling: ScalingMode) {
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        outputWidth = columns * subColumns
        outputHeight = rows * subRows
        let areaWidth = Double(columns * cellPixelSize.width)
        let areaHeight = Double(rows * cellPixelSize.height)
        let sx = areaWidth / Double(sourceWidth), sy = areaHeight / Double(sourceHeight)
        let scale = scaling == .fit ? min(sx, sy) : max(sx, sy)
        // Offsets of the picture inside the area in screen pixels (negative
        // when cropped), then both expressed in source pixels.
        let left = (areaWidth - Double(sourceWidth) * scale) / 2
        let top = (areaHeight - Double(sourceHeight) * scale) / 2
        xStep = Double(cellPixelSize.width) / Double(subColumns) / scale
        yStep = Double(cellPixelSize.height) / Double(subRows) / scale
        xStart = -left / scale
        yStart = -top / scale
    }
}

/// For one axis: which source pixels each output pixel averages and with what
/// weights (the overlap of its footprint with each source pixel). Weights of
/// an output sum to less than one where its footprint leaves the picture; the
/// rest is filled with black.
struct AxisWeights {
    var first: [Int]
    var offsets: [Int]
    var weights: [Float]
    var coverage: [Float]

    init(outputCount: Int, sourceCount: Int, start: Double, step: Double) {
        first = []; offsets = [0]; weights = []; coverage = []
        first.reserveCapacity(outputCount)
        coverage.reserveCapacity(outputCount)
        for o in 0..<outputCount {
            let a = start + Double(o) * step, b = a + step
            let lo = max(0, Int(a.rounded(.down))), hi = min(sourceCount, Int(b.rounded(.up)))
            var total: Float = 0
            first.append(lo)
            if lo < hi {
                for s in lo..<hi {
                    let overlap = min(b, Double(s + 1)) - max(a, Double(s))
                    let w = Float(max(0, overlap) / step)
                    weights.append(w)
                    total += w
                }
            }
            offsets.append(weights.count)
            coverage.append(total)
        }
    }
}

/// Area-averaging resampler from a video frame to a `SubpixelImage`.
/// I420 is averaged plane by plane and converted after (averaging is linear,
/// so this equals converting first, for a fraction of the work). Keeps its
/// weight tables and scratch rows between frames of the same shape.
struct AreaScaler {
    private var placement: FramePlacement?
    private var lumaX = AxisWeights(outputCount: 0, sourceCount: 0, start: 0, step: 1)
    private var lumaY = AxisWeights(outputCount: 0, sourceCount: 0, start: 0, step: 1)
    private var chromaX = AxisWeights(outputCount: 0, sourceCount: 0, start: 0, step: 1)
    private var chromaY = AxisWeights(outputCount: 0, sourceCount: 0, start: 0, step: 1)
    private var row: [Float] = []
    private var planes: [[Float]] = [[], [], []]

    mutating func scale(_ frame: VideoFrame, placement: FramePlacement, into image: inout SubpixelImage) {
        prepare(placement)
        let w = placement.outputWidth, h = placement.outputHeight
        switch frame {
        case .rgb(let rgb):
            Self.scalePlane(rgb.pixels, width: rgb.width, channels: 3, x: lumaX, y: lumaY, fill: 0,
                            row: &row, into: &planes[0])
            planes[0].withUnsafeBufferPointer { p in
                image.rgb.withUnsafeMutableBufferPointer { out in
                    for i in 0..<(w * h * 3) { out[i] = UInt8(max(0, min(255, p[i] + 0.5))) }
                }
            }
        case .i420(let f):
            Self.scalePlane(f.y, width: f.width, channels: 1, x: lumaX, y: lumaY, fill: 16, row: &row, into: &planes[0])
            Self.scalePlane(f.u, width: f.chromaWidth, channels: 1, x: chromaX, y: chromaY, fill: 128, row: &row, into: &planes[1])
            Self.scalePlane(f.v, width: f.chromaWidth, channels: 1, x: chromaX, y: chromaY, fill: 128, row: &row, into: &planes[2])
            planes[0].withUnsafeBufferPointer { yp in
                planes[1].withUnsafeBufferPointer { up in
                    planes[2].withUnsafeBufferPointer { vp in
                        image.rgb.withUnsafeMutableBufferPointer { out in
                            for i in 0..<(w * h) {
                                let (r, g, b) = YUV.rgb(Int(yp[i] + 0.5), Int(up[i] + 0.5), Int(vp[i] + 0.5))
                                out[3 * i] = r; out[3 * i + 1] = g; out[3 * i + 2] = b
                            }
                        }
                    }
                }
            }
        }
    }

    private mutating func prepare(_ p: FramePlacement) {
        guard p != placement else { return }
        placement = p
        lumaX = AxisWeights(outputCount: p.outputWidth, sourceCount: p.sourceWidth, start: p.xStart, step: p.xStep)
        lumaY = AxisWeights(outputCount: p.outputHeight, sourceCount: p.sourceHeight, start: p.yStart, step: p.yStep)
        chromaX = AxisWeights(outputCount: p.outputWidth, sourceCount: (p.sourceWidth + 1) / 2,
                              start: p.xStart / 2, step: p.xStep / 2)
        chromaY = AxisWeights(outputCount: p.outputHeight, sourceCount: (p.sourceHeight + 1) / 2,
                              start: p.yStart / 2, step: p.yStep / 2)
        row = [Float](repeating: 0, count: p.sourceWidth * 3)
        let n = p.outputWidth * p.outputHeight * 3
        planes = [[Float](repeating: 0, count: n), [Float](repeating: 0, count: n), [Float](repeating: 0, count: n)]
    }

    /// `acc[i] += weight * source[i]`, eight at a time: the compiler does not vectorise
    /// the plain loop (it cannot tell the two buffers apart), and this is most of the
    /// scaler's work. Same operations in the same order, so the same results.
    @inline(__always)
    private static func accumulate(_ source: UnsafePointer<UInt8>, weight: Float, into acc: UnsafeMutablePointer<Float>,
                                   count: Int) {
        let w = SIMD8<Float>(repeating: weight)
        var i = 0
        while i + 8 <= count {
            let pixels = SIMD8<Float>(UnsafeRawPointer(source + i).loadUnaligned(as: SIMD8<UInt8>.self))
            let sum = UnsafeRawPointer(acc + i).loadUnaligned(as: SIMD8<Float>.self) + w * pixels
            UnsafeMutableRawPointer(acc + i).storeBytes(of: sum, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            acc[i] += weight * Float(source[i])
            i += 1
        }
    }

    /// Vertical pass into one accumulated source-width row per output row
    /// (contiguous, so it vectorises), then the horizontal pass from it.
    private static func scalePlane(_ source: [UInt8], width: Int, channels: Int, x: AxisWeights, y: AxisWeights,
                                   fill: Float, row: inout [Float], into out: inout [Float]) {
        let rowLength = width * channels
        let outWidth = x.first.count
        source.withUnsafeBufferPointer { src in
            row.withUnsafeMutableBufferPointer { acc in
                out.withUnsafeMutableBufferPointer { dst in
                    for oy in 0..<y.first.count {
                        for i in 0..<rowLength { acc[i] = 0 }
                        var sy = y.first[oy]
                        for k in y.offsets[oy]..<y.offsets[oy + 1] {
                            accumulate(src.baseAddress! + sy * rowLength, weight: y.weights[k], into: acc.baseAddress!,
                                       count: rowLength)
                            sy += 1
                        }
                        let cy = y.coverage[oy]
                        for ox in 0..<outWidth {
                            let lo = x.offsets[ox], hi = x.offsets[ox + 1]
                            let blackShare = (1 - cy * x.coverage[ox]) * fill
                            for c in 0..<channels {
                                var sum: Float = 0
                                var sx = x.first[ox] * channels + c
                                for k in lo..<hi {
                                    sum += x.weights[k] * acc[sx]
                                    sx += channels
                                }
                                dst[(oy * outWidth + ox) * channels + c] = sum + blackShare
                            }
                        }
                    }
                }
            }
        }
    }
}
