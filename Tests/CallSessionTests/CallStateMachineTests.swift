import CallSession
import Signaling
import Testing

/// Table tests for the caller/callee machine: every state x every event.
/// We are user "1001"; "1002" is the peer of the call; "1003" a third user.
@Suite struct CallStateMachineTests {
    static let me = "1001"
    static let peer = "1002"
    static let other = "1003"
    static let offer = SessionDescription(type: .offer, sdp: "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n")
    static let answer = SessionDescription(type: .answer, sdp: "v=0\r\no=- 2 1 IN IP4 0.0.0.0\r\n")
    static let candidate = IceCandidateInit(candidate: "candidate:1 1 udp 2122260223 192.0.2.1 5000 typ host", sdpMid: "0", sdpMLineIndex: 0)

    /// The states a machine can be put in, each reached by real inputs from a new machine.
    enum Start: String, CaseIterable {
        case idle, inRoom, outgoingRinging, incomingRinging, incomingRingingWithOffer, connectingCaller,
            connectingCallee, inCall, ended

        func machine() -> CallStateMachine {
            var m = CallStateMachine(selfId: CallStateMachineTests.me)
            let p = CallStateMachineTests.peer
            var steps: [CallEvent] = []
            switch self {
            case .idle: break
            case .inRoom: steps = [.joinedRoom]
            case .outgoingRinging: steps = [.joinedRoom, .placeCall(to: p)]
            case .incomingRinging: steps = [.joinedRoom, .remote(.call, from: p)]
            case .incomingRingingWithOffer:
                steps = [.joinedRoom, .remote(.call, from: p), .remote(.offer(CallStateMachineTests.offer), from: p)]
            case .connectingCaller: steps = [.joinedRoom, .placeCall(to: p), .remote(.accept, from: p)]
            case .connectingCallee: steps = [.joinedRoom, .remote(.call, from: p), .accept]
            case .inCall: steps = [.joinedRoom, .placeCall(to: p), .remote(.accept, from: p), .transportConnected]
            case .ended: steps = [.joinedRoom, .placeCall(to: p), .remote(.reject, from: p)]
            }
            for step in steps { _ = m.handle(step) }
            return m
        }
    }

    static func events(generation g: Int) -> [(String, CallEvent)] {
        let p = peer, o = other
        return [
            ("joinedRoom", .joinedRoom), ("signalingLost", .signalingLost),
            ("peerLeft(peer)", .peerLeft(p)), ("peerLeft(other)", .peerLeft(o)),
            ("call(peer)", .remote(.call, from: p)), ("accept(peer)", .remote(.accept, from: p)),
            ("reject(peer)", .remote(.reject, from: p)), ("busy(peer)", .remote(.busy, from: p)),
            ("hangup(peer)", .remote(.hangup, from: p)), ("offer(peer)", .remote(.offer(offer), from: p)),
            ("answer(peer)", .remote(.answer(answer), from: p)), ("candidate(peer)", .remote(.candidate(candidate), from: p)),
            ("call(other)", .remote(.call, from: o)), ("offer(other)", .remote(.offer(offer), from: o)),
            ("accept(other)", .remote(.accept, from: o)), ("hangup(other)", .remote(.hangup, from: o)),
            ("undeliverable(peer)", .undeliverable(target: p, message: "1002 is not online")),
            ("placeCall(other)", .placeCall(to: o)), ("placeCall(self)", .placeCall(to: me)),
            ("userAccept", .accept), ("userReject", .reject), ("userHangUp", .hangUp),
            ("ringTimer", .timerFired(.ring, generation: g)), ("staleRingTimer", .timerFired(.ring, generation: g - 1)),
            ("lingerTimer", .timerFired(.linger, generation: g)),
            ("transportConnected", .transportConnected), ("transportFailed", .transportFailed("ICE failed")),
            ("transportClosedByPeer", .transportClosedByPeer),
        ]
    }

    struct Row: CustomTestStringConvertible {
        var start: Start
        var event: String
        var state: CallState
        var effects: [CallEffect]
        var testDescription: String { "\(start.rawValue) + \(event)" }
    }

    static let p = peer
    static let endEffects: [CallEffect] = [.cancelTimer(.ring), .closePeerConnection]

    /// Every transition that changes something. Anything not listed must leave
    /// the state alone and only produce `.ignored` effects.
    static let legal: [Row] = table + table.compactMap(withHeldOffer)

    /// The incoming-ringing rows again, for a call whose offer already arrived:
    /// the same transitions, with the offer kept in the state.
    static func withHeldOffer(_ row: Row) -> Row? {
        guard row.start == .incomingRinging, row.event != "userAccept" else { return nil }
        var copy = row
        copy.start = .incomingRingingWithOffer
        if case .incomingRinging(let peer, var held) = row.state {
            held.offer = offer
            copy.state = .incomingRinging(peer: peer, held: held)
        }
        return copy
    }

    static let table: [Row] = [
        Row(start: .idle, event: "joinedRoom", state: .inRoom, effects: []),
        Row(start: .idle, event: "signalingLost", state: .idle, effects: []),
        Row(start: .inRoom, event: "joinedRoom", state: .inRoom, effects: []),
        Row(start: .inRoom, event: "signalingLost", state: .idle, effects: []),
        Row(start: .inRoom, event: "placeCall(other)", state: .outgoingRinging(peer: other),
            effects: [.send(.call, to: other), .startTimer(.ring, generation: 1, after: .seconds(30)), .startOffer(peer: other)]),
        Row(start: .inRoom, event: "call(peer)", state: .incomingRinging(peer: p, held: HeldSignals()),
            effects: [.ringBell, .startTimer(.ring, generation: 1, after: .seconds(30))]),
        Row(start: .inRoom, event: "call(other)", state: .incomingRinging(peer: other, held: HeldSignals()),
            effects: [.ringBell, .startTimer(.ring, generation: 1, after: .seconds(30))]),
        Row(start: .inRoom, event: "offer(peer)", state: .incomingRinging(peer: p, held: HeldSignals(offer: offer)),
            effects: [.ringBell, .startTimer(.ring, generation: 1, after: .seconds(30))]),
        Row(start: .inRoom, event: "offer(other)", state: .incomingRinging(peer: other, held: HeldSignals(offer: offer)),
            effects: [.ringBell, .startTimer(.ring, generation: 1, after: .seconds(30))]),

        Row(start: .outgoingRinging, event: "joinedRoom", state: .outgoingRinging(peer: p), effects: []),
        Row(start: .outgoingRinging, event: "signalingLost", state: .ended(peer: p, reason: .signalingLost),
            effects: endEffects + [.startTimer(.linger, generation: 1, after: .seconds(3))]),
        Row(start: .outgoingRinging, event: "accept(peer)", state: .connecting(peer: p, role: .caller), effects: [.cancelTimer(.ring)]),
        Row(start: .outgoingRinging, event: "answer(peer)", state: .connecting(peer: p, role: .caller),
            effects: [.cancelTimer(.ring), .applyAnswer(answer)]),
        Row(start: .outgoingRinging, event: "candidate(peer)", state: .outgoingRinging(peer: p), effects: [.addRemoteCandidate(candidate)]),
        Row(start: .outgoingRinging, event: "reject(peer)", state: .ended(peer: p, reason: .declinedByPeer),
            effects: endEffects + [.startTimer(.linger, generation: 1, after: .seconds(3))]),
        Row(start: .outgoingRinging, event: "busy(peer)", state: .ended(peer: p, reason: .busy),
            effects: endEffects + [.startTimer(.linger, generation: 1, after: .seconds(3))]),
        Row(start: .outgoingRinging, event: "hangup(peer)", state: .ended(peer: p, reason: .hungUpByPeer),
            effects: endEffects + [.startTimer(.linger, generation: 1, after: .seconds(3))]),
        // Glare: "1002" > "1001", so we stay the caller.
        Row(start: .outgoingRinging, event: "call(peer)", state: .outgoingRinging(peer: p),
            effects: [.ignored("glare with 1002: we stay the caller")]),
        Row(start: .outgoingRinging, event: "call(other)", state: .outgoingRinging(peer: p), effects: [.send(.busy, to: other)]),
        Row(start: .outgoingRinging, event: "undeliverable(peer)", state: .ended(peer: p, reason: .unreachable("1002 is not online")),
            effects: endEffects + [.startTimer(.linger, generation: 1, after: .seconds(3))]),
        Row(start: .outgoingRinging, event: "peerLeft(peer)", state: .ended(peer: p, reason: .peerLeft),
            effects: endEffects + [.startTimer(.linger, generation: 1, after: .seconds(3))]),
        Row(start: .outgoingRinging, event: "userHangUp", state: .ended(peer: p, reason: .cancelledByUs),
            effects: [.send(.hangup, to: p)] + endEffects + [.startTimer(.linger, generation: 1, after: .seconds(3))]),
        Row(start: .outgoingRinging, event: "ringTimer", state: .ended(peer: p, reason: .noAnswer),
            effects: [.send(.hangup, to: p)] + endEffects + [.startTimer(.linger, generation: 1, after: .seconds(3))]),

        Row(start: .incomingRinging, event: "joinedRoom", state: .incomingRinging(peer: p, held: HeldSignals()), effects: []),
        Row(start: .incomingRinging, event: "signalingLost", state: .ended(peer: p, reason: .signalingLost),
            effects: endEffects + [.startTimer(.linger, generation: 1, after: .seconds(3))]),
        Row(start: .incomingRinging, event: "userAccept", state: .connecting(peer: p, role: .callee),
            effects: [.cancelTimer(.ring), .send(.accept, to: p)]),
        Row(start: .incomingRinging, event: "userReject", state: .ended(peer: p, reason: .declinedByUs),
            effects: [.send(.reject, to: p)] + endEffects + [.startTimer(.linger, generation: 1, after: .seconds(3))]),
        Row(start: .incomingRinging, event: "userHangUp", state: .ended(peer: p, reason: .declinedByUs),
            effects: [.send(.reject, to: p)] + endEffects + [.startTimer(.linger, generation: 1, after: .seconds(3))]),
        Row(start: .incomingRinging, event: "offer(peer)", state: .incomingRinging(peer: p, held: HeldSignals(offer: offer)), effects: []),
        Row(start: .incomingRinging, event: "candidate(peer)",
            state: .incomingRinging(peer: p, held: HeldSignals(candidates: [candidate])), effects: []),
        Row(start: .incomingRinging, event: "hangup(peer)", state: .ended(peer: p, reason: .cancelledByPeer),
            effects: endEffects + [.startTimer(.linger, generation: 1, after: .seconds(3))]),
        Row(start: .incomingRinging, event: "call(other)", state: .incomingRinging(peer: p, held: HeldSignals()),
            effects: [.send(.busy, to: other)]),
        Row(start: .incomingRinging, event: "peerLeft(peer)", state: .ended(peer: p, reason: .peerLeft),
            effects: endEffects + [.startTimer(.linger, generation: 1, after: .seconds(3))]),
        Row(start: .incomingRinging, event: "ringTimer", state: .ended(peer: p, reason: .missed),
            effects: [.send(.reject, to: p)] + endEffects + [.startTimer(.linger, generation: 1, after: .seconds(3))]),

        // The held offer is answered the moment the user accepts.
        Row(start: .incomingRingingWithOffer, event: "userAccept", state: .connecting(peer: p, role: .callee),
            effects: [.cancelTimer(.ring), .send(.accept, to: p), .answerOffer(offer, peer: p)]),

        Row(start: .connectingCaller, event: "transportConnected", state: .inCall(peer: p, role: .caller), effects: []),
        Row(start: .connectingCaller, event: "answer(peer)", state: .connecting(peer: p, role: .caller), effects: [.applyAnswer(answer)]),
        Row(start: .connectingCaller, event: "candidate(peer)", state: .connecting(peer: p, role: .caller),
            effects: [.addRemoteCandidate(candidate)]),
        Row(start: .connectingCaller, event: "hangup(peer)", state: .ended(peer: p, reason: .hungUpByPeer),
            effects: endEffects + [.startTimer(.linger, generation: 1, after: .seconds(3))]),
        Row(start: .connectingCaller, event: "userHangUp", state: .ended(peer: p, reason: .hungUpByUs),
            effects: [.send(.hangup, to: p)] + endEffects + [.startTimer(.linger, generation: 1, after: .seconds(3))]),
        Row(start: .connectingCaller, event: "transportFailed", state: .ended(peer: p, reason: .failed("ICE failed")),
            effects: [.send(.hangup, to: p)] + endEffects + [.startTimer(.linger, generation: 1, after: .seconds(3))]),
        Row(start: .connectingCaller, event: "transportClosedByPeer", state: .ended(peer: p, reason: .hungUpByPeer),
            effects: endEffects + [.startTimer(.linger, generation: 1, after: .seconds(3))]),
        Row(start: .connectingCaller, event: "peerLeft(peer)", state: .ended(peer: p, reason: .peerLeft),
            effects: endEffects + [.startTimer(.linger, generation: 1, after: .seconds(3))]),
        Row(start: .connectingCaller, event: "undeliverable(peer)", state: .ended(peer: p, reason: .unreachable("1002 is not online")),
            effects: endEffects + [.startTimer(.linger, generation: 1, after: .seconds(3))]),
        Row(start: .connectingCaller, event: "call(other)", state: .connecting(peer: p, role: .caller), effects: [.send(.busy, to: other)]),
        Row(start: .connectingCaller, event: "joinedRoom", state: .connecting(peer: p, role: .caller), effects: []),
        Row(start: .connectingCaller, event: "signalingLost", state: .connecting(peer: p, role: .caller), effects: []),

        Row(start: .connectingCallee, event: "offer(peer)", state: .connecting(peer: p, role: .callee), effects: [.answerOffer(offer, peer: p)]),
        Row(start: .connectingCallee, event: "transportConnected", state: .inCall(peer: p, role: .callee), effects: []),
        Row(start: .connectingCallee, event: "candidate(peer)", state: .connecting(peer: p, role: .callee),
            effects: [.addRemoteCandidate(candidate)]),
        Row(start: .connectingCallee, event: "hangup(peer)", state: .ended(peer: p, reason: .hungUpByPeer),
            effects: endEffects + [.startTimer(.linger, generation: 1, after: .seconds(3))]),
        Row(start: .connectingCallee, event: "userHangUp", state: .ended(peer: p, reason: .hungUpByUs),
            effects: [.send(.hangup, to: p)] + endEffects + [.startTimer(.linger, generation: 1, after: .seconds(3))]),
        Row(start: .connectingCallee, event: "transportFailed", state: .ended(peer: p, reason: .failed("ICE failed")),
            effects: [.send(.hangup, to: p)] + endEffects + [.startTimer(.linger, generation: 1, after: .seconds(3))]),
        Row(start: .connectingCallee, event: "transportClosedByPeer", state: .ended(peer: p, reason: .hungUpByPeer),
            effects: endEffects + [.startTimer(.linger, generation: 1, after: .seconds(3))]),
        Row(start: .connectingCallee, event: "peerLeft(peer)", state: .ended(peer: p, reason: .peerLeft),
            effects: endEffects + [.startTimer(.linger, generation: 1, after: .seconds(3))]),
        Row(start: .connectingCallee, event: "undeliverable(peer)", state: .ended(peer: p, reason: .unreachable("1002 is not online")),
            effects: endEffects + [.startTimer(.linger, generation: 1, after: .seconds(3))]),
        Row(start: .connectingCallee, event: "call(other)", state: .connecting(peer: p, role: .callee), effects: [.send(.busy, to: other)]),
        Row(start: .connectingCallee, event: "joinedRoom", state: .connecting(peer: p, role: .callee), effects: []),
        Row(start: .connectingCallee, event: "signalingLost", state: .connecting(peer: p, role: .callee), effects: []),

        Row(start: .inCall, event: "candidate(peer)", state: .inCall(peer: p, role: .caller), effects: [.addRemoteCandidate(candidate)]),
        Row(start: .inCall, event: "hangup(peer)", state: .ended(peer: p, reason: .hungUpByPeer),
            effects: endEffects + [.startTimer(.linger, generation: 1, after: .seconds(3))]),
        Row(start: .inCall, event: "userHangUp", state: .ended(peer: p, reason: .hungUpByUs),
            effects: [.send(.hangup, to: p)] + endEffects + [.startTimer(.linger, generation: 1, after: .seconds(3))]),
        Row(start: .inCall, event: "transportFailed", state: .ended(peer: p, reason: .failed("ICE failed")),
            effects: [.send(.hangup, to: p)] + endEffects + [.startTimer(.linger, generation: 1, after: .seconds(3))]),
        Row(start: .inCall, event: "transportClosedByPeer", state: .ended(peer: p, reason: .hungUpByPeer),
            effects: endEffects + [.startTimer(.linger, generation: 1, after: .seconds(3))]),
        Row(start: .inCall, event: "call(other)", state: .inCall(peer: p, role: .caller), effects: [.send(.busy, to: other)]),
        // Signaling is not needed once connected: the peer dropping off it does not end the call.
        Row(start: .inCall, event: "peerLeft(peer)", state: .inCall(peer: p, role: .caller),
            effects: [.notice("1002 dropped off signaling; the call goes on peer to peer")]),
        Row(start: .inCall, event: "joinedRoom", state: .inCall(peer: p, role: .caller), effects: []),
        Row(start: .inCall, event: "signalingLost", state: .inCall(peer: p, role: .caller), effects: []),

        Row(start: .ended, event: "lingerTimer", state: .inRoom, effects: []),
        Row(start: .ended, event: "joinedRoom", state: .ended(peer: p, reason: .declinedByPeer), effects: []),
        Row(start: .ended, event: "signalingLost", state: .ended(peer: p, reason: .declinedByPeer), effects: []),
        Row(start: .ended, event: "placeCall(other)", state: .outgoingRinging(peer: other),
            effects: [.send(.call, to: other), .startTimer(.ring, generation: 2, after: .seconds(30)), .startOffer(peer: other)]),
        Row(start: .ended, event: "call(peer)", state: .incomingRinging(peer: p, held: HeldSignals()),
            effects: [.ringBell, .startTimer(.ring, generation: 2, after: .seconds(30))]),
        Row(start: .ended, event: "call(other)", state: .incomingRinging(peer: other, held: HeldSignals()),
            effects: [.ringBell, .startTimer(.ring, generation: 2, after: .seconds(30))]),
        Row(start: .ended, event: "offer(other)", state: .incomingRinging(peer: other, held: HeldSignals(offer: offer)),
            effects: [.ringBell, .startTimer(.ring, generation: 2, after: .seconds(30))]),
    ]

    @Test(arguments: legal)
    func legalTransition(_ row: Row) throws {
        var m = row.start.machine()
        let event = try #require(Self.events(generation: m.generation).first { $0.0 == row.event }?.1, "unknown event \(row.event)")
        let effects = m.handle(event)
        #expect(m.state == row.state)
        #expect(effects == row.effects)
    }

    /// Every pair not in the table is ignored: state unchanged, only `.ignored` effects, no crash.
    @Test(arguments: Start.allCases)
    func everythingElseIsIgnored(_ start: Start) {
        let generation = start.machine().generation
        for (name, event) in Self.events(generation: generation) {
            if Self.legal.contains(where: { $0.start == start && $0.event == name }) { continue }
            var m = start.machine()
            let before = m.state
            let effects = m.handle(event)
            #expect(m.state == before, "\(start.rawValue) + \(name) changed the state to \(m.state)")
            #expect(!effects.isEmpty && effects.allSatisfy { if case .ignored = $0 { true } else { false } },
                    "\(start.rawValue) + \(name) gave \(effects)")
        }
    }

    @Test func glareMakesTheHigherIdYield() {
        var m = CallStateMachine(selfId: "1002")
        _ = m.handle(.joinedRoom)
        _ = m.handle(.placeCall(to: "1001"))
        let effects = m.handle(.remote(.call, from: "1001"))
        #expect(m.state == .incomingRinging(peer: "1001", held: HeldSignals()))
        #expect(effects == [.cancelTimer(.ring), .closePeerConnection, .ringBell, .startTimer(.ring, generation: 2, after: .seconds(30))])
    }

    @Test func heldOfferAndCandidatesAreDeliveredInOrderOnAccept() {
        var m = CallStateMachine(selfId: Self.me)
        let second = IceCandidateInit(candidate: "candidate:2 1 udp 1 192.0.2.2 6000 typ host", sdpMid: "0", sdpMLineIndex: 0)
        for e: CallEvent in [.joinedRoom, .remote(.call, from: Self.peer), .remote(.offer(Self.offer), from: Self.peer),
                             .remote(.candidate(Self.candidate), from: Self.peer), .remote(.candidate(second), from: Self.peer)] {
            _ = m.handle(e)
        }
        let effects = m.handle(.accept)
        #expect(effects == [.cancelTimer(.ring), .send(.accept, to: Self.peer), .answerOffer(Self.offer, peer: Self.peer),
                            .addRemoteCandidate(Self.candidate), .addRemoteCandidate(second)])
    }

    @Test func lingerReturnsToIdleWhenSignalingIsGone() {
        var m = Start.ended.machine()
        _ = m.handle(.signalingLost)
        _ = m.handle(.timerFired(.linger, generation: m.generation))
        #expect(m.state == .idle)
        _ = m.handle(.joinedRoom)
        #expect(m.state == .inRoom)
    }

    /// The caller's offer can cross our reject: it must not ring again.
    @Test func anOfferThatCrossedTheRejectDoesNotRingAgain() {
        var m = Start.incomingRinging.machine()
        _ = m.handle(.reject)
        let effects = m.handle(.remote(.offer(Self.offer), from: Self.peer))
        #expect(m.state == .ended(peer: Self.peer, reason: .declinedByUs))
        #expect(effects == [.ignored("a late offer from 1002, whose call just ended")])
        // Once the call has faded, an offer without `call` rings as before (seed pages skip `call`).
        _ = m.handle(.timerFired(.linger, generation: m.generation))
        _ = m.handle(.remote(.offer(Self.offer), from: Self.peer))
        #expect(m.state == .incomingRinging(peer: Self.peer, held: HeldSignals(offer: Self.offer)))
    }

    @Test func aTimerFromAnEarlierCallIsIgnored() {
        var m = Start.ended.machine()
        let oldGeneration = m.generation
        _ = m.handle(.placeCall(to: Self.other))
        let effects = m.handle(.timerFired(.ring, generation: oldGeneration))
        #expect(m.state == .outgoingRinging(peer: Self.other))
        #expect(effects == [.ignored("stale ring timer")])
    }
}
