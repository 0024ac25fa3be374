import Signaling

/// The caller/callee state machine: pure, no I/O, no clock. Each input returns
/// the effects to perform; illegal inputs are ignored with an `.ignored` effect
/// saying why, never a crash.
public struct CallStateMachine: Sendable {
    public let selfId: String
    public let ringTimeout: Duration
    public let lingerTime: Duration
    public private(set) var state: CallState = .idle
    /// Whether signaling has us in the room; tracked apart from `state` because
    /// a call in progress outlives a signaling outage.
    public private(set) var isInRoom = false
    /// Bumped for every new call, so timers of an old call are told apart.
    public private(set) var generation = 0

    public init(selfId: String, ringTimeout: Duration = .seconds(30), lingerTime: Duration = .seconds(3)) {
        self.selfId = selfId
        self.ringTimeout = ringTimeout
        self.lingerTime = lingerTime
    }

    public mutating func handle(_ event: CallEvent) -> [CallEffect] {
        switch event {
        case .joinedRoom:
            isInRoom = true
            if state == .idle { state = .inRoom }
            return []
        case .signalingLost:
            isInRoom = false
            return signalingLost()
        case .timerFired(let timer, let gen):
            return timerFired(timer, generation: gen)
        default:
            break
        }
        switch state {
        case .idle: return ignore(event)
        case .inRoom: return inRoom(event)
        case .outgoingRinging(let peer): return outgoingRinging(peer, event)
        case .incomingRinging(let peer, let held): return incomingRinging(peer, held, event)
        case .connecting(let peer, let role): return connecting(peer, role, event)
        case .inCall(let peer, let role): return inCall(peer, role, event)
        case .ended(let peer, _):
            // An offer from the peer of the call that just ended is that call's
            // leftover (it crossed our reject or hangup), not a new call.
            if case .remote(.offer, peer) = event { return [.ignored("a late offer from \(peer), whose call just ended")] }
            return inRoom(event)
        }
    }

    // MARK: - One function per state

    private mutating func inRoom(_ event: CallEvent) -> [CallEffect] {
        switch event {
        case .placeCall(let target):
            guard target != selfId else { return [.ignored("cannot call yourself")] }
            guard isInRoom else { return [.ignored("not in a room")] }
            generation += 1
            state = .outgoingRinging(peer: target)
            // As the seed does, the offer goes out right after the call (the callee holds it).
            return [.send(.call, to: target), .startTimer(.ring, generation: generation, after: ringTimeout), .startOffer(peer: target)]
        case .remote(.call, let from):
            return ring(from: from, held: HeldSignals())
        case .remote(.offer(let offer), let from):
            // An offer with no `call` before it still rings: some pages skip `call`.
            return ring(from: from, held: HeldSignals(offer: offer))
        default:
            return ignore(event)
        }
    }

    private mutating func ring(from peer: String, held: HeldSignals) -> [CallEffect] {
        guard peer != selfId else { return [.ignored("a call from ourselves")] }
        generation += 1
        state = .incomingRinging(peer: peer, held: held)
        return [.ringBell, .startTimer(.ring, generation: generation, after: ringTimeout)]
    }

    private mutating func outgoingRinging(_ peer: String, _ event: CallEvent) -> [CallEffect] {
        switch event {
        case .remote(.accept, peer):
            state = .connecting(peer: peer, role: .caller)
            return [.cancelTimer(.ring)]
        case .remote(.answer(let answer), peer):
            // A seed-style callee answers without an `accept` first.
            state = .connecting(peer: peer, role: .caller)
            return [.cancelTimer(.ring), .applyAnswer(answer)]
        case .remote(.candidate(let candidate), peer):
            return [.addRemoteCandidate(candidate)]
        case .remote(.reject, peer):
            return end(peer, .declinedByPeer, sending: nil)
        case .remote(.busy, peer):
            return end(peer, .busy, sending: nil)
        case .remote(.hangup, peer):
            return end(peer, .hungUpByPeer, sending: nil)
        case .remote(.call, peer):
            // Glare: both called at once. The lower user id stays the caller; the other yields.
            guard selfId > peer else { return [.ignored("glare with \(peer): we stay the caller")] }
            var effects: [CallEffect] = [.cancelTimer(.ring), .closePeerConnection]
            effects += ring(from: peer, held: HeldSignals())
            return effects
        case .remote(.call, let other):
            return [.send(.busy, to: other)]
        case .undeliverable(peer, let message):
            return end(peer, .unreachable(message), sending: nil)
        case .peerLeft(peer):
            return end(peer, .peerLeft, sending: nil)
        case .hangUp:
            return end(peer, .cancelledByUs, sending: .hangup)
        default:
            return ignore(event)
        }
    }

    private mutating func incomingRinging(_ peer: String, _ held: HeldSignals, _ event: CallEvent) -> [CallEffect] {
        switch event {
        case .accept:
            state = .connecting(peer: peer, role: .callee)
            var effects: [CallEffect] = [.cancelTimer(.ring), .send(.accept, to: peer)]
            if let offer = held.offer { effects.append(.answerOffer(offer, peer: peer)) }
            effects += held.candidates.map(CallEffect.addRemoteCandidate)
            return effects
        case .reject, .hangUp:
            return end(peer, .declinedByUs, sending: .reject)
        case .remote(.offer(let offer), peer):
            var held = held
            held.offer = offer
            state = .incomingRinging(peer: peer, held: held)
            return []
        case .remote(.candidate(let candidate), peer):
            var held = held
            held.candidates.append(candidate)
            state = .incomingRinging(peer: peer, held: held)
            return []
        case .remote(.hangup, peer):
            return end(peer, .cancelledByPeer, sending: nil)
        case .remote(.call, let other) where other != peer:
            return [.send(.busy, to: other)]
        case .peerLeft(peer):
            return end(peer, .peerLeft, sending: nil)
        default:
            return ignore(event)
        }
    }

    private mutating func connecting(_ peer: String, _ role: CallRole, _ event: CallEvent) -> [CallEffect] {
        switch event {
        case .transportConnected:
            state = .inCall(peer: peer, role: role)
            return []
        case .remote(.answer(let answer), peer) where role == .caller:
            return [.applyAnswer(answer)]
        case .remote(.offer(let offer), peer) where role == .callee:
            return [.answerOffer(offer, peer: peer)]
        case .peerLeft(peer):
            // Before media flows the call still needs signaling for candidates.
            return end(peer, .peerLeft, sending: nil)
        case .undeliverable(peer, let message):
            return end(peer, .unreachable(message), sending: nil)
        default:
            return establishedOrConnecting(peer, event)
        }
    }

    private mutating func inCall(_ peer: String, _ role: CallRole, _ event: CallEvent) -> [CallEffect] {
        switch event {
        case .remote(.offer(let offer), peer) where role == .callee:
            return [.answerOffer(offer, peer: peer)]
        case .peerLeft(peer):
            // DESIGN.md: once connected the call does not need signaling; consent freshness
            // notices a peer that really vanished.
            return [.notice("\(peer) dropped off signaling; the call goes on peer to peer")]
        default:
            return establishedOrConnecting(peer, event)
        }
    }

    /// What connecting and in-call share.
    private mutating func establishedOrConnecting(_ peer: String, _ event: CallEvent) -> [CallEffect] {
        switch event {
        case .remote(.candidate(let candidate), peer):
            return [.addRemoteCandidate(candidate)]
        case .remote(.hangup, peer):
            return end(peer, .hungUpByPeer, sending: nil)
        case .hangUp:
            return end(peer, .hungUpByUs, sending: .hangup)
        case .transportFailed(let why):
            return end(peer, .failed(why), sending: .hangup)
        case .transportClosedByPeer:
            return end(peer, .hungUpByPeer, sending: nil)
        case .remote(.call, let other) where other != peer:
            return [.send(.busy, to: other)]
        default:
            return ignore(event)
        }
    }

    // MARK: - Shared transitions

    private mutating func end(_ peer: String, _ reason: CallEndReason, sending signal: RelayKind?) -> [CallEffect] {
        var effects: [CallEffect] = []
        if let signal { effects.append(.send(signal, to: peer)) }
        effects += [.cancelTimer(.ring), .closePeerConnection, .startTimer(.linger, generation: generation, after: lingerTime)]
        state = .ended(peer: peer, reason: reason)
        return effects
    }

    private mutating func signalingLost() -> [CallEffect] {
        switch state {
        case .inRoom:
            state = .idle
            return []
        case .outgoingRinging(let peer), .incomingRinging(let peer, _):
            // Ringing lives on signaling; the peer is told we left by the server.
            return end(peer, .signalingLost, sending: nil)
        case .idle, .connecting, .inCall, .ended:
            return []
        }
    }

    private mutating func timerFired(_ timer: CallTimer, generation gen: Int) -> [CallEffect] {
        guard gen == generation else { return [.ignored("stale \(timer) timer")] }
        switch (timer, state) {
        case (.ring, .outgoingRinging(let peer)):
            return end(peer, .noAnswer, sending: .hangup)
        case (.ring, .incomingRinging(let peer, _)):
            return end(peer, .missed, sending: .reject)
        case (.linger, .ended):
            state = isInRoom ? .inRoom : .idle
            return []
        default:
            return [.ignored("\(timer) timer in state \(state.name)")]
        }
    }

    private func ignore(_ event: CallEvent) -> [CallEffect] {
        [.ignored("\(Self.describe(event)) in state \(state.name)")]
    }

    static func describe(_ event: CallEvent) -> String {
        switch event {
        case .remote(let signal, let from):
            let name: String
            switch signal {
            case .call: name = "call"
            case .accept: name = "accept"
            case .reject: name = "reject"
            case .busy: name = "busy"
            case .hangup: name = "hangup"
            case .offer: name = "offer"
            case .answer: name = "answer"
            case .candidate: name = "candidate"
            }
            return "\(name) from \(from)"
        default:
            return String(describing: event)
        }
    }
}
