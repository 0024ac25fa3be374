/// A complete user message rebuilt from DATA fragments.
struct ReassembledMessage: Equatable, Sendable {
    var streamID: UInt16
    var ppid: UInt32
    var payload: [UInt8]
}

/// Rebuilds messages from fragments (B/E flags, consecutive TSNs, RFC 9260 §6.9) and delivers
/// ordered messages per stream in SSN order, unordered ones at once (§6.6).
/// Memory is bounded by the caller's window check and `maxMessageSize`.
struct ReassemblyQueue: Sendable {
    struct Fragment: Sendable {
        var streamID: UInt16
        var ssn: UInt16
        var ppid: UInt32
        var payload: [UInt8]
        var unordered: Bool
        var beginning: Bool
        var ending: Bool
    }

    enum Failure: Error, Equatable { case messageTooLarge }

    let maxMessageSize: Int
    private var fragments: [UInt32: Fragment] = [:]
    /// Complete ordered messages waiting for earlier SSNs, by stream then SSN.
    private var waiting: [UInt16: [UInt16: ReassembledMessage]] = [:]
    /// Next SSN to deliver per stream; absent means 0.
    private var expectedSSN: [UInt16: UInt16] = [:]
    /// Payload bytes held (fragments and waiting messages).
    private(set) var bufferedBytes = 0

    init(maxMessageSize: Int) { self.maxMessageSize = maxMessageSize }

    var isEmpty: Bool { fragments.isEmpty && waiting.isEmpty }

    /// Adds one fragment; returns messages now deliverable, in order.
    mutating func add(tsn: UInt32, _ chunk: DataChunk) throws(Failure) -> [ReassembledMessage] {
        if !chunk.unordered, chunk.ssn.precedes(expectedSSN[chunk.streamID] ?? 0) { return [] }
        let fragment = Fragment(
            streamID: chunk.streamID, ssn: chunk.ssn, ppid: chunk.ppid, payload: chunk.payload,
            unordered: chunk.unordered, beginning: chunk.beginning, ending: chunk.ending)
        fragments[tsn] = fragment
        bufferedBytes += chunk.payload.count
        guard let (first, last, size) = try completeMessage(around: tsn, like: fragment) else { return [] }
        var payload: [UInt8] = []
        payload.reserveCapacity(size)
        var cursor = first
        while true {
            if let part = fragments.removeValue(forKey: cursor) { payload += part.payload }
            if cursor == last { break }
            cursor &+= 1
        }
        let message = ReassembledMessage(streamID: fragment.streamID, ppid: fragment.ppid, payload: payload)
        if fragment.unordered {
            bufferedBytes -= size
            return [message]
        }
        waiting[fragment.streamID, default: [:]][fragment.ssn] = message
        return drainOrdered(fragment.streamID)
    }

    /// The TSN range and size of the message `tsn` belongs to, if every fragment is here.
    private func completeMessage(around tsn: UInt32, like fragment: Fragment) throws(Failure) -> (UInt32, UInt32, Int)? {
        var size = fragment.payload.count
        var last = tsn
        var current = fragment
        while !current.ending {
            guard let next = fragments[last &+ 1], !next.beginning, Self.sameMessage(next, fragment) else { return nil }
            last &+= 1
            current = next
            size += next.payload.count
            if size > maxMessageSize { throw .messageTooLarge }
        }
        var first = tsn
        current = fragment
        while !current.beginning {
            guard let previous = fragments[first &- 1], !previous.ending, Self.sameMessage(previous, fragment) else { return nil }
            first &-= 1
            current = previous
            size += previous.payload.count
            if size > maxMessageSize { throw .messageTooLarge }
        }
        return (first, last, size)
    }

    private static func sameMessage(_ a: Fragment, _ b: Fragment) -> Bool {
        a.streamID == b.streamID && a.unordered == b.unordered && (a.unordered || a.ssn == b.ssn)
    }

    private mutating func drainOrdered(_ stream: UInt16) -> [ReassembledMessage] {
        var out: [ReassembledMessage] = []
        var expected = expectedSSN[stream] ?? 0
        while let message = waiting[stream]?.removeValue(forKey: expected) {
            bufferedBytes -= message.payload.count
            out.append(message)
            expected &+= 1
        }
        expectedSSN[stream] = expected == 0 ? nil : expected
        if waiting[stream]?.isEmpty == true { waiting[stream] = nil }
        return out
    }

    /// FORWARD TSN (RFC 3758 §3.6): drop fragments up to `newCumulative`, skip ordered SSNs.
    mutating func forward(to newCumulative: UInt32, skipped: [ForwardTSNChunk.SkippedStream]) -> [ReassembledMessage] {
        for (tsn, fragment) in fragments where tsn.precedesOrEquals(newCumulative) {
            fragments[tsn] = nil
            bufferedBytes -= fragment.payload.count
        }
        var out: [ReassembledMessage] = []
        for entry in skipped {
            let expected = expectedSSN[entry.streamID] ?? 0
            guard expected.precedesOrEquals(entry.ssn) else { continue }
            // Complete messages at or below the skipped SSN are still delivered, in order.
            let ready = (waiting[entry.streamID] ?? [:]).keys
                .filter { $0 &- expected <= entry.ssn &- expected }
                .sorted { $0 &- expected < $1 &- expected }
            for ssn in ready {
                if let message = waiting[entry.streamID]?.removeValue(forKey: ssn) {
                    bufferedBytes -= message.payload.count
                    out.append(message)
                }
            }
            expectedSSN[entry.streamID] = entry.ssn &+ 1
            out += drainOrdered(entry.streamID)
        }
        return out
    }

    /// RFC 6525 §5.2.2: the peer's outgoing streams restart at SSN 0 (all streams when empty).
    mutating func resetStreams(_ streams: [UInt16]) {
        if streams.isEmpty {
            expectedSSN.removeAll()
            for stream in Array(waiting.keys) { dropWaiting(stream) }
        } else {
            for stream in streams {
                expectedSSN[stream] = nil
                dropWaiting(stream)
            }
        }
    }

    private mutating func dropWaiting(_ stream: UInt16) {
        guard let messages = waiting.removeValue(forKey: stream) else { return }
        for message in messages.values { bufferedBytes -= message.payload.count }
    }
}
