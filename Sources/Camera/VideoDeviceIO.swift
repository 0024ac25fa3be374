/// The ioctl-level surface of a V4L2 capture device, one method per call,
/// so the negotiation and buffer cycling above it can run against a fake.
/// `LibV4L2DeviceIO` is the real one.
///
/// Every failing call throws `V4L2CallError` with the `errno` the kernel (or
/// libv4l2) left; enumeration methods return nil at the end of the list
/// (V4L2 API: an out-of-range `index` gives `EINVAL`).
public protocol VideoDeviceIO: AnyObject {
    /// Opens the node non-blocking (so `dequeueBuffer` gives `EAGAIN` instead of waiting).
    func open(path: String) throws(V4L2CallError) -> Int32
    func close(_ fd: Int32)
    /// `VIDIOC_QUERYCAP`.
    func queryCapabilities(_ fd: Int32) throws(V4L2CallError) -> DeviceCapabilities
    /// `VIDIOC_ENUM_FMT` for `V4L2_BUF_TYPE_VIDEO_CAPTURE`; nil past the last.
    func enumerateFormat(_ fd: Int32, index: Int) throws(V4L2CallError) -> PixelFormatDescription?
    /// `VIDIOC_ENUM_FRAMESIZES`; nil past the last (or when the driver does not enumerate).
    func enumerateFrameSize(_ fd: Int32, fourcc: UInt32, index: Int) throws(V4L2CallError) -> FrameSizeOption?
    /// `VIDIOC_ENUM_FRAMEINTERVALS`; nil past the last (or when the driver does not enumerate).
    func enumerateFrameInterval(_ fd: Int32, fourcc: UInt32, size: FrameSize, index: Int) throws(V4L2CallError) -> FrameIntervalOption?
    /// `VIDIOC_G_FMT`.
    func getFormat(_ fd: Int32) throws(V4L2CallError) -> CaptureFormat
    /// `VIDIOC_S_FMT`: returns what the driver chose, which may differ from the request.
    func setFormat(_ fd: Int32, _ format: CaptureFormat) throws(V4L2CallError) -> CaptureFormat
    /// `VIDIOC_S_PARM` with `timeperframe`: returns the interval the driver
    /// chose, nil when it cannot set the rate (`V4L2_CAP_TIMEPERFRAME` absent).
    func setFrameInterval(_ fd: Int32, _ interval: FrameInterval) throws(V4L2CallError) -> FrameInterval?
    /// `VIDIOC_REQBUFS` with `V4L2_MEMORY_MMAP`: returns how many the driver allocated (0 frees them).
    func requestBuffers(_ fd: Int32, count: Int) throws(V4L2CallError) -> Int
    /// `VIDIOC_QUERYBUF`.
    func queryBuffer(_ fd: Int32, index: Int) throws(V4L2CallError) -> BufferInfo
    /// `mmap` of a buffer (shared, read/write, as V4L2 streaming I/O requires).
    func map(_ fd: Int32, buffer: BufferInfo) throws(V4L2CallError) -> UnsafeMutableRawBufferPointer
    func unmap(_ memory: UnsafeMutableRawBufferPointer)
    /// `VIDIOC_QBUF`.
    func queueBuffer(_ fd: Int32, index: Int) throws(V4L2CallError)
    /// `VIDIOC_DQBUF`: `EAGAIN` when no buffer is filled yet.
    func dequeueBuffer(_ fd: Int32) throws(V4L2CallError) -> DequeuedBuffer
    /// `VIDIOC_STREAMON`.
    func streamOn(_ fd: Int32) throws(V4L2CallError)
    /// `VIDIOC_STREAMOFF` (also returns every buffer to the dequeued state).
    func streamOff(_ fd: Int32) throws(V4L2CallError)
    /// `poll` for input: true when a buffer can be dequeued (or the device
    /// reports an error, which the next `dequeueBuffer` then returns), false
    /// when `timeout` passed first.
    func waitReadable(_ fd: Int32, timeout: Duration) throws(V4L2CallError) -> Bool
}
