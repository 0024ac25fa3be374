/// Sent DATA chunks not yet acknowledged cumulatively: SACK processing (RFC 9260 §6.2.1),
/// fast retransmit on three miss indications (§7.2.4), T3-rtx marking (§6.3.3), and
/// partial-reliability abandonment with the FORWARD TSN it implies (RFC 3758 §3.5).
struct RetransmissionQueue: Sendable {
    enum EntryState: Sendable, Equatable { case inFlight, acked, toRetransmit, abandoned }

    struct Entry: Sendable {
        var chunk: DataChunk
        var messageID: UInt64
        var maxRetransmits: UInt16?
        var expiresAt: Duration?
        var sentAt: Duration
        var transmissions = 1
        var state = EntryState.inFlight
        var missIndications = 0
        var fastRetransmitPending = false
        var fastRetransmitted = false
    }

    struct AckOutcome: Sendable {
        var bytesFreedByStream: [UInt16: Int] = [:]
        var rttSample: Duration?
        var cumulativeAdvanced = false
        var newlyAcked = false
        var fastRetransmits = 0
        var abandonedMessages: [UInt64] = []
    }

    /// Entries in TSN order; entry i has TSN `cumulativeAck + 1 + i`.
    private(set) var entries: [Entry] = []
    private(set) var cumulativeAck: UInt32
    private(set) var nextTSN: UInt32
    private(set) var flightSize = 0
    /// Peer's receive window less what is in flight (§6.2.1).
    private(set) var peerWindow: Int
    private(set) var congestion: CongestionController
    let partialReliability: Bool
    private(set) var unackedBytesByStream: [UInt16: Int] = [:]
    private var retransmitCount = 0
    private var abandonedCount = 0
    /// Entries with a lifetime: `abandonExpired` runs before every packet and skips its scan
    /// while this is zero.
    private var entriesWithLifetime = 0

    init(initialTSN: UInt32, mtu: Int, peerReceiverWindow: UInt32, partialReliability: Bool) {
        cumulativeAck = initialTSN &- 1
        nextTSN = initialTSN
        peerWindow = Int(peerReceiverWindow)
        congestion = CongestionController(mtu: mtu, peerReceiverWindow: peerReceiverWindow)
        self.partialReliability = partialReliability
    }

    var isEmpty: Bool { entries.isEmpty }
    var hasRetransmissions: Bool { retransmitCount > 0 }
    var hasEntriesWithLifetime: Bool { entriesWithLifetime > 0 }
    var hasFastRetransmissions: Bool { retransmitCount > 0 && entries.contains { $0.fastRetransmitPending } }
    var highestSentTSN: UInt32 { nextTSN &- 1 }

    func unackedBytes(stream: UInt16) -> Int { unackedBytesByStream[stream] ?? 0 }

    /// §6.1 A/B: new data goes out while flight < cwnd and the peer has room
    /// (one chunk may probe a zero window when nothing is in flight).
    func allowsNewData(size: Int) -> Bool {
        if flightSize == 0 { return true }
        return flightSize < congestion.congestionWindow && peerWindow >= size
    }

    /// Assigns the next TSN to a fragment and starts tracking it.
    mutating func track(_ fragment: OutgoingFragment, now: Duration) -> DataChunk {
        var chunk = fragment.chunk
        chunk.tsn = nextTSN
        nextTSN &+= 1
        let size = chunk.payload.count
        entries.append(Entry(
            chunk: chunk, messageID: fragment.messageID,
            maxRetransmits: partialReliability ? fragment.maxRetransmits : nil,
            expiresAt: partialReliability ? fragment.expiresAt : nil, sentAt: now))
        flightSize += size
        peerWindow -= size
        unackedBytesByStream[chunk.streamID, default: 0] += size
        if entries[entries.count - 1].expiresAt != nil { entriesWithLifetime += 1 }
        return chunk
    }

    private func index(of tsn: UInt32) -> Int? {
        let offset = tsn &- (cumulativeAck &+ 1)
        guard offset < UInt32(entries.count) else { return nil }
        return Int(offset)
    }

    private mutating func free(_ entry: Entry, into outcome: inout AckOutcome) {
        let size = entry.chunk.payload.count
        let stream = entry.chunk.streamID
        outcome.bytesFreedByStream[stream, default: 0] += size
        let left = (unackedBytesByStream[stream] ?? 0) - size
        unackedBytesByStream[stream] = left > 0 ? left : nil
    }

    /// Processes a SACK; nil when it is stale or acknowledges what was never sent.
    mutating func handleSack(_ sack: SackChunk, now: Duration) -> AckOutcome? {
        let cumulative = sack.cumulativeTSNAck
        // §6.2.1 D i: a SACK whose cumulative ack is behind ours is out of date.
        guard cumulative.followsOrEquals(cumulativeAck), cumulative.precedesOrEquals(highestSentTSN) else { return nil }
        var outcome = AckOutcome()
        let flightBefore = flightSize
        var highestNewlyAcked: UInt32?
        var newestSampleSentAt: Duration?

        func acknowledge(_ entry: Entry) -> Bool {
            switch entry.state {
            case .inFlight, .toRetransmit: return true
            case .acked, .abandoned: return false
            }
        }

        // Cumulative part.
        var removeCount = 0
        while removeCount < entries.count, entries[removeCount].chunk.tsn.precedesOrEquals(cumulative) {
            let entry = entries[removeCount]
            if acknowledge(entry) {
                settle(entry, into: &outcome)
                highestNewlyAcked = entry.chunk.tsn
                if entry.transmissions == 1 { newestSampleSentAt = max(newestSampleSentAt ?? entry.sentAt, entry.sentAt) }
            }
            if entry.state == .abandoned { abandonedCount -= 1 }
            if entry.expiresAt != nil { entriesWithLifetime -= 1 }
            removeCount += 1
        }
        if removeCount > 0 {
            entries.removeFirst(removeCount)
            outcome.cumulativeAdvanced = true
        }
        cumulativeAck = cumulative

        // Gap ack blocks (§3.3.4: offsets from the cumulative TSN ack).
        for block in sack.gapBlocks {
            var offset = block.start
            while true {
                if let index = index(of: cumulative &+ UInt32(offset)), acknowledge(entries[index]) {
                    let entry = entries[index]
                    settle(entry, into: &outcome)
                    entries[index].state = .acked
                    entries[index].fastRetransmitPending = false
                    if highestNewlyAcked.map({ $0.precedes(entry.chunk.tsn) }) ?? true { highestNewlyAcked = entry.chunk.tsn }
                    if entry.transmissions == 1 { newestSampleSentAt = max(newestSampleSentAt ?? entry.sentAt, entry.sentAt) }
                }
                if offset == block.end { break }
                offset += 1
            }
        }
        outcome.newlyAcked = highestNewlyAcked != nil
        if let sentAt = newestSampleSentAt { outcome.rttSample = now - sentAt }

        // §7.2.4: miss indications for in-flight TSNs below the highest newly acked one.
        if let highest = highestNewlyAcked, !sack.gapBlocks.isEmpty {
            var enteredRecovery = false
            for index in entries.indices where entries[index].state == .inFlight && entries[index].chunk.tsn.precedes(highest) {
                entries[index].missIndications += 1
                guard entries[index].missIndications >= 3, !entries[index].fastRetransmitted else { continue }
                if !enteredRecovery {
                    congestion.onFastRetransmit(highestOutstanding: highestSentTSN)
                    enteredRecovery = true
                }
                outcome.fastRetransmits += 1
                markForRetransmission(index, fast: true, now: now, outcome: &outcome)
            }
        }

        // §6.2.1: peer rwnd = a_rwnd - bytes still in flight.
        peerWindow = Int(sack.advertisedReceiverWindow) - flightSize
        congestion.onAck(
            bytesAcked: outcome.bytesFreedByStream.values.reduce(0, +),
            cumulativeAdvanced: outcome.cumulativeAdvanced, cumulativeTSN: cumulative, flightBefore: flightBefore)
        return outcome
    }

    private mutating func settle(_ entry: Entry, into outcome: inout AckOutcome) {
        if entry.state == .inFlight { flightSize -= entry.chunk.payload.count }
        if entry.state == .toRetransmit { retransmitCount -= 1 }
        free(entry, into: &outcome)
    }

    /// T3-rtx expiry (§6.3.3 E1-E3): everything in flight is to be retransmitted.
    mutating func handleRetransmissionTimeout(now: Duration) -> AckOutcome {
        var outcome = AckOutcome()
        congestion.onRetransmissionTimeout()
        for index in entries.indices where entries[index].state == .inFlight {
            markForRetransmission(index, fast: false, now: now, outcome: &outcome)
        }
        return outcome
    }

    /// Marks one entry, or abandons its whole message when its reliability is spent
    /// (RFC 3758 §3.5 A1-A3).
    private mutating func markForRetransmission(_ index: Int, fast: Bool, now: Duration, outcome: inout AckOutcome) {
        let entry = entries[index]
        if shouldAbandon(entry, now: now) {
            abandonMessage(entry.messageID, from: index, into: &outcome)
            return
        }
        if entry.state == .inFlight { flightSize -= entry.chunk.payload.count }
        if entry.state != .toRetransmit { retransmitCount += 1 }
        entries[index].state = .toRetransmit
        entries[index].missIndications = 0
        if fast {
            entries[index].fastRetransmitPending = true
            entries[index].fastRetransmitted = true
        }
    }

    private func shouldAbandon(_ entry: Entry, now: Duration) -> Bool {
        if let limit = entry.maxRetransmits, entry.transmissions > Int(limit) { return true }
        if let expiry = entry.expiresAt, expiry <= now { return true }
        return false
    }

    private mutating func abandonMessage(_ messageID: UInt64, from index: Int, into outcome: inout AckOutcome) {
        // Fragments of one message carry consecutive TSNs: scan both ways from `index`.
        var low = index
        while low > 0, entries[low - 1].messageID == messageID { low -= 1 }
        var high = index
        while high + 1 < entries.count, entries[high + 1].messageID == messageID { high += 1 }
        for position in low...high {
            let entry = entries[position]
            switch entry.state {
            case .inFlight: flightSize -= entry.chunk.payload.count; free(entry, into: &outcome)
            case .toRetransmit: retransmitCount -= 1; free(entry, into: &outcome)
            case .acked, .abandoned: break
            }
            if entry.state != .abandoned {
                abandonedCount += 1
                entries[position].state = .abandoned
                entries[position].fastRetransmitPending = false
            }
        }
        if !outcome.abandonedMessages.contains(messageID) { outcome.abandonedMessages.append(messageID) }
    }

    /// Lifetime-expired chunks still in flight may be abandoned at any time (RFC 3758 §3.5 A3).
    mutating func abandonExpired(now: Duration) -> AckOutcome {
        var outcome = AckOutcome()
        guard partialReliability, entriesWithLifetime > 0 else { return outcome }
        for index in entries.indices {
            let entry = entries[index]
            guard entry.state == .inFlight || entry.state == .toRetransmit,
                  let expiry = entry.expiresAt, expiry <= now else { continue }
            abandonMessage(entry.messageID, from: index, into: &outcome)
        }
        return outcome
    }

    /// The next chunk to send again, if it fits in `maxSize` bytes of payload.
    /// Fast retransmissions ignore cwnd once (§7.2.4 3); others wait for room.
    /// Messages found past their reliability limit are abandoned into `outcome`.
    mutating func nextRetransmission(maxSize: Int, now: Duration, outcome: inout AckOutcome) -> DataChunk? {
        var index = 0
        while retransmitCount > 0, index < entries.count {
            let entry = entries[index]
            guard entry.state == .toRetransmit else { index += 1; continue }
            if shouldAbandon(entry, now: now) {
                abandonMessage(entry.messageID, from: index, into: &outcome)
                index += 1
                continue
            }
            guard entry.fastRetransmitPending || flightSize < congestion.congestionWindow else { return nil }
            guard entry.chunk.payload.count <= maxSize else { return nil }
            entries[index].state = .inFlight
            entries[index].transmissions += 1
            entries[index].sentAt = now
            entries[index].fastRetransmitPending = false
            retransmitCount -= 1
            flightSize += entry.chunk.payload.count
            return entry.chunk
        }
        return nil
    }

    /// Recomputes the running totals from the entries (tests and debugging).
    var isConsistent: Bool {
        var flight = 0
        var toRetransmit = 0
        var abandoned = 0
        var withLifetime = 0
        var unacked: [UInt16: Int] = [:]
        for (offset, entry) in entries.enumerated() {
            guard entry.chunk.tsn == cumulativeAck &+ 1 &+ UInt32(offset) else { return false }
            switch entry.state {
            case .inFlight: flight += entry.chunk.payload.count
            case .toRetransmit: toRetransmit += 1
            case .abandoned: abandoned += 1
            case .acked: break
            }
            if entry.state == .inFlight || entry.state == .toRetransmit {
                unacked[entry.chunk.streamID, default: 0] += entry.chunk.payload.count
            }
            if entry.expiresAt != nil { withLifetime += 1 }
        }
        return flight == flightSize && toRetransmit == retransmitCount && abandoned == abandonedCount
            && unacked == unackedBytesByStream && withLifetime == entriesWithLifetime
    }

    /// RFC 3758 §3.5 C1-C3: a FORWARD TSN when abandoned chunks follow the cumulative ack.
    func forwardTSN() -> ForwardTSNChunk? {
        guard partialReliability, abandonedCount > 0 else { return nil }
        var advanced = cumulativeAck
        var streams: [UInt16: UInt16] = [:]
        for entry in entries {
            guard entry.state == .abandoned else { break }
            advanced = entry.chunk.tsn
            if !entry.chunk.unordered {
                let ssn = entry.chunk.ssn
                if let known = streams[entry.chunk.streamID], !known.precedes(ssn) { continue }
                streams[entry.chunk.streamID] = ssn
            }
        }
        guard advanced != cumulativeAck else { return nil }
        let skipped = streams.keys.sorted().map { ForwardTSNChunk.SkippedStream(streamID: $0, ssn: streams[$0] ?? 0) }
        return ForwardTSNChunk(newCumulativeTSN: advanced, skipped: skipped)
    }
}
