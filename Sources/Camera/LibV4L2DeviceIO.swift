import CV4L2
import Glibc

/// `VideoDeviceIO` through libv4l2: `v4l2_open` / `v4l2_ioctl` / `v4l2_mmap`
/// instead of the raw calls, so libv4l2 can convert formats the camera
/// sends (MJPEG, Bayer, ...) into one we ask for. Stateless.
public final class LibV4L2DeviceIO: VideoDeviceIO, Sendable {
    public init() {}

    public func open(path: String) throws(V4L2CallError) -> Int32 {
        let fd = call_v4l2_open(path)
        guard fd >= 0 else { throw V4L2CallError(call: "open", errno: errno) }
        return fd
    }

    public func close(_ fd: Int32) { _ = v4l2_close(fd) }

    public func queryCapabilities(_ fd: Int32) throws(V4L2CallError) -> DeviceCapabilities {
        var cap = v4l2_capability()
        try ioctl(fd, call_VIDIOC_QUERYCAP(), "VIDIOC_QUERYCAP", &cap)
        return DeviceCapabilities(driver: Self.text(cap.driver), card: Self.text(cap.card),
                                  busInfo: Self.text(cap.bus_info),
                                  capabilities: cap.capabilities, deviceCaps: cap.device_caps)
    }

    public func enumerateFormat(_ fd: Int32, index: Int) throws(V4L2CallError) -> PixelFormatDescription? {
        var desc = v4l2_fmtdesc()
        desc.index = UInt32(clamping: index)
        desc.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
        guard try ioctlUnlessEnd(fd, call_VIDIOC_ENUM_FMT(), "VIDIOC_ENUM_FMT", &desc) else { return nil }
        return PixelFormatDescription(fourcc: desc.pixelformat, description: Self.text(desc.description),
                                      isEmulated: desc.flags & UInt32(V4L2_FMT_FLAG_EMULATED) != 0)
    }

    public func enumerateFrameSize(_ fd: Int32, fourcc: UInt32, index: Int) throws(V4L2CallError) -> FrameSizeOption? {
        var entry = v4l2_frmsizeenum()
        entry.index = UInt32(clamping: index)
        entry.pixel_format = fourcc
        guard try ioctlUnlessEnd(fd, call_VIDIOC_ENUM_FRAMESIZES(), "VIDIOC_ENUM_FRAMESIZES", &entry) else { return nil }
        switch entry.type {
        case V4L2_FRMSIZE_TYPE_DISCRETE.rawValue:
            return .discrete(FrameSize(width: Int(entry.discrete.width), height: Int(entry.discrete.height)))
        case V4L2_FRMSIZE_TYPE_CONTINUOUS.rawValue, V4L2_FRMSIZE_TYPE_STEPWISE.rawValue:
            let s = entry.stepwise
            return .stepwise(minimum: FrameSize(width: Int(s.min_width), height: Int(s.min_height)),
                             maximum: FrameSize(width: Int(s.max_width), height: Int(s.max_height)),
                             step: FrameSize(width: max(1, Int(s.step_width)), height: max(1, Int(s.step_height))))
        default:
            return nil
        }
    }

    public func enumerateFrameInterval(_ fd: Int32, fourcc: UInt32, size: FrameSize,
                                       index: Int) throws(V4L2CallError) -> FrameIntervalOption? {
        var entry = v4l2_frmivalenum()
        entry.index = UInt32(clamping: index)
        entry.pixel_format = fourcc
        entry.width = UInt32(clamping: size.width)
        entry.height = UInt32(clamping: size.height)
        guard try ioctlUnlessEnd(fd, call_VIDIOC_ENUM_FRAMEINTERVALS(), "VIDIOC_ENUM_FRAMEINTERVALS", &entry) else {
            return nil
        }
        switch entry.type {
        case V4L2_FRMIVAL_TYPE_DISCRETE.rawValue:
            return .discrete(Self.interval(entry.discrete))
        case V4L2_FRMIVAL_TYPE_CONTINUOUS.rawValue, V4L2_FRMIVAL_TYPE_STEPWISE.rawValue:
            return .stepwise(minimum: Self.interval(entry.stepwise.min), maximum: Self.interval(entry.stepwise.max))
        default:
            return nil
        }
    }

    public func getFormat(_ fd: Int32) throws(V4L2CallError) -> CaptureFormat {
        var format = v4l2_format()
        format.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
        try ioctl(fd, call_VIDIOC_G_FMT(), "VIDIOC_G_FMT", &format)
        return Self.captureFormat(format.fmt.pix)
    }

    public func setFormat(_ fd: Int32, _ request: CaptureFormat) throws(V4L2CallError) -> CaptureFormat {
        // V4L2 API, "Data Formats": get the current format first and change
        // only what we mean to, so fields we do not know keep sane values.
        var format = v4l2_format()
        format.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
        try ioctl(fd, call_VIDIOC_G_FMT(), "VIDIOC_G_FMT", &format)
        format.fmt.pix.pixelformat = request.fourcc
        format.fmt.pix.width = UInt32(clamping: request.width)
        format.fmt.pix.height = UInt32(clamping: request.height)
        format.fmt.pix.bytesperline = UInt32(clamping: request.bytesPerLine)
        format.fmt.pix.sizeimage = UInt32(clamping: request.sizeImage)
        format.fmt.pix.field = V4L2_FIELD_NONE.rawValue // progressive
        try ioctl(fd, call_VIDIOC_S_FMT(), "VIDIOC_S_FMT", &format)
        return Self.captureFormat(format.fmt.pix)
    }

    public func setFrameInterval(_ fd: Int32, _ interval: FrameInterval) throws(V4L2CallError) -> FrameInterval? {
        var parm = v4l2_streamparm()
        parm.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
        parm.parm.capture.timeperframe = v4l2_fract(numerator: interval.numerator, denominator: interval.denominator)
        try ioctl(fd, call_VIDIOC_S_PARM(), "VIDIOC_S_PARM", &parm)
        // V4L2 API, VIDIOC_S_PARM: timeperframe is ignored without V4L2_CAP_TIMEPERFRAME.
        guard parm.parm.capture.capability & UInt32(V4L2_CAP_TIMEPERFRAME) != 0 else { return nil }
        return Self.interval(parm.parm.capture.timeperframe)
    }

    public func requestBuffers(_ fd: Int32, count: Int) throws(V4L2CallError) -> Int {
        var request = v4l2_requestbuffers()
        request.count = UInt32(clamping: count)
        request.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
        request.memory = V4L2_MEMORY_MMAP.rawValue
        try ioctl(fd, call_VIDIOC_REQBUFS(), "VIDIOC_REQBUFS", &request)
        return Int(request.count)
    }

    public func queryBuffer(_ fd: Int32, index: Int) throws(V4L2CallError) -> BufferInfo {
        var buffer = Self.buffer(index: index)
        try ioctl(fd, call_VIDIOC_QUERYBUF(), "VIDIOC_QUERYBUF", &buffer)
        return BufferInfo(index: Int(buffer.index), offset: Int64(buffer.m.offset), length: Int(buffer.length))
    }

    public func map(_ fd: Int32, buffer: BufferInfo) throws(V4L2CallError) -> UnsafeMutableRawBufferPointer {
        guard let base = call_v4l2_mmap(fd, buffer.length, buffer.offset) else {
            throw V4L2CallError(call: "mmap", errno: errno)
        }
        return UnsafeMutableRawBufferPointer(start: base, count: buffer.length)
    }

    public func unmap(_ memory: UnsafeMutableRawBufferPointer) {
        guard let base = memory.baseAddress else { return }
        _ = v4l2_munmap(base, memory.count)
    }

    public func queueBuffer(_ fd: Int32, index: Int) throws(V4L2CallError) {
        var buffer = Self.buffer(index: index)
        try ioctl(fd, call_VIDIOC_QBUF(), "VIDIOC_QBUF", &buffer, retryInterrupted: false)
    }

    public func dequeueBuffer(_ fd: Int32) throws(V4L2CallError) -> DequeuedBuffer {
        var buffer = Self.buffer(index: 0)
        try ioctl(fd, call_VIDIOC_DQBUF(), "VIDIOC_DQBUF", &buffer, retryInterrupted: false)
        return DequeuedBuffer(index: Int(buffer.index), bytesUsed: Int(buffer.bytesused), sequence: buffer.sequence,
                              hasError: buffer.flags & UInt32(V4L2_BUF_FLAG_ERROR) != 0)
    }

    public func streamOn(_ fd: Int32) throws(V4L2CallError) {
        var type = Int32(V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue)
        try ioctl(fd, call_VIDIOC_STREAMON(), "VIDIOC_STREAMON", &type)
    }

    public func streamOff(_ fd: Int32) throws(V4L2CallError) {
        var type = Int32(V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue)
        try ioctl(fd, call_VIDIOC_STREAMOFF(), "VIDIOC_STREAMOFF", &type)
    }

    public func waitReadable(_ fd: Int32, timeout: Duration) throws(V4L2CallError) -> Bool {
        let (seconds, attoseconds) = timeout.components
        let milliseconds = max(0, min(Int64(Int32.max), seconds * 1000 + attoseconds / 1_000_000_000_000_000))
        var request = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&request, 1, Int32(milliseconds))
        guard ready >= 0 else { throw V4L2CallError(call: "poll", errno: errno) }
        // POLLERR / POLLHUP also count: the next DQBUF reports the actual error.
        return ready > 0
    }

    // MARK: - Helpers

    /// Runs one ioctl; EINTR is retried for the set-up calls (DQBUF/QBUF
    /// leave that to the caller's timed loop).
    private func ioctl<T>(_ fd: Int32, _ request: UInt, _ name: String, _ argument: inout T,
                          retryInterrupted: Bool = true) throws(V4L2CallError) {
        while true {
            let result = withUnsafeMutablePointer(to: &argument) { call_v4l2_ioctl(fd, request, $0) }
            if result >= 0 { return }
            let code = errno
            if code == EINTR && retryInterrupted { continue }
            throw V4L2CallError(call: name, errno: code)
        }
    }

    /// An enumeration ioctl: false at the end of the list (EINVAL), or when the
    /// driver does not enumerate this at all (ENOTTY).
    private func ioctlUnlessEnd<T>(_ fd: Int32, _ request: UInt, _ name: String,
                                   _ argument: inout T) throws(V4L2CallError) -> Bool {
        do {
            try ioctl(fd, request, name, &argument)
            return true
        } catch {
            if error.errno == EINVAL || error.errno == ENOTTY { return false }
            throw error
        }
    }

    private static func buffer(index: Int) -> v4l2_buffer {
        var buffer = v4l2_buffer()
        buffer.index = UInt32(clamping: index)
        buffer.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
        buffer.memory = V4L2_MEMORY_MMAP.rawValue
        return buffer
    }

    private static func captureFormat(_ pix: v4l2_pix_format) -> CaptureFormat {
        CaptureFormat(fourcc: pix.pixelformat, width: Int(pix.width), height: Int(pix.height),
                      bytesPerLine: Int(pix.bytesperline), sizeImage: Int(pix.sizeimage))
    }

    private static func interval(_ fraction: v4l2_fract) -> FrameInterval {
        FrameInterval(numerator: fraction.numerator, denominator: fraction.denominator)
    }

    /// A fixed-size C char array (a tuple in Swift) up to its first NUL.
    private static func text<Tuple>(_ tuple: Tuple) -> String {
        withUnsafeBytes(of: tuple) { bytes in String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
