@testable import Camera
import Glibc

/// An in-memory V4L2 device behind `VideoDeviceIO`: configurable nodes,
/// formats, sizes and rates; frames from `produce`; failures injected through
/// `script`; and counters for every resource it hands out, so tests can see
/// that everything was given back.
final class FakeVideoDevice: VideoDeviceIO {
    struct Format {
        var fourcc: UInt32
        var sizes: [FrameSizeOption]
        var intervals: [FrameIntervalOption] = [.discrete(FrameInterval(numerator: 1, denominator: 30))]
        var isEmulated = false
    }

    struct Node {
        var capabilities: DeviceCapabilities
        var formats: [Format]
    }

    /// A failure or oddity, consumed in order by the call it is for.
    enum Event: Equatable {
        case pollTimeout, pollError(Int32)
        case dequeueError(Int32), bytesUsed(Int), badIndex(Int)
        case queueError(Int32)
    }

    static let captureCaps = DeviceCapabilities(driver: "fake", card: "Fake Camera", busInfo: "platform:fake",
                                                capabilities: 0x8400_0001, deviceCaps: 0x0400_0001)
    static let metadataCaps = DeviceCapabilities(driver: "fake", card: "Fake Camera", busInfo: "platform:fake",
                                                 capabilities: 0x8480_0001, deviceCaps: 0x0480_0000)

    var nodes: [String: Node]
    var openErrors: [String: Int32] = [:]
    /// How many buffers REQBUFS grants (nil: as many as asked).
    var grantedBuffers: Int?
    /// What S_FMT answers, given what a plain driver would have answered.
    var formatOverride: ((CaptureFormat) -> CaptureFormat)?
    var setFormatError: Int32?
    /// What S_PARM answers for a requested interval (nil result: no V4L2_CAP_TIMEPERFRAME).
    var intervalAnswer: (FrameInterval) -> FrameInterval? = { $0 }
    var script: [Event] = []
    /// The image bytes for frame `sequence` in `format` (default: every byte = sequence).
    var produce: (_ sequence: Int, _ format: CaptureFormat) -> [UInt8] = { sequence, format in
        [UInt8](repeating: UInt8(truncatingIfNeeded: sequence), count: format.sizeImage)
    }

    private(set) var opened = 0, closed = 0, mapped = 0, unmapped = 0, unknownUnmaps = 0
    private(set) var queueCalls = 0, dequeued = 0, streamOns = 0, streamOffs = 0
    private(set) var setFormatRequests: [CaptureFormat] = []
    private(set) var intervalRequests: [FrameInterval] = []
    /// Buffer indices the "driver" holds, oldest first.
    private(set) var queue: [Int] = []
    private(set) var current: CaptureFormat?
    private var openNodes: [Int32: Node] = [:]
    private var nextFD: Int32 = 3
    private var buffers: [UnsafeMutableRawBufferPointer] = []
    private var streaming = false
    private var gone = false
    private var sequence = 0

    init(nodes: [String: Node]) { self.nodes = nodes }

    /// One capture node at /dev/video0 offering `formats`.
    convenience init(formats: [Format]) {
        self.init(nodes: ["/dev/video0": Node(capabilities: Self.captureCaps, formats: formats)])
    }

    deinit { for memory in buffers { memory.deallocate() } }

    var openDescriptors: Int { openNodes.count }

    private func node(_ fd: Int32, _ call: String) throws(V4L2CallError) -> Node {
        if gone { throw V4L2CallError(call: call, errno: ENODEV) }
        guard let node = openNodes[fd] else { throw V4L2CallError(call: call, errno: EBADF) }
        return node
    }

    private func take(_ matches: (Event) -> Bool) -> Event? {
        guard let first = script.first, matches(first) else { return nil }
        script.removeFirst()
        return first
    }

    func open(path: String) throws(V4L2CallError) -> Int32 {
        if let code = openErrors[path] { throw V4L2CallError(call: "open", errno: code) }
        guard let node = nodes[path] else { throw V4L2CallError(call: "open", errno: ENOENT) }
        opened += 1
        let fd = nextFD
        nextFD += 1
        openNodes[fd] = node
        return fd
    }

    func close(_ fd: Int32) {
        closed += 1
        openNodes[fd] = nil
    }

    func queryCapabilities(_ fd: Int32) throws(V4L2CallError) -> DeviceCapabilities {
        try node(fd, "VIDIOC_QUERYCAP").capabilities
    }

    func enumerateFormat(_ fd: Int32, index: Int) throws(V4L2CallError) -> PixelFormatDescription? {
        let formats = try node(fd, "VIDIOC_ENUM_FMT").formats
        guard formats.indices.contains(index) else { return nil }
        let format = formats[index]
        return PixelFormatDescription(fourcc: format.fourcc, description: "fake \(CameraPixelFormat.fourccString(format.fourcc))",
                                      isEmulated: format.isEmulated)
    }

    func enumerateFrameSize(_ fd: Int32, fourcc: UInt32, index: Int) throws(V4L2CallError) -> FrameSizeOption? {
        guard let format = try node(fd, "VIDIOC_ENUM_FRAMESIZES").formats.first(where: { $0.fourcc == fourcc }),
              format.sizes.indices.contains(index) else { return nil }
        return format.sizes[index]
    }

    func enumerateFrameInterval(_ fd: Int32, fourcc: UInt32, size: FrameSize,
                                index: Int) throws(V4L2CallError) -> FrameIntervalOption? {
        guard let format = try node(fd, "VIDIOC_ENUM_FRAMEINTERVALS").formats.first(where: { $0.fourcc == fourcc }),
              format.intervals.indices.contains(index) else { return nil }
        return format.intervals[index]
    }

    func getFormat(_ fd: Int32) throws(V4L2CallError) -> CaptureFormat {
        let node = try node(fd, "VIDIOC_G_FMT")
        return current ?? CaptureFormat(fourcc: node.formats.first?.fourcc ?? 0, width: 640, height: 480)
    }

    /// Like a driver: an unknown format becomes the first one offered, the
    /// size the nearest offered, and the pitch and image size are filled in.
    func setFormat(_ fd: Int32, _ request: CaptureFormat) throws(V4L2CallError) -> CaptureFormat {
        let node = try node(fd, "VIDIOC_S_FMT")
        setFormatRequests.append(request)
        if let code = setFormatError { throw V4L2CallError(call: "VIDIOC_S_FMT", errno: code) }
        guard let format = node.formats.first(where: { $0.fourcc == request.fourcc }) ?? node.formats.first else {
            throw V4L2CallError(call: "VIDIOC_S_FMT", errno: EINVAL)
        }
        let target = FrameSize(width: request.width, height: request.height)
        let size = FormatNegotiation.size(from: format.sizes, target: target) ?? target
        var answer = CaptureFormat(fourcc: format.fourcc, width: size.width, height: size.height)
        if let pixel = CameraPixelFormat(fourcc: format.fourcc) {
            answer.bytesPerLine = pixel.minimumBytesPerLine(width: size.width)
            answer.sizeImage = TestEncoding.fullImageSize(pixel, width: size.width, height: size.height,
                                                          bytesPerLine: answer.bytesPerLine)
        } else {
            answer.sizeImage = size.width * size.height
        }
        if let formatOverride { answer = formatOverride(answer) }
        current = answer
        return answer
    }

    func setFrameInterval(_ fd: Int32, _ interval: FrameInterval) throws(V4L2CallError) -> FrameInterval? {
        _ = try node(fd, "VIDIOC_S_PARM")
        intervalRequests.append(interval)
        return intervalAnswer(interval)
    }

    func requestBuffers(_ fd: Int32, count: Int) throws(V4L2CallError) -> Int {
        _ = try node(fd, "VIDIOC_REQBUFS")
        if count == 0 { return 0 }
        let granted = grantedBuffers ?? count
        let length = max(0, current?.sizeImage ?? 0)
        for memory in buffers { memory.deallocate() }
        buffers = (0..<granted).map { _ in .allocate(byteCount: max(1, length), alignment: 16) }
        return granted
    }

    func queryBuffer(_ fd: Int32, index: Int) throws(V4L2CallError) -> BufferInfo {
        _ = try node(fd, "VIDIOC_QUERYBUF")
        guard buffers.indices.contains(index) else { throw V4L2CallError(call: "VIDIOC_QUERYBUF", errno: EINVAL) }
        return BufferInfo(index: index, offset: Int64(index) * 4096, length: buffers[index].count)
    }

    func map(_ fd: Int32, buffer: BufferInfo) throws(V4L2CallError) -> UnsafeMutableRawBufferPointer {
        _ = try node(fd, "mmap")
        guard buffers.indices.contains(buffer.index) else { throw V4L2CallError(call: "mmap", errno: EINVAL) }
        mapped += 1
        return buffers[buffer.index]
    }

    func unmap(_ memory: UnsafeMutableRawBufferPointer) {
        if buffers.contains(where: { $0.baseAddress == memory.baseAddress }) { unmapped += 1 } else { unknownUnmaps += 1 }
    }

    func queueBuffer(_ fd: Int32, index: Int) throws(V4L2CallError) {
        _ = try node(fd, "VIDIOC_QBUF")
        queueCalls += 1
        if case .queueError(let code)? = take({ if case .queueError = $0 { true } else { false } }) {
            throw V4L2CallError(call: "VIDIOC_QBUF", errno: code)
        }
        guard buffers.indices.contains(index), !queue.contains(index) else {
            throw V4L2CallError(call: "VIDIOC_QBUF", errno: EINVAL)
        }
        queue.append(index)
    }

    func dequeueBuffer(_ fd: Int32) throws(V4L2CallError) -> DequeuedBuffer {
        _ = try node(fd, "VIDIOC_DQBUF")
        let event = take { event in
            switch event {
            case .dequeueError, .bytesUsed, .badIndex: true
            default: false
            }
        }
        switch event {
        case .dequeueError(let code)?:
            if code == ENODEV || code == EIO { gone = true }
            throw V4L2CallError(call: "VIDIOC_DQBUF", errno: code)
        case .badIndex(let index)?:
            return DequeuedBuffer(index: index, bytesUsed: 10)
        default: break
        }
        guard streaming else { throw V4L2CallError(call: "VIDIOC_DQBUF", errno: EINVAL) }
        guard !queue.isEmpty, let format = current else { throw V4L2CallError(call: "VIDIOC_DQBUF", errno: EAGAIN) }
        let index = queue.removeFirst()
        let memory = buffers[index]
        let image = produce(sequence, format)
        let count = min(image.count, memory.count)
        image.withUnsafeBytes { memory.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: count) }
        sequence += 1
        dequeued += 1
        var used = count
        if case .bytesUsed(let forced)? = event { used = forced }
        return DequeuedBuffer(index: index, bytesUsed: used, sequence: UInt32(sequence - 1))
    }

    func streamOn(_ fd: Int32) throws(V4L2CallError) {
        _ = try node(fd, "VIDIOC_STREAMON")
        streamOns += 1
        streaming = true
    }

    func streamOff(_ fd: Int32) throws(V4L2CallError) {
        streamOffs += 1
        _ = try node(fd, "VIDIOC_STREAMOFF")
        streaming = false
        queue.removeAll()
    }

    func waitReadable(_ fd: Int32, timeout: Duration) throws(V4L2CallError) -> Bool {
        _ = try node(fd, "poll")
        switch take({ $0 == .pollTimeout || { if case .pollError = $0 { true } else { false } }($0) }) {
        case .pollTimeout?: return false
        case .pollError(let code)?: throw V4L2CallError(call: "poll", errno: code)
        default: break
        }
        // A pending injected dequeue event counts as readable (the error or odd buffer is "ready").
        if let first = script.first, case .dequeueError = first { return true }
        if let first = script.first, case .badIndex = first { return true }
        return streaming && !queue.isEmpty
    }
}
