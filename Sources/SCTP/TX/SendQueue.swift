/// A message accepted by `send` and not yet fully handed to the wire.
struct OutgoingMessage: Sendable {
    var id: UInt64
    var streamID: UInt16
    var ppid: UInt32
    var ordered: Bool
    var payload: [UInt8]
    var maxRetransmits: UInt16?
    var expiresAt: Duration?
    /// Bytes already cut into fragments.
    var sentOffset = 0
    /// Assigned when the first fragment is produced.
    var ssn: UInt16?
}

/// One fragment ready for a TSN, with what the retransmission queue must remember.
struct OutgoingFragment: Sendable {
    var chunk: DataChunk
    var messageID: UInt64
    var maxRetransmits: UInt16?
    var expiresAt: Duration?
}

/// Per-stream FIFO queues served round-robin one whole message at a time (fragments of a
/// message take consecutive TSNs, RFC 9260 §6.9). Streams paused for a reset (RFC 6525 §5.1.2)
/// finish the messages queued before the pause, then wait.
struct SendQueue: Sendable {
    private struct StreamQueue: Sendable {
        var messages: [OutgoingMessage] = []
        var head = 0
        /// Messages that may still go out before the pending reset; nil when not pausing.
        var allowedBeforeReset: Int?

        var isEmpty: Bool { head >= messages.count }
        var first: OutgoingMessage? { isEmpty ? nil : messages[head] }
        var pending: Int { messages.count - head }
        var canSend: Bool { !isEmpty && (allowedBeforeReset ?? 1) > 0 }

        mutating func popFirst() {
            head += 1
            if let allowed = allowedBeforeReset { allowedBeforeReset = max(0, allowed - 1) }
            if head > 32 && head * 2 > messages.count {
                messages.removeFirst(head)
                head = 0
            }
        }
    }

    private var streams: [UInt16: StreamQueue] = [:]
    private var nextSSN: [UInt16: UInt16] = [:]
    /// Streams with data, in round-robin order.
    private var rotation: [UInt16] = []
    /// The stream whose message is partly fragmented.
    private var current: UInt16?
    private var nextMessageID: UInt64 = 1
    private(set) var queuedBytes = 0
    /// Queued messages with a lifetime: `dropExpired` runs before every packet and has nothing
    /// to do while this is zero (the common, fully reliable case).
    private var messagesWithLifetime = 0
    /// `queuedBytes` per stream, kept as we go: `bufferedAmount` is read after every SACK.
    private var queuedBytesByStream: [UInt16: Int] = [:]

    var isEmpty: Bool { queuedBytes == 0 }
    var hasMessagesWithLifetime: Bool { messagesWithLifetime > 0 }

    mutating func enqueue(
        streamID: UInt16, ppid: UInt32, ordered: Bool, payload: [UInt8],
        maxRetransmits: UInt16?, expiresAt: Duration?
    ) {
        let message = OutgoingMessage(
            id: nextMessageID, streamID: streamID, ppid: ppid, ordered: ordered, payload: payload,
            maxRetransmits: maxRetransmits, expiresAt: expiresAt)
        nextMessageID &+= 1
        queuedBytes += payload.count
        queuedBytesByStream[streamID, default: 0] += payload.count
        if expiresAt != nil { messagesWithLifetime += 1 }
        if streams[streamID] == nil { streams[streamID] = StreamQueue() }
        streams[streamID]?.messages.append(message)
        if !rotation.contains(streamID) { rotation.append(streamID) }
    }

    /// Drops messages whose lifetime ended before their first fragment was sent.
    /// Returns the freed bytes per stream.
    mutating func dropExpired(now: Duration) -> [UInt16: Int] {
        guard messagesWithLifetime > 0 else { return [:] }
        var freed: [UInt16: Int] = [:]
        for streamID in rotation {
            while let message = streams[streamID]?.first, message.sentOffset == 0,
                  let expiry = message.expiresAt, expiry <= now {
                streams[streamID]?.popFirst()
                messagesWithLifetime -= 1
                queuedBytes -= message.payload.count
                release(message.payload.count, stream: streamID)
                freed[streamID, default: 0] += message.payload.count
            }
        }
        cleanUp()
        return freed
    }

    /// The next fragment of at most `maxSize` payload bytes.
    mutating func nextFragment(maxSize: Int, now: Duration) -> OutgoingFragment? {
        guard maxSize > 0 else { return nil }
        let streamID: UInt16
        if let current, streams[current]?.first != nil {
            streamID = current
        } else {
            guard let index = rotation.firstIndex(where: { streams[$0]?.canSend == true }) else { return nil }
            streamID = rotation[index]
            // Move the chosen stream to the back: round-robin between streams.
            rotation.remove(at: index)
            rotation.append(streamID)
        }
        guard var message = streams[streamID]?.first else { return nil }
        if message.ssn == nil {
            if message.ordered {
                let ssn = nextSSN[streamID] ?? 0
                message.ssn = ssn
                nextSSN[streamID] = ssn &+ 1
            } else {
                message.ssn = 0
            }
        }
        let start = message.sentOffset
        let end = min(message.payload.count, start + maxSize)
        let chunk = DataChunk(
            tsn: 0, streamID: streamID, ssn: message.ssn ?? 0, ppid: message.ppid,
            payload: Array(message.payload[start..<end]), unordered: !message.ordered,
            beginning: start == 0, ending: end == message.payload.count)
        message.sentOffset = end
        queuedBytes -= end - start
        release(end - start, stream: streamID)
        if chunk.ending {
            streams[streamID]?.popFirst()
            if message.expiresAt != nil { messagesWithLifetime -= 1 }
            current = nil
            cleanUp()
        } else {
            if let head = streams[streamID]?.head { streams[streamID]?.messages[head] = message }
            current = streamID
        }
        return OutgoingFragment(
            chunk: chunk, messageID: message.id, maxRetransmits: message.maxRetransmits,
            expiresAt: message.expiresAt)
    }

    /// Size of the next fragment's message remainder, to decide whether to start it in this packet.
    var nextRemainder: Int? {
        if let current, let message = streams[current]?.first { return message.payload.count - message.sentOffset }
        guard let streamID = rotation.first(where: { streams[$0]?.canSend == true }),
              let message = streams[streamID]?.first else { return nil }
        return message.payload.count - message.sentOffset
    }

    /// RFC 3758: the message was abandoned after some fragments went out; drop the rest.
    /// Returns the stream and bytes freed.
    mutating func discardRemainder(ofMessage id: UInt64) -> (UInt16, Int)? {
        guard let streamID = current, let message = streams[streamID]?.first, message.id == id else { return nil }
        let remaining = message.payload.count - message.sentOffset
        queuedBytes -= remaining
        release(remaining, stream: streamID)
        streams[streamID]?.popFirst()
        if message.expiresAt != nil { messagesWithLifetime -= 1 }
        current = nil
        cleanUp()
        return (streamID, remaining)
    }

    /// Starts a reset: messages queued now still go out, later ones wait for `resumeAfterReset`.
    mutating func pauseForReset(_ streamIDs: [UInt16]) {
        for streamID in streamIDs {
            var queue = streams[streamID] ?? StreamQueue()
            queue.allowedBeforeReset = queue.pending
            streams[streamID] = queue
        }
    }

    /// Whether every listed stream has sent what it may before the reset request.
    func readyForReset(_ streamIDs: [UInt16]) -> Bool {
        streamIDs.allSatisfy { id in
            current != id && (streams[id]?.allowedBeforeReset ?? 0) == 0
        }
    }

    /// RFC 6525 §5.1.2 / §5.2.2: after the reset the stream's SSNs start again at 0.
    mutating func resumeAfterReset(_ streamIDs: [UInt16]) {
        for streamID in streamIDs {
            nextSSN[streamID] = nil
            streams[streamID]?.allowedBeforeReset = nil
            if streams[streamID]?.isEmpty == true { streams[streamID] = nil }
        }
        cleanUp()
    }

    /// Lifts a pause without resetting SSNs (the peer denied the reset).
    mutating func unpause(_ streamIDs: [UInt16]) {
        for streamID in streamIDs {
            streams[streamID]?.allowedBeforeReset = nil
            if streams[streamID]?.isEmpty == true { streams[streamID] = nil }
        }
    }

    func queuedBytes(stream: UInt16) -> Int { queuedBytesByStream[stream] ?? 0 }

    /// Recounts `queuedBytes(stream:)` from the queues (tests and debugging).
    var isConsistent: Bool {
        var counted: [UInt16: Int] = [:]
        for (streamID, queue) in streams {
            for index in queue.head..<queue.messages.count {
                let left = queue.messages[index].payload.count - queue.messages[index].sentOffset
                if left > 0 { counted[streamID, default: 0] += left }
            }
        }
        return counted == queuedBytesByStream && counted.values.reduce(0, +) == queuedBytes
    }

    private mutating func release(_ bytes: Int, stream: UInt16) {
        let left = (queuedBytesByStream[stream] ?? 0) - bytes
        queuedBytesByStream[stream] = left > 0 ? left : nil
    }

    private mutating func cleanUp() {
        for streamID in rotation where streams[streamID]?.isEmpty ?? true {
            if streams[streamID]?.allowedBeforeReset == nil { streams[streamID] = nil }
        }
        rotation.removeAll { streams[$0]?.isEmpty ?? true }
    }
}
