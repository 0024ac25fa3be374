/// One entry of `VIDIOC_ENUM_FRAMEINTERVALS`: discrete intervals, or one
/// stepwise (or continuous) range at index 0, like frame sizes.
public enum FrameIntervalOption: Sendable, Hashable {
    case discrete(FrameInterval)
    case stepwise(minimum: FrameInterval, maximum: FrameInterval)
}
