// Stream reset (RFC 6525): Outgoing SSN Reset Requests both ways and their responses.

/// Our requests (one in flight at a time) and the peer's request sequence.
struct StreamResetState: Sendable {
    struct Request: Sendable {
        var sequence: UInt32
        var streams: [UInt16]
        var senderLastTSN: UInt32
    }

    struct DeferredRequest: Sendable {
        var sequence: UInt32
        var senderLastTSN: UInt32
        var streams: [UInt16]
    }

    var nextRequestSequence: UInt32 = 0
    var expectedPeerRequestSequence: UInt32 = 0
    /// Streams waiting for a request of their own.
    var pendingStreams: [UInt16] = []
    var inFlight: Request?
    var timer: SCTPAssociation.RetryTimer?
    var lastPeerResult: ReconfigResult?
    var deferred: DeferredRequest?
}

extension SCTPAssociation {
    /// Resets our outgoing streams (RFC 6525 §5.1.2): data queued before this call still goes
    /// out first, later data waits and then restarts at SSN 0.
    public func resetStreams(_ streams: [UInt16], now: Duration) {
        self.now = max(self.now, now)
        guard state == .established, peer?.supportsReconfig == true else { return }
        let fresh = streams.filter {
            $0 < outboundStreamCount && !streamReset.pendingStreams.contains($0)
                && !(streamReset.inFlight?.streams.contains($0) ?? false)
        }
        guard !fresh.isEmpty else { return }
        streamReset.pendingStreams += fresh
        sendQueue.pauseForReset(fresh)
        maybeSendResetRequest()
    }

    func maybeSendResetRequest() {
        guard state == .established, streamReset.inFlight == nil, !streamReset.pendingStreams.isEmpty,
              let queue = retransmissions, sendQueue.readyForReset(streamReset.pendingStreams) else { return }
        let request = StreamResetState.Request(
            sequence: streamReset.nextRequestSequence, streams: streamReset.pendingStreams,
            senderLastTSN: queue.highestSentTSN)
        streamReset.pendingStreams = []
        streamReset.inFlight = request
        streamReset.timer = RetryTimer(deadline: now + rto.rto, interval: rto.rto)
        sendResetRequest(request)
    }

    func sendResetRequest(_ request: StreamResetState.Request) {
        counters.resetRequestsSent += 1
        controlChunks.append(.reconfig(ReconfigChunk(parameters: [
            .outgoingResetRequest(
                requestSequence: request.sequence,
                responseSequence: streamReset.expectedPeerRequestSequence &- 1,
                senderLastTSN: request.senderLastTSN, streams: request.streams),
        ])))
    }

    func streamResetTimerExpired() {
        guard var timer = streamReset.timer, let request = streamReset.inFlight else {
            streamReset.timer = nil
            return
        }
        errorCount += 1
        if errorCount > configuration.maxRetransmissions {
            abortWithCause(.protocolViolation("stream reset unanswered"), reason: "association failed: stream reset unanswered")
            return
        }
        rto.backOff()
        timer.attempts += 1
        timer.interval = rto.rto
        timer.deadline = now + rto.rto
        streamReset.timer = timer
        sendResetRequest(request)
    }

    func handleReconfig(_ chunk: ReconfigChunk) {
        guard state == .established || state == .shutdownPending || state == .shutdownReceived
            || state == .shutdownSent else { return }
        for parameter in chunk.parameters {
            switch parameter {
            case .outgoingResetRequest(let sequence, _, let lastTSN, let streams):
                counters.resetRequestsReceived += 1
                handlePeerResetRequest(sequence: sequence, senderLastTSN: lastTSN, streams: streams)
            case .incomingResetRequest(let sequence, let streams):
                counters.resetRequestsReceived += 1
                handlePeerIncomingResetRequest(sequence: sequence, streams: streams)
            case .response(let sequence, let result):
                handleResetResponse(sequence: sequence, result: result)
            case .other:
                counters.unknownChunks += 1
            }
        }
    }

    /// RFC 6525 §5.2.2: performed once every TSN up to the sender's last one has arrived.
    func handlePeerResetRequest(sequence: UInt32, senderLastTSN: UInt32, streams: [UInt16]) {
        let expected = streamReset.expectedPeerRequestSequence
        if sequence == expected {
            if let tracker = dataTracker, tracker.cumulativeTSN.followsOrEquals(senderLastTSN) {
                performPeerReset(sequence: sequence, streams: streams)
            } else {
                streamReset.deferred = StreamResetState.DeferredRequest(
                    sequence: sequence, senderLastTSN: senderLastTSN, streams: streams)
                respondToReset(sequence: sequence, result: .inProgress, advance: false)
            }
        } else if sequence == expected &- 1, let result = streamReset.lastPeerResult {
            // A retransmission of the request we already answered.
            respondToReset(sequence: sequence, result: result, advance: false)
        } else {
            respondToReset(sequence: sequence, result: .errorBadSequenceNumber, advance: false)
        }
    }

    /// RFC 6525 §5.2.3: the peer asks us to reset our outgoing streams. Our Outgoing SSN Reset
    /// Request answers it (its response sequence names this request); with nothing to do we
    /// answer with a response.
    func handlePeerIncomingResetRequest(sequence: UInt32, streams: [UInt16]) {
        let expected = streamReset.expectedPeerRequestSequence
        guard sequence == expected else {
            if sequence == expected &- 1, let result = streamReset.lastPeerResult {
                respondToReset(sequence: sequence, result: result, advance: false)
            } else {
                respondToReset(sequence: sequence, result: .errorBadSequenceNumber, advance: false)
            }
            return
        }
        let fresh = streams.filter {
            $0 < outboundStreamCount && !streamReset.pendingStreams.contains($0)
                && !(streamReset.inFlight?.streams.contains($0) ?? false)
        }
        if streams.isEmpty || fresh.isEmpty || state != .established {
            respondToReset(sequence: sequence, result: streams.isEmpty ? .denied : .successNothingToDo, advance: true)
            return
        }
        streamReset.expectedPeerRequestSequence &+= 1
        streamReset.lastPeerResult = .successPerformed
        resetStreams(fresh, now: now)
    }

    func performPeerReset(sequence: UInt32, streams: [UInt16]) {
        streamReset.deferred = nil
        reassembly.resetStreams(streams)
        respondToReset(sequence: sequence, result: .successPerformed, advance: true)
        emit(.streamsReset(streams))
    }

    func performDeferredReset() {
        guard let deferred = streamReset.deferred, let tracker = dataTracker,
              tracker.cumulativeTSN.followsOrEquals(deferred.senderLastTSN) else { return }
        performPeerReset(sequence: deferred.sequence, streams: deferred.streams)
    }

    func respondToReset(sequence: UInt32, result: ReconfigResult, advance: Bool) {
        if advance {
            streamReset.expectedPeerRequestSequence &+= 1
            streamReset.lastPeerResult = result
        }
        controlChunks.append(.reconfig(ReconfigChunk(parameters: [.response(responseSequence: sequence, result: result)])))
    }

    func handleResetResponse(sequence: UInt32, result: ReconfigResult) {
        guard let request = streamReset.inFlight, request.sequence == sequence else { return }
        switch result {
        case .inProgress:
            // Ask again after a while (RFC 6525 §5.2.7).
            streamReset.timer = RetryTimer(deadline: now + rto.rto, interval: rto.rto)
            return
        case .successPerformed, .successNothingToDo:
            sendQueue.resumeAfterReset(request.streams)
        default:
            // Denied or failed: the streams carry on without a reset.
            sendQueue.resumeAfterReset([])
            sendQueue.unpause(request.streams)
        }
        streamReset.inFlight = nil
        streamReset.timer = nil
        streamReset.nextRequestSequence &+= 1
        maybeSendResetRequest()
    }
}
