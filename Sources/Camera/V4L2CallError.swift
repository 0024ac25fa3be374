/// A V4L2 system call that failed: which one, and the `errno` it left.
/// `VideoDeviceIO` implementations throw this; `CameraCapture` turns it
/// into a `CameraError` a person can read.
public struct V4L2CallError: Error, Sendable, Hashable {
    /// The call, e.g. `"open"`, `"VIDIOC_DQBUF"`, `"mmap"`, `"poll"`.
    public var call: String
    public var errno: Int32

    public init(call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }
}
