import Glibc
import Media

/// A V4L2 camera streaming through memory-mapped buffers, giving I420
/// frames. Used from one media thread (not `Sendable`).
///
/// Setup follows the V4L2 API's streaming I/O sequence: `VIDIOC_QUERYCAP`,
/// `VIDIOC_ENUM_FMT` / `ENUM_FRAMESIZES` / `ENUM_FRAMEINTERVALS`, `VIDIOC_S_FMT`,
/// `VIDIOC_S_PARM`, `VIDIOC_REQBUFS` (4, mmap), `VIDIOC_QUERYBUF` + `mmap` and
/// `VIDIOC_QBUF` for each, `VIDIOC_STREAMON`. `FormatNegotiation` states the
/// rules for choosing format, size and rate.
public final class CameraCapture {
    public static let bufferCount = 4

    /// The device path given to `init`.
    public let device: String
    /// What the device agreed to: the size and format of the frames it sends
    /// (frames from `nextFrame` are this size) and its frame rate.
    public private(set) var negotiated: (width: Int, height: Int, fps: Int, pixelFormat: CameraPixelFormat)

    private let io: any VideoDeviceIO
    private var fd: Int32?
    private var bytesPerLine = 0
    private var buffers: [UnsafeMutableRawBufferPointer] = []
    /// Which buffers the driver holds (queued), so a bad index from DQBUF is caught.
    private var queued: [Bool] = []
    private var streaming = false
    /// Set once the stream ended: `.unplugged` or `.closed`.
    private var ended: CameraError?

    /// Opens `device` and starts streaming. Sizes and rates below 1 count as 1.
    public init(device: String = "/dev/video0", width: Int = 640, height: Int = 480, fps: Int = 30,
                io: any VideoDeviceIO = LibV4L2DeviceIO()) throws(CameraError) {
        self.device = device
        self.io = io
        negotiated = (0, 0, 0, .yuv420)
        do {
            try start(target: FrameSize(width: max(1, width), height: max(1, height)), fps: max(1, fps))
        } catch {
            release()
            ended = .closed
            throw error
        }
    }

    deinit { release() }

    /// Waits up to `timeout` for the next frame, converts it to I420 and
    /// gives its buffer back to the driver. `EAGAIN` and `EINTR` are retried
    /// within the timeout. After `.unplugged` everything is already released.
    public func nextFrame(timeout: Duration) throws(CameraError) -> I420Frame {
        guard let fd, streaming else { throw ended ?? .closed }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            let ready: Bool
            do {
                ready = try io.waitReadable(fd, timeout: max(clock.now.duration(to: deadline), .zero))
            } catch {
                if Self.isRetryable(error), clock.now < deadline { continue }
                throw Self.isRetryable(error) ? .timeout : streamFailed(.whileStreaming(error))
            }
            guard ready else { throw .timeout }
            let filled: DequeuedBuffer
            do {
                filled = try io.dequeueBuffer(fd)
            } catch {
                if Self.isRetryable(error), clock.now < deadline { continue }
                throw Self.isRetryable(error) ? .timeout : streamFailed(.whileStreaming(error))
            }
            return try convertAndRequeue(filled, fd: fd)
        }
    }

    /// V4L2 API, VIDIOC_DQBUF: EAGAIN on a non-blocking handle with no filled
    /// buffer yet; EINTR (here or in poll) is a signal. Both: try again in time.
    private static func isRetryable(_ failure: V4L2CallError) -> Bool {
        failure.errno == EAGAIN || failure.errno == EINTR
    }

    /// Stops streaming and releases buffers and the device. Safe to call twice.
    public func close() {
        release()
        if ended == nil { ended = .closed }
    }

    // MARK: - Setup

    private func start(target: FrameSize, fps: Int) throws(CameraError) {
        let fd = try setup { () throws(V4L2CallError) in try io.open(path: device) }
        self.fd = fd
        let capabilities: DeviceCapabilities
        do {
            capabilities = try io.queryCapabilities(fd)
        } catch {
            // V4L2 API: every V4L2 driver implements QUERYCAP; ENOTTY means this is no V4L2 node at all.
            if error.errno == ENOTTY || error.errno == EINVAL { throw .notACaptureDevice }
            throw .duringSetup(error, path: device)
        }
        guard capabilities.isStreamingCaptureDevice else { throw .notACaptureDevice }

        let format = try chooseFormat(fd, target: target)
        let size = FrameSize(width: format.width, height: format.height)
        negotiated = (format.width, format.height, fps, format.pixelFormat)
        bytesPerLine = format.bytesPerLine
        negotiated.fps = try chooseRate(fd, fourcc: format.pixelFormat.fourcc, size: size, fps: fps)

        let granted = try setup { () throws(V4L2CallError) in try io.requestBuffers(fd, count: Self.bufferCount) }
        // V4L2 API, VIDIOC_REQBUFS: the driver may allocate more or fewer than asked.
        guard (1...64).contains(granted) else { throw .deviceMisbehaved("it allocated \(granted) buffers") }
        for index in 0..<granted {
            let info = try setup { () throws(V4L2CallError) in try io.queryBuffer(fd, index: index) }
            guard info.length > 0 else { throw .deviceMisbehaved("buffer \(index) has no memory") }
            let memory = try setup { () throws(V4L2CallError) in try io.map(fd, buffer: info) }
            buffers.append(memory)
            queued.append(false)
        }
        for index in 0..<granted {
            try setup { () throws(V4L2CallError) in try io.queueBuffer(fd, index: index) }
            queued[index] = true
        }
        try setup { () throws(V4L2CallError) in try io.streamOn(fd) }
        streaming = true
    }

    /// Tries the offered formats we can use, best first, then YU12 (libv4l2
    /// may convert to it even when it did not list it). V4L2 API, VIDIOC_S_FMT:
    /// the driver adjusts what it cannot do, so we read back what we got and
    /// take it when we can convert it, whatever we asked for.
    private func chooseFormat(_ fd: Int32, target: FrameSize) throws(CameraError)
        -> (pixelFormat: CameraPixelFormat, width: Int, height: Int, bytesPerLine: Int) {
        let offered = try setup { () throws(V4L2CallError) in try DeviceEnumeration.formats(io, fd) }
        var candidates = FormatNegotiation.pixelFormats(offered: offered)
        if !candidates.contains(.yuv420) { candidates.append(.yuv420) }
        for candidate in candidates {
            let sizes = try setup { () throws(V4L2CallError) in
                try DeviceEnumeration.frameSizes(io, fd, fourcc: candidate.fourcc)
            }
            let size = FormatNegotiation.size(from: sizes, target: target) ?? target
            let request = CaptureFormat(fourcc: candidate.fourcc, width: size.width, height: size.height)
            let granted: CaptureFormat
            do {
                granted = try io.setFormat(fd, request)
            } catch {
                if error.errno == EINVAL { continue } // some drivers refuse instead of adjusting
                throw .duringSetup(error, path: device)
            }
            guard let pixelFormat = CameraPixelFormat(fourcc: granted.fourcc),
                  (1...(1 << 15)).contains(granted.width), (1...(1 << 15)).contains(granted.height) else { continue }
            let minimum = pixelFormat.minimumBytesPerLine(width: granted.width)
            let pitch = granted.bytesPerLine == 0 ? minimum : granted.bytesPerLine
            // A pitch far beyond the row (16x plus a page) is a driver bug, not padding.
            guard pitch >= minimum, pitch <= 16 * minimum + 4096 else { continue }
            return (pixelFormat, granted.width, granted.height, pitch)
        }
        throw .noUsableFormat
    }

    /// Picks the offered rate nearest `fps` and asks for it (VIDIOC_S_PARM).
    /// A driver that cannot set the rate keeps its own; we report the one we chose.
    private func chooseRate(_ fd: Int32, fourcc: UInt32, size: FrameSize, fps: Int) throws(CameraError) -> Int {
        let options = (try? DeviceEnumeration.frameIntervals(io, fd, fourcc: fourcc, size: size)) ?? []
        let wanted = FormatNegotiation.interval(from: options, framesPerSecond: fps)
            ?? FrameInterval(numerator: 1, denominator: UInt32(clamping: fps))
        var granted: FrameInterval?
        do {
            granted = try io.setFrameInterval(fd, wanted)
        } catch {
            guard error.errno == EINVAL || error.errno == ENOTTY else { throw .duringSetup(error, path: device) }
        }
        let rate = granted?.framesPerSecond ?? wanted.framesPerSecond ?? Double(fps)
        return rate >= 1 && rate < 10_000 ? Int(rate.rounded()) : fps
    }

    private func setup<T>(_ call: () throws(V4L2CallError) -> T) throws(CameraError) -> T {
        do { return try call() } catch { throw .duringSetup(error, path: device) }
    }

    // MARK: - Streaming

    private func convertAndRequeue(_ filled: DequeuedBuffer, fd: Int32) throws(CameraError) -> I420Frame {
        let index = filled.index
        guard buffers.indices.contains(index), queued[index] else {
            throw .deviceMisbehaved("it returned buffer \(index), which it did not hold")
        }
        queued[index] = false
        // A buffer flagged V4L2_BUF_FLAG_ERROR is still delivered: the V4L2 API
        // says its data may be corrupted but usable, and a glitch beats a gap.
        let memory = UnsafeRawBufferPointer(buffers[index])
        // bytesused beyond the buffer cannot be real; never read past it.
        let used = min(max(0, filled.bytesUsed), memory.count)
        let (format, width, height) = (negotiated.pixelFormat, negotiated.width, negotiated.height)
        let frame = PixelConversion.i420(from: UnsafeRawBufferPointer(rebasing: memory[0..<used]),
                                         format: format, width: width, height: height, bytesPerLine: bytesPerLine)
        do {
            try io.queueBuffer(fd, index: index)
            queued[index] = true
        } catch {
            throw streamFailed(.whileStreaming(error))
        }
        guard let frame else {
            throw .shortFrame(expected: format.minimumImageSize(width: width, height: height, bytesPerLine: bytesPerLine),
                              received: used)
        }
        return frame
    }

    /// An unplugged device ends the stream: release everything now.
    private func streamFailed(_ error: CameraError) -> CameraError {
        if error == .unplugged {
            release()
            ended = .unplugged
        }
        return error
    }

    /// STREAMOFF, munmap every buffer, REQBUFS 0, close: V4L2 API order for
    /// releasing mmap buffers. Failures are ignored (the device may be gone).
    private func release() {
        guard let fd else { return }
        if streaming { try? io.streamOff(fd) }
        streaming = false
        for memory in buffers { io.unmap(memory) }
        if !buffers.isEmpty { _ = try? io.requestBuffers(fd, count: 0) }
        buffers = []
        queued = []
        io.close(fd)
        self.fd = nil
    }
}
