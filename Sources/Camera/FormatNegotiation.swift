/// The choices `CameraCapture` makes from what a device offers; pure, so the
/// rules are tested directly.
///
/// - Pixel format: `CameraPixelFormat.preference` order (YU12, YUYV, NV12,
///   YV12, RGB24, BGR24) among the offered ones; libv4l2 lists formats it
///   converts to (flagged emulated), so an MJPEG-only camera still offers YU12.
/// - Size: the exact size when offered; otherwise the closest area, ties
///   broken by the closest aspect ratio, then by enumeration order.
/// - Rate: the closest frames per second; a tie goes to the higher rate.
enum FormatNegotiation {
    /// The offered formats we can use, best first.
    static func pixelFormats(offered: [PixelFormatDescription]) -> [CameraPixelFormat] {
        let codes = Set(offered.map(\.fourcc))
        return CameraPixelFormat.preference.filter { codes.contains($0.fourcc) }
    }

    static func size(from options: [FrameSizeOption], target: FrameSize) -> FrameSize? {
        let candidates = options.compactMap { option -> FrameSize? in
            switch option {
            case .discrete(let size):
                return size.width > 0 && size.height > 0 ? size : nil
            case .stepwise(let minimum, let maximum, let step):
                return FrameSize(width: snap(target.width, minimum.width, maximum.width, step.width),
                                 height: snap(target.height, minimum.height, maximum.height, step.height))
            }
        }.filter { $0.width > 0 && $0.height > 0 }
        if candidates.contains(target) { return target }
        let targetArea = Double(target.width) * Double(target.height)
        let targetAspect = Double(target.width) / Double(max(1, target.height))
        func score(_ size: FrameSize) -> (Double, Double) {
            (abs(Double(size.width) * Double(size.height) - targetArea),
             abs(Double(size.width) / Double(size.height) - targetAspect))
        }
        // min(by:) keeps the first of equal elements: enumeration order breaks the last tie.
        return candidates.min { score($0) < score($1) }
    }

    /// The value nearest `target` on the grid minimum + k * step, within [minimum, maximum].
    static func snap(_ target: Int, _ minimum: Int, _ maximum: Int, _ step: Int) -> Int {
        guard minimum <= maximum else { return 0 }
        let clamped = min(max(target, minimum), maximum)
        guard step > 1 else { return clamped }
        let steps = (clamped - minimum + step / 2) / step
        return min(minimum + steps * step, maximum - (maximum - minimum) % step)
    }

    static func interval(from options: [FrameIntervalOption], framesPerSecond target: Int) -> FrameInterval? {
        let wanted = FrameInterval(numerator: 1, denominator: UInt32(clamping: target))
        let candidates = options.compactMap { option -> FrameInterval? in
            switch option {
            case .discrete(let interval):
                return interval.framesPerSecond == nil ? nil : interval
            case .stepwise(let minimum, let maximum):
                // The minimum interval is the maximum rate.
                guard let fastest = minimum.framesPerSecond, let slowest = maximum.framesPerSecond else { return nil }
                if Double(target) > fastest { return minimum }
                if Double(target) < slowest { return maximum }
                return wanted
            }
        }
        func distance(_ interval: FrameInterval) -> Double { abs((interval.framesPerSecond ?? 0) - Double(target)) }
        return candidates.min { a, b in
            distance(a) != distance(b) ? distance(a) < distance(b) : (a.framesPerSecond ?? 0) > (b.framesPerSecond ?? 0)
        }
    }
}
