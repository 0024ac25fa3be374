// The data path: DATA in (RFC 9260 §6.2), SACK in (§6.2.1), DATA out under cwnd and rwnd
// (§6.1), T3-rtx (§6.3.3), FORWARD TSN both ways (RFC 3758 §3.5, §3.6).

extension SCTPAssociation {
    var acceptsData: Bool {
        switch state {
        case .established, .shutdownPending, .shutdownSent, .shutdownReceived: true
        default: false
        }
    }

    var sendsData: Bool {
        switch state {
        case .established, .shutdownPending, .shutdownReceived: true
        default: false
        }
    }

    func handleData(_ chunk: DataChunk) {
        guard acceptsData, var tracker = dataTracker else { return }
        defer { dataTracker = tracker }
        counters.dataChunksReceived += 1
        switch tracker.classify(chunk.tsn) {
        case .duplicate:
            counters.duplicatesReceived += 1
            tracker.recordDuplicate(chunk.tsn)
            sackNeeded = true
            return
        case .outOfWindow:
            counters.droppedForBuffer += 1
            sackNeeded = true
            return
        case .new:
            break
        }
        guard !chunk.payload.isEmpty else {
            // §6.2: DATA without user data; we record the TSN and drop it.
            counters.malformed += 1
            tracker.record(chunk.tsn)
            return
        }
        guard chunk.streamID < inboundStreamCount else {
            // §6.5: acknowledge the TSN, report the invalid stream, drop the data.
            counters.invalidStream += 1
            tracker.record(chunk.tsn)
            var information: [UInt8] = []
            information.appendU16(chunk.streamID)
            information.appendU16(0)
            controlChunks.append(.error(ErrorChunk(causes: [ErrorCause(code: ErrorCause.invalidStreamIdentifier, information: information)])))
            return
        }
        // §6.2: with the window full, only chunks filling holes below the highest TSN are taken.
        if reassembly.bufferedBytes + chunk.payload.count > Int(configuration.receiveWindow),
           chunk.tsn.follows(tracker.highestReceived) {
            counters.droppedForBuffer += 1
            sackNeeded = true
            return
        }
        // §6.2: out-of-order arrival, or the I bit (RFC 7053), asks for a SACK at once.
        if chunk.tsn != tracker.cumulativeTSN &+ 1 || chunk.immediate { sackNeeded = true }
        tracker.record(chunk.tsn)
        do {
            for message in try reassembly.add(tsn: chunk.tsn, chunk) {
                emit(.message(stream: message.streamID, ppid: message.ppid, payload: message.payload))
            }
        } catch {
            counters.oversizedMessages += 1
            dataTracker = tracker
            abortWithCause(.protocolViolation("message larger than \(configuration.maxMessageSize) bytes"),
                           reason: "peer sent a message over the maximum message size")
        }
    }

    /// §6.2: SACK at once on gaps, duplicates or a filled gap; otherwise every second packet
    /// or after the delayed-ack timeout.
    func afterDataPacket(hadGaps: Bool) {
        guard let tracker = dataTracker, state != .closed else { return }
        dataPacketsSinceSack += 1
        if hadGaps || tracker.hasGaps || tracker.hasDuplicates || dataPacketsSinceSack >= 2 {
            sackNeeded = true
        } else if delayedAckDeadline == nil {
            delayedAckDeadline = now + configuration.delayedAckTimeout
        }
        performDeferredReset()
    }

    func handleSack(_ sack: SackChunk) {
        guard var queue = takeRetransmissions() else { return }
        let result = queue.handleSack(sack, now: now)
        retransmissions = queue
        guard let outcome = result else { return }
        if let sample = outcome.rttSample { rto.observe(sample) }
        if outcome.newlyAcked { errorCount = 0 }
        counters.fastRetransmits += outcome.fastRetransmits
        apply(outcome)
        if queue.isEmpty {
            retransmissionDeadline = nil
        } else if outcome.cumulativeAdvanced || retransmissionDeadline == nil {
            // §6.3.2 R3: restart T3 when the earliest outstanding TSN is acknowledged.
            retransmissionDeadline = now + rto.rto
        }
        checkShutdownProgress()
    }

    /// Buffered-amount events, send-queue cleanup for abandoned messages, FORWARD TSN.
    func apply(_ outcome: RetransmissionQueue.AckOutcome) {
        var freed = outcome.bytesFreedByStream
        for message in outcome.abandonedMessages {
            if let (stream, bytes) = sendQueue.discardRemainder(ofMessage: message) {
                freed[stream, default: 0] += bytes
            }
        }
        if !outcome.abandonedMessages.isEmpty {
            counters.abandonedChunks += outcome.abandonedMessages.count
        }
        for stream in freed.keys.sorted() { emit(.bufferedAmountDecreased(stream: stream)) }
        if retransmissions?.forwardTSN() != nil { forwardTSNNeeded = true }
    }

    func handleForwardTSN(_ chunk: ForwardTSNChunk) {
        guard acceptsData, var tracker = dataTracker else { return }
        counters.forwardTSNsReceived += 1
        sackNeeded = true
        guard chunk.newCumulativeTSN.follows(tracker.cumulativeTSN),
              chunk.newCumulativeTSN &- tracker.cumulativeTSN <= DataTracker.maxTrackedOffset * 4 else {
            return
        }
        tracker.forward(to: chunk.newCumulativeTSN)
        dataTracker = tracker
        for message in reassembly.forward(to: chunk.newCumulativeTSN, skipped: chunk.skipped) {
            emit(.message(stream: message.streamID, ppid: message.ppid, payload: message.payload))
        }
        performDeferredReset()
    }

    /// The retransmission queue, moved out (nil left behind) to be changed and put back:
    /// a copy that also stayed in the property would share the entries' storage, and the
    /// first change would copy every entry in flight (about a thousand at full speed).
    private func takeRetransmissions() -> RetransmissionQueue? {
        defer { retransmissions = nil }
        return retransmissions
    }

    /// DATA chunks for one packet with `budget` bytes left: retransmissions first, then new data.
    func produceData(budget: Int) -> [DataChunk] {
        guard retransmissions != nil, sendsData || state == .shutdownSent || state == .shutdownAckSent,
              var queue = takeRetransmissions() else { return [] }
        var chunks: [DataChunk] = []
        var remaining = budget
        var outcome = RetransmissionQueue.AckOutcome()
        var freedByExpiry: [UInt16: Int] = [:]
        // Lifetimes (RFC 3758 §3.5 A3) are checked before every packet; without any, skip the scans.
        if sendQueue.hasMessagesWithLifetime || queue.hasEntriesWithLifetime {
            freedByExpiry = sendQueue.dropExpired(now: now)
            let expired = queue.abandonExpired(now: now)
            for (stream, bytes) in expired.bytesFreedByStream { freedByExpiry[stream, default: 0] += bytes }
            outcome.abandonedMessages = expired.abandonedMessages
        }
        while remaining > DataChunk.headerSize {
            let room = (remaining - DataChunk.headerSize) & ~3
            if let chunk = queue.nextRetransmission(maxSize: room, now: now, outcome: &outcome) {
                chunks.append(chunk)
                remaining -= DataChunk.headerSize + ((chunk.payload.count + 3) & ~3)
                counters.retransmissions += 1
                continue
            }
            guard sendsData, !queue.hasRetransmissions,
                  let left = sendQueue.nextRemainder else { break }
            // Do not start a tiny fragment at the end of a packet.
            guard room >= min(left, 256) else { break }
            let size = min(left, room)
            guard queue.allowsNewData(size: size) else { break }
            guard let fragment = sendQueue.nextFragment(maxSize: size, now: now) else { break }
            let chunk = queue.track(fragment, now: now)
            chunks.append(chunk)
            remaining -= DataChunk.headerSize + ((chunk.payload.count + 3) & ~3)
        }
        retransmissions = queue
        for (stream, bytes) in freedByExpiry where bytes > 0 { outcome.bytesFreedByStream[stream, default: 0] += bytes }
        if !outcome.abandonedMessages.isEmpty || !outcome.bytesFreedByStream.isEmpty { apply(outcome) }
        if !chunks.isEmpty {
            counters.dataChunksSent += chunks.count
            if retransmissionDeadline == nil { retransmissionDeadline = now + rto.rto }
            scheduleHeartbeat()
        }
        return chunks
    }

    /// Whether `produceData` might produce a chunk or change state; false only when it surely
    /// would not (no retransmission due, no lifetimes to check, and no new data or no room for it).
    var mayProduceData: Bool {
        guard let queue = retransmissions, sendsData || state == .shutdownSent || state == .shutdownAckSent else { return false }
        if queue.hasRetransmissions || queue.hasEntriesWithLifetime || sendQueue.hasMessagesWithLifetime { return true }
        // §6.1: the smallest chunk is the easiest to admit, so this errs towards "maybe".
        return sendsData && !sendQueue.isEmpty && queue.allowsNewData(size: 1)
    }

    /// §6.3.3: T3-rtx expired.
    func retransmissionTimerExpired() {
        guard retransmissions?.isEmpty == false else {
            retransmissionDeadline = nil
            return
        }
        counters.timeouts += 1
        errorCount += 1
        // §8.1: too many consecutive retransmissions mean the peer is unreachable.
        if errorCount > configuration.maxRetransmissions {
            abortWithCause(.protocolViolation("too many retransmissions"),
                           reason: "association failed: peer unreachable after \(configuration.maxRetransmissions) retransmissions")
            return
        }
        rto.backOff()
        guard var queue = takeRetransmissions() else { return }
        let outcome = queue.handleRetransmissionTimeout(now: now)
        retransmissions = queue
        apply(outcome)
        if queue.forwardTSN() != nil { forwardTSNNeeded = true }
        retransmissionDeadline = now + rto.rto
    }
}
