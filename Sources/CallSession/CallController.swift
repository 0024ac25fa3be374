import Logging
import Signaling

/// Drives one person's call life: signaling events and user commands go into
/// the `CallStateMachine`, its effects come out as signaling messages, timers
/// and updates for the screen. It owns no terminal and no sockets of its own.
public actor CallController {
    public nonisolated let updates: AsyncStream<CallUpdate>
    private let updateSink: AsyncStream<CallUpdate>.Continuation
    private let client: SignalingClient
    private let logger: Logger
    private let autoAnswer: Bool
    private var machine: CallStateMachine
    private var timers: [CallTimer: Task<Void, Never>] = [:]
    private var users: [RoomUser] = []
    private var toldMediaMissing = false
    private var quitting = false
    /// Why signaling ended for good, when it was not our own `quit` (replaced, room full).
    public private(set) var signalingEndReason: String?
    /// Signaling sends leave in the order the machine made them, through one queue.
    private let outbox: AsyncStream<(RelayKind, String)>.Continuation
    private let outboxDrain: Task<Void, Never>

    public init(client: SignalingClient, autoAnswer: Bool = false, ringTimeout: Duration = .seconds(30), logger: Logger) {
        self.client = client
        self.logger = logger
        self.autoAnswer = autoAnswer
        machine = CallStateMachine(selfId: client.endpoint.userId, ringTimeout: ringTimeout)
        (updates, updateSink) = AsyncStream.makeStream(of: CallUpdate.self, bufferingPolicy: .unbounded)
        let (sends, outbox) = AsyncStream.makeStream(of: (RelayKind, String).self, bufferingPolicy: .unbounded)
        self.outbox = outbox
        outboxDrain = Task { [client] in
            for await (kind, target) in sends { await client.relay(kind, to: target) }
        }
    }

    public var state: CallState { machine.state }

    /// Feeds signaling events into the machine until the client stops.
    public func run() async {
        for await event in client.events {
            handle(event)
        }
        for task in timers.values { task.cancel() }
        updateSink.yield(.finished)
        updateSink.finish()
    }

    /// A command from the user; `quit` hangs up first, then stops signaling.
    public func perform(_ command: UserCommand) async {
        switch command {
        case .call(let target):
            if !users.contains(where: { $0.userId == target }) && target != machine.selfId {
                updateSink.yield(.notice("\(target) is not in this room (calling anyway)"))
            }
            apply(.placeCall(to: target))
        case .accept: apply(.accept)
        case .reject: apply(.reject)
        case .hangUp: apply(.hangUp)
        case .chat:
            updateSink.yield(.notice("chat needs the data channel, which is not built yet"))
        case .notYetAvailable(let what):
            updateSink.yield(.notice("\(what): not built yet"))
        case .quit:
            quitting = true
            switch machine.state {
            case .outgoingRinging, .incomingRinging, .connecting, .inCall: apply(.hangUp)
            case .idle, .inRoom, .ended: break
            }
            // Let the hangup reach the client's queue before it closes the connection.
            outbox.finish()
            await outboxDrain.value
            await client.stop()
        }
    }

    // MARK: - Signaling in

    private func handle(_ event: SignalingEvent) {
        switch event {
        case .connected(let isReconnect):
            if isReconnect { updateSink.yield(.notice("reconnected to the signaling server; back in the room")) }
            updateSink.yield(.signaling(.connected))
            apply(.joinedRoom)
        case .connectionLost(let reason):
            updateSink.yield(.signaling(.reconnecting(attempt: 0, delay: .zero, reason: reason)))
            apply(.signalingLost)
        case .reconnecting(let attempt, let delay):
            updateSink.yield(.signaling(.reconnecting(attempt: attempt, delay: delay, reason: "connection lost")))
        case .stopped(let reason):
            if !quitting { signalingEndReason = reason }
            updateSink.yield(.signaling(.stopped(reason: reason)))
            apply(.signalingLost)
        case .roomUsers(let list):
            let others = list.filter { $0.userId != machine.selfId }
            if others != users {
                users = others
                updateSink.yield(.users(users))
            }
        case .userJoined(let userId, let nickname):
            if userId != machine.selfId, !users.contains(where: { $0.userId == userId }) {
                users.append(RoomUser(userId: userId, roomId: client.endpoint.roomId, nickname: nickname))
                updateSink.yield(.users(users))
            }
        case .userLeft(let userId, _):
            if users.contains(where: { $0.userId == userId }) {
                users.removeAll { $0.userId == userId }
                updateSink.yield(.users(users))
            }
            apply(.peerLeft(userId))
        case .relayed(let kind, let from, let data):
            guard let signal = Self.remoteSignal(kind, data) else {
                logger.warning("dropping a malformed \(kind.rawValue) from \(from)")
                return
            }
            apply(.remote(signal, from: from))
        case .serverError(let status, let message, let data):
            updateSink.yield(.error(message))
            if let target = data["targetUid"]?.identifierValue, status != 200 {
                apply(.undeliverable(target: target, message: message))
            }
        case .roomMessage(let payload):
            logger.debug("room broadcast: \(payload.jsonText)")
        }
    }

    static func remoteSignal(_ kind: RelayKind, _ data: JSONValue) -> RemoteSignal? {
        switch kind {
        case .call: return .call
        case .accept: return .accept
        case .reject: return .reject
        case .busy: return .busy
        case .hangup: return .hangup
        case .offer: return data["offer"].flatMap(SessionDescription.init).map(RemoteSignal.offer)
        case .answer: return data["answer"].flatMap(SessionDescription.init).map(RemoteSignal.answer)
        case .candidate: return data["candidate"].flatMap(IceCandidateInit.init).map(RemoteSignal.candidate)
        }
    }

    // MARK: - Machine out

    private func apply(_ event: CallEvent) {
        let before = machine.state
        let effects = machine.handle(event)
        if machine.state != before {
            logger.info("call state \(before.name) -> \(machine.state.name) on \(CallStateMachine.describe(event))")
            updateSink.yield(.state(machine.state))
        }
        // Held offers and candidates change the ringing state too; only the first ring counts.
        var startedRinging = false
        if case .incomingRinging(let peer, _) = machine.state, before.name != "incomingRinging" {
            updateSink.yield(.incoming(from: peer))
            startedRinging = true
        }
        for effect in effects { perform(effect) }
        if startedRinging && autoAnswer { apply(.accept) }
    }

    private func perform(_ effect: CallEffect) {
        switch effect {
        case .send(let kind, let target):
            outbox.yield((kind, target))
        case .startTimer(let timer, let generation, let delay):
            timers[timer]?.cancel()
            timers[timer] = Task { [weak self] in
                guard (try? await Task.sleep(for: delay)) != nil else { return }
                await self?.apply(.timerFired(timer, generation: generation))
            }
        case .cancelTimer(let timer):
            timers.removeValue(forKey: timer)?.cancel()
        case .ringBell:
            updateSink.yield(.bell)
        case .startOffer, .answerOffer, .applyAnswer, .addRemoteCandidate:
            // The peer connection arrives with the transport issues; until then a call
            // stops at "connecting". Say so once per call instead of pretending.
            if !toldMediaMissing {
                toldMediaMissing = true
                updateSink.yield(.notice("media transport is not built yet: the call stops at connecting"))
            }
            logger.info("no peer connection yet; dropping \(effect)")
        case .closePeerConnection:
            toldMediaMissing = false
        case .ignored(let why):
            logger.info("ignored: \(why)")
        case .notice(let text):
            updateSink.yield(.notice(text))
        }
    }
}
