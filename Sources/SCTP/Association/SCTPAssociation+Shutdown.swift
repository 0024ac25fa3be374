// Graceful shutdown (RFC 9260 §9.2) and ABORT (§9.1), ERROR chunks (§3.3.10).

extension SCTPAssociation {
    /// Sends what is queued, then SHUTDOWN; `.closed` follows SHUTDOWN COMPLETE.
    public func shutdown(now: Duration) {
        self.now = max(self.now, now)
        switch state {
        case .closed:
            return
        case .cookieWait, .cookieEchoed:
            terminate(reason: "shutdown before established")
        case .established:
            state = .shutdownPending
            checkShutdownProgress()
        default:
            return
        }
    }

    /// Sends ABORT with a user-initiated cause and closes at once.
    public func abort(reason: String) {
        guard state != .closed else { return }
        abortWithCause(.userAbort(reason), reason: reason)
    }

    func abortWithCause(_ cause: ErrorCause, reason: String) {
        if peerTag != 0 { sendPacket(tag: peerTag, [.abort(AbortChunk(tagReflected: false, causes: [cause]))]) }
        terminate(reason: reason)
    }

    /// §9.2: SHUTDOWN once nothing is queued or outstanding (and SHUTDOWN ACK on the other side).
    func checkShutdownProgress() {
        let drained = sendQueue.isEmpty && (retransmissions?.isEmpty ?? true)
        guard drained else { return }
        switch state {
        case .shutdownPending:
            state = .shutdownSent
            sendShutdown()
            shutdownTimer = RetryTimer(deadline: now + rto.rto, interval: rto.rto)
        case .shutdownReceived:
            state = .shutdownAckSent
            controlChunks.append(.shutdownAck)
            shutdownTimer = RetryTimer(deadline: now + rto.rto, interval: rto.rto)
        default:
            break
        }
    }

    func sendShutdown() {
        let cumulative = dataTracker?.cumulativeTSN ?? 0
        controlChunks.append(.shutdown(ShutdownChunk(cumulativeTSNAck: cumulative)))
        heartbeat = HeartbeatState()
    }

    func handleShutdown(_ chunk: ShutdownChunk) {
        // The SHUTDOWN's cumulative TSN ack acknowledges like a SACK without gaps (§9.2).
        if let queue = retransmissions, chunk.cumulativeTSNAck.followsOrEquals(queue.cumulativeAck),
           chunk.cumulativeTSNAck.precedesOrEquals(queue.highestSentTSN) {
            handleSack(SackChunk(
                cumulativeTSNAck: chunk.cumulativeTSNAck,
                advertisedReceiverWindow: UInt32(max(0, queue.peerWindow + queue.flightSize)),
                gapBlocks: [], duplicateTSNs: []))
        }
        switch state {
        case .established, .shutdownPending:
            state = .shutdownReceived
            heartbeat = HeartbeatState()
            checkShutdownProgress()
        case .shutdownSent:
            // §9.2: both sides shut down at once.
            state = .shutdownAckSent
            controlChunks.append(.shutdownAck)
            shutdownTimer = RetryTimer(deadline: now + rto.rto, interval: rto.rto)
        case .shutdownAckSent:
            controlChunks.append(.shutdownAck)
        default:
            break
        }
    }

    func handleShutdownAck(packetTag: UInt32) {
        switch state {
        case .shutdownSent, .shutdownAckSent:
            sendPacket(tag: peerTag, [.shutdownComplete(tagReflected: false)])
            terminate(reason: "shutdown complete")
        case .closed where closedPeerTag != 0:
            // Our SHUTDOWN COMPLETE was lost and the peer repeats SHUTDOWN ACK. We still know its
            // tag, so answer with it (T bit clear): peers that ignore the T bit (aiortc) accept it.
            sendPacket(tag: closedPeerTag, [.shutdownComplete(tagReflected: false)])
        case .closed, .cookieWait, .cookieEchoed:
            // §8.4 (5): out of the blue SHUTDOWN ACK, answer SHUTDOWN COMPLETE with the T bit.
            sendPacket(tag: packetTag, [.shutdownComplete(tagReflected: true)])
        default:
            break
        }
    }

    func handleShutdownComplete() {
        guard state == .shutdownAckSent else { return }
        terminate(reason: "shutdown complete")
    }

    func shutdownTimerExpired() {
        guard var timer = shutdownTimer else { return }
        errorCount += 1
        timer.attempts += 1
        if errorCount > configuration.maxRetransmissions {
            shutdownTimer = nil
            abortWithCause(.protocolViolation("shutdown unanswered"), reason: "association failed: shutdown unanswered")
            return
        }
        rto.backOff()
        timer.interval = rto.rto
        timer.deadline = now + rto.rto
        shutdownTimer = timer
        switch state {
        case .shutdownSent: sendShutdown()
        case .shutdownAckSent: controlChunks.append(.shutdownAck)
        default: shutdownTimer = nil
        }
        counters.retransmissions += 1
    }

    func handleAbort(_ chunk: AbortChunk) {
        guard state != .closed || initTimer != nil else { return }
        let detail = chunk.causes.first.map { ": \($0.description)" } ?? ""
        terminate(reason: "abort received\(detail)")
    }

    func handleError(_ chunk: ErrorChunk) {
        // §3.3.10: reported, not fatal. A stale cookie during setup would warrant a new INIT;
        // our COOKIE ECHO retransmission covers it.
        counters.errorChunksReceived += 1
    }
}
