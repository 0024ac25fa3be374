/// One complete VP8 frame reassembled from RTP packets.
public struct VP8Frame: Sendable, Hashable {
    /// The VP8 bitstream (descriptors stripped).
    public var data: [UInt8]
    public var timestamp: UInt32
    /// P bit of the VP8 payload header is 0 (RFC 7741 §4.3): an intra frame.
    public var isKeyframe: Bool
    public var pictureID: UInt16?
    public var firstSequenceNumber: UInt16
    public var lastSequenceNumber: UInt16

    public init(data: [UInt8], timestamp: UInt32, isKeyframe: Bool, pictureID: UInt16?, firstSequenceNumber: UInt16,
                lastSequenceNumber: UInt16) {
        self.data = data
        self.timestamp = timestamp
        self.isKeyframe = isKeyframe
        self.pictureID = pictureID
        self.firstSequenceNumber = firstSequenceNumber
        self.lastSequenceNumber = lastSequenceNumber
    }
}

public enum VP8DepayloaderOutput: Sendable, Hashable {
    case frame(VP8Frame)
    /// A frame (or the packets in a gap) will not complete: given up after `maxWait`.
    /// The RTP timestamp is known when some of the frame's packets arrived.
    case frameLost(timestamp: UInt32?)
    /// Decoding cannot continue until a keyframe arrives: send PLI (RFC 4585 §6.3.1).
    /// Emitted once each time the stream breaks; `needsKeyframe` stays true until one arrives.
    case keyframeNeeded
}

/// Reassembles VP8 frames from RTP packets that may arrive out of order, twice, or
/// not at all (RFC 7741 §4). A frame is complete when the packets from one with
/// S=1, PID=0 through one with the marker bit have contiguous sequence numbers
/// (16-bit wrap handled) and the same timestamp. Frames come out in sequence order;
/// delta frames after a loss are dropped until a keyframe (they would not decode).
/// Padding-only packets (empty payload) fill their sequence number between frames.
///
/// Sans-IO: `insert(_:now:)`, `handleTimeout(now:)`, drain `poll()`, ask `pollTimeout()`.
public struct VP8Depayloader: Sendable {
    public struct Counters: Sendable, Hashable {
        public var framesAssembled = 0
        public var keyframesAssembled = 0
        /// Frames (or gaps) given up on.
        public var framesLost = 0
        /// Complete delta frames dropped while waiting for a keyframe.
        public var framesDroppedAwaitingKeyframe = 0
        /// Packets dropped as late, duplicate, malformed or part of a lost frame.
        public var packetsDiscarded = 0
    }

    struct Entry: Sendable {
        var packet: RTPPacket
        var descriptor: VP8PayloadDescriptor
        var descriptorSize: Int
        /// A padding-only packet (empty payload, e.g. bandwidth probing): it holds
        /// a sequence number between frames and carries no video.
        var isFiller: Bool { descriptorSize == 0 }
    }

    /// How long a gap or an incomplete frame is waited for before it is declared lost.
    public var maxWait: Duration
    /// Packets held at most; beyond it the oldest incomplete frame is given up.
    public var capacity: Int
    public private(set) var counters = Counters()
    /// True from the start and after a loss, until a keyframe is delivered.
    public private(set) var needsKeyframe = true

    private var tracker = SequenceTracker()
    private var buffer: [Int64: Entry] = [:]
    private var keys: [Int64] = []  // sorted keys of `buffer`
    private var lastEnd: Int64?
    private var blockedSince: Duration?
    private var keyframeRequested = false
    private var outputs: [VP8DepayloaderOutput] = []
    private var outputIndex = 0

    public init(maxWait: Duration = .milliseconds(200), capacity: Int = 1024) {
        self.maxWait = maxWait
        self.capacity = max(capacity, 16)
    }

    public mutating func insert(_ packet: RTPPacket, now: Duration) {
        let descriptor: VP8PayloadDescriptor
        let size: Int
        if packet.payload.isEmpty {
            (descriptor, size) = (VP8PayloadDescriptor(startOfPartition: false), 0)
        } else if let parsed = VP8PayloadDescriptor.parse(packet.payload) {
            (descriptor, size) = parsed
        } else {
            counters.packetsDiscarded += 1
            return
        }
        let ext: Int64
        switch tracker.track(packet.sequenceNumber) {
        case .accepted(let s):
            ext = s
        case .restarted(let s):
            ext = s
            counters.packetsDiscarded += keys.count
            buffer.removeAll()
            keys.removeAll()
            lastEnd = nil
            blockedSince = nil
            needsKeyframe = true
            requestKeyframeOnce()
        case .rejected:
            counters.packetsDiscarded += 1
            return
        }
        if let lastEnd, ext <= lastEnd {
            counters.packetsDiscarded += 1  // late or duplicate of a delivered frame
            return
        }
        guard buffer[ext] == nil else {
            counters.packetsDiscarded += 1
            return
        }
        buffer[ext] = Entry(packet: packet, descriptor: descriptor, descriptorSize: size)
        insertKey(ext)
        while keys.count > capacity { skipBlockedFrame() }
        process(now: now)
    }

    public mutating func handleTimeout(now: Duration) {
        process(now: now)
    }

    /// When the frame being waited for will be given up.
    public func pollTimeout() -> Duration? {
        blockedSince.map { $0 + maxWait }
    }

    public mutating func poll() -> VP8DepayloaderOutput? {
        guard outputIndex < outputs.count else {
            outputs.removeAll(keepingCapacity: true)
            outputIndex = 0
            return nil
        }
        defer { outputIndex += 1 }
        return outputs[outputIndex]
    }

    /// Gives up on the frame being waited for now (e.g. when a jitter buffer in front
    /// has already declared its packets lost).
    public mutating func skipMissing(now: Duration) {
        guard !keys.isEmpty else { return }
        skipBlockedFrame()
        process(now: now)
    }

    // MARK: - Internals

    private mutating func insertKey(_ key: Int64) {
        if let last = keys.last, last < key {
            keys.append(key)
            return
        }
        var low = 0
        var high = keys.count
        while low < high {
            let mid = (low + high) / 2
            if keys[mid] < key { low = mid + 1 } else { high = mid }
        }
        keys.insert(key, at: low)
    }

    private mutating func removeKeys(below bound: Int64) -> Int {
        var n = 0
        while n < keys.count && keys[n] < bound {
            buffer[keys[n]] = nil
            n += 1
        }
        keys.removeFirst(n)
        return n
    }

    private mutating func process(now: Duration) {
        while let base = keys.first {
            let expected = lastEnd.map { $0 + 1 }
            if let entry = buffer[base], entry.isFiller, expected == nil || base == expected {
                _ = removeKeys(below: base + 1)
                lastEnd = base
                blockedSince = nil
                continue
            }
            if let (frame, end) = completeFrame(at: base), expected == nil || base == expected || frame.isKeyframe {
                _ = removeKeys(below: end + 1)
                lastEnd = end
                blockedSince = nil
                deliver(frame)
                continue
            }
            // Blocked. A complete keyframe further on makes everything before it moot.
            if let (key, start, end) = laterCompleteKeyframe(after: base) {
                let dropped = removeKeys(below: start)
                counters.packetsDiscarded += dropped
                if dropped > 0 || (expected.map { start > $0 } ?? false) {
                    counters.framesLost += 1
                    outputs.append(.frameLost(timestamp: nil))
                }
                _ = removeKeys(below: end + 1)
                lastEnd = end
                blockedSince = nil
                deliver(key)
                continue
            }
            let since = blockedSince ?? now
            blockedSince = since
            guard now >= since + maxWait else { return }
            skipBlockedFrame()
        }
        blockedSince = nil
    }

    /// Declares the frame at the head lost: a gap before the first held packet is
    /// jumped over, else the held packets up to the next frame start are dropped.
    private mutating func skipBlockedFrame() {
        guard let base = keys.first else { return }
        var lostTimestamp: UInt32?
        if let lastEnd, base > lastEnd + 1 {
            self.lastEnd = base - 1
        } else {
            lostTimestamp = buffer[base]?.packet.timestamp
            let next = keys.dropFirst().first { buffer[$0]?.descriptor.isFrameStart == true }
            let bound = next ?? (keys[keys.count - 1] + 1)
            counters.packetsDiscarded += removeKeys(below: bound)
            lastEnd = bound - 1
        }
        blockedSince = nil
        counters.framesLost += 1
        outputs.append(.frameLost(timestamp: lostTimestamp))
        needsKeyframe = true
        requestKeyframeOnce()
    }

    private mutating func requestKeyframeOnce() {
        guard !keyframeRequested else { return }
        keyframeRequested = true
        outputs.append(.keyframeNeeded)
    }

    private mutating func deliver(_ frame: VP8Frame) {
        if frame.isKeyframe {
            needsKeyframe = false
            keyframeRequested = false
            counters.keyframesAssembled += 1
        } else if needsKeyframe {
            counters.framesDroppedAwaitingKeyframe += 1
            requestKeyframeOnce()
            return
        }
        counters.framesAssembled += 1
        outputs.append(.frame(frame))
    }

    /// The first complete keyframe held after `base`, with its first and last keys.
    private func laterCompleteKeyframe(after base: Int64) -> (VP8Frame, Int64, Int64)? {
        for key in keys.dropFirst() where key > base {
            guard let entry = buffer[key], entry.descriptor.isFrameStart,
                  // Cheap test first: the P bit of the frame's first VP8 octet.
                  entry.descriptorSize < entry.packet.payload.count,
                  entry.packet.payload[entry.descriptorSize] & 0x01 == 0,
                  let (frame, end) = completeFrame(at: key), frame.isKeyframe else { continue }
            return (frame, key, end)
        }
        return nil
    }

    /// The frame starting at `base` if all its packets are here.
    private func completeFrame(at base: Int64) -> (VP8Frame, Int64)? {
        guard let first = buffer[base], first.descriptor.isFrameStart else { return nil }
        var key = base
        var data: [UInt8] = []
        while let entry = buffer[key] {
            guard !entry.isFiller, entry.packet.timestamp == first.packet.timestamp else { return nil }
            if key != base && entry.descriptor.isFrameStart { return nil }  // next frame began: our end was lost
            data.append(contentsOf: entry.packet.payload[entry.descriptorSize...])
            if entry.packet.marker {
                // VP8 payload header (RFC 7741 §4.3): P bit (bit 0 of the first octet), 0 = key frame.
                let isKeyframe = data.first.map { $0 & 0x01 == 0 } ?? false
                let frame = VP8Frame(data: data, timestamp: first.packet.timestamp, isKeyframe: isKeyframe,
                                     pictureID: first.descriptor.pictureID, firstSequenceNumber: first.packet.sequenceNumber,
                                     lastSequenceNumber: entry.packet.sequenceNumber)
                return (frame, key)
            }
            key += 1
        }
        return nil
    }
}
