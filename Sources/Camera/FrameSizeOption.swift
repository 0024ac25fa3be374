/// One entry of `VIDIOC_ENUM_FRAMESIZES`. V4L2 API: a driver answers either
/// with a list of discrete sizes, or with one stepwise (or continuous, step 1)
/// range at index 0.
public enum FrameSizeOption: Sendable, Hashable {
    case discrete(FrameSize)
    case stepwise(minimum: FrameSize, maximum: FrameSize, step: FrameSize)
}
