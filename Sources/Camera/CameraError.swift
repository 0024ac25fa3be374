import Glibc

/// Why a camera could not be opened or stopped giving frames; each says
/// what happened in a sentence (`description`) a person can act on.
public enum CameraError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No device node at the path (`ENOENT`, `ENODEV`, `ENXIO` on open).
    case notFound(String)
    /// We may not open the node (`EACCES`, `EPERM`).
    case permissionDenied(String)
    /// The node does not capture video with streaming I/O (a metadata node, an output device...).
    case notACaptureDevice
    /// Another program holds the camera (`EBUSY`).
    case busy
    /// The device went away mid-stream (`ENODEV`, or `EIO`); everything is released.
    /// The caller switches to the test pattern and says so.
    case unplugged
    /// The device offers no format we can convert, even through libv4l2.
    case noUsableFormat
    /// No frame arrived in time.
    case timeout
    /// A frame had fewer bytes than its format needs; it was requeued, the next may be fine.
    case shortFrame(expected: Int, received: Int)
    /// The driver answered something V4L2 does not allow (a buffer index we
    /// do not own, no buffers at all...).
    case deviceMisbehaved(String)
    /// `close()` was called.
    case closed
    /// Any other failing call, with its `errno`.
    case system(call: String, errno: Int32)

    public var description: String {
        switch self {
        case .notFound(let path): "No video device at \(path)."
        case .permissionDenied(let path): "No permission to open \(path) (is this user in the 'video' group?)."
        case .notACaptureDevice: "The device does not capture video (it may be a metadata or output node)."
        case .busy: "The camera is in use by another program."
        case .unplugged: "The camera was unplugged or stopped responding."
        case .noUsableFormat: "The camera offers no picture format this program can use."
        case .timeout: "The camera sent no frame in time."
        case .shortFrame(let expected, let received):
            "The camera sent a short frame (\(received) of \(expected) bytes)."
        case .deviceMisbehaved(let what): "The camera driver misbehaved: \(what)."
        case .closed: "The camera is closed."
        case .system(let call, let code):
            "\(call) failed: \(String(cString: strerror(code))) (errno \(code))."
        }
    }

    /// The error for a call that failed while opening and setting up.
    static func duringSetup(_ failure: V4L2CallError, path: String) -> CameraError {
        if failure.call == "open", [ENOENT, ENODEV, ENXIO].contains(failure.errno) { return .notFound(path) }
        // v4l2_open itself asks VIDIOC_QUERYCAP; ENOTTY: the node is no V4L2 device.
        if failure.call == "open", failure.errno == ENOTTY { return .notACaptureDevice }
        switch failure.errno {
        case EACCES, EPERM: return .permissionDenied(path)
        // V4L2 API: S_FMT, REQBUFS and STREAMON give EBUSY while another
        // file handle is streaming; opening usually succeeds.
        case EBUSY: return .busy
        case ENODEV, EIO, ENXIO: return .unplugged
        default: return .system(call: failure.call, errno: failure.errno)
        }
    }

    /// The error for a call that failed while streaming.
    static func whileStreaming(_ failure: V4L2CallError) -> CameraError {
        switch failure.errno {
        // V4L2 API, VIDIOC_DQBUF: EIO "due to an internal error"; ENODEV after
        // a hot unplug. Both end the stream for us.
        case ENODEV, EIO, ENXIO: .unplugged
        default: .system(call: failure.call, errno: failure.errno)
        }
    }
}
