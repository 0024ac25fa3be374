// Path heartbeat (RFC 9260 §8.3): probe an idle path, answer the peer's probes.

/// Our heartbeat schedule and the probe in flight.
struct HeartbeatState: Sendable {
    var nextHeartbeatAt: Duration?
    var outstandingNonce: UInt64?
    var ackDeadline: Duration?

    var nextDeadline: Duration? { ackDeadline ?? nextHeartbeatAt }
}

extension SCTPAssociation {
    /// An idle path is probed every HB.interval + RTO (§8.3).
    func scheduleHeartbeat() {
        guard state == .established, heartbeat.outstandingNonce == nil else { return }
        heartbeat.nextHeartbeatAt = now + configuration.heartbeatInterval + rto.rto
    }

    func heartbeatTimerExpired() {
        guard state == .established || state == .shutdownPending || state == .shutdownReceived else {
            heartbeat = HeartbeatState()
            return
        }
        if heartbeat.outstandingNonce != nil {
            // No HEARTBEAT ACK within RTO: one more error (§8.3), back off, probe again.
            errorCount += 1
            if errorCount > configuration.maxRetransmissions {
                abortWithCause(.protocolViolation("heartbeat unanswered"),
                               reason: "association failed: heartbeat unanswered after \(configuration.maxRetransmissions) tries")
                return
            }
            rto.backOff()
        }
        let nonce = random.next()
        var info: [UInt8] = []
        info.appendU64(nonce)
        info.appendU64(UInt64(bitPattern: Int64(now.components.seconds)))
        info.appendU64(UInt64(bitPattern: now.components.attoseconds))
        controlChunks.append(.heartbeat(HeartbeatChunk(info: info)))
        counters.heartbeatsSent += 1
        heartbeat.outstandingNonce = nonce
        heartbeat.ackDeadline = now + rto.rto
        heartbeat.nextHeartbeatAt = nil
    }

    func handleHeartbeat(_ request: HeartbeatChunk) {
        // §8.3: echo the Heartbeat Information unchanged.
        controlChunks.append(.heartbeatAck(request))
    }

    func handleHeartbeatAck(_ reply: HeartbeatChunk) {
        var reader = ByteReader(reply.info)
        guard let nonce = try? reader.u64(), nonce == heartbeat.outstandingNonce,
              let seconds = try? reader.u64(), let attoseconds = try? reader.u64() else { return }
        counters.heartbeatAcksReceived += 1
        let sentAt = Duration(secondsComponent: Int64(bitPattern: seconds), attosecondsComponent: Int64(bitPattern: attoseconds))
        // §8.3: the RTT from a HEARTBEAT ACK updates RTO; the error counter is cleared.
        if heartbeat.ackDeadline != nil, sentAt <= now { rto.observe(now - sentAt) }
        errorCount = 0
        heartbeat = HeartbeatState()
        scheduleHeartbeat()
    }
}
