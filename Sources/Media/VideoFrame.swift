/// A decoded picture in whichever layout its source produced; renderers and
/// encoders accept both so nobody converts a whole frame just to hand it on.
public enum VideoFrame: Sendable, Hashable {
    case i420(I420Frame)
    case rgb(RGBFrame)

    public var width: Int {
        switch self {
        case .i420(let f): f.width
        case .rgb(let f): f.width
        }
    }

    public var height: Int {
        switch self {
        case .i420(let f): f.height
        case .rgb(let f): f.height
        }
    }

    /// The picture as RGB (converted when it is I420).
    public func rgb() -> RGBFrame {
        switch self {
        case .i420(let f): f.rgb()
        case .rgb(let f): f
        }
    }
}
