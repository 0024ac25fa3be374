import Signaling

/// Something a peer sent us through signaling.
public enum RemoteSignal: Sendable, Equatable {
    case call, accept, reject, busy, hangup
    case offer(SessionDescription)
    case answer(SessionDescription)
    case candidate(IceCandidateInit)
}

/// The two timers of a call; each start carries the call's generation so a
/// timer that fires after its call is over is recognised and ignored.
public enum CallTimer: Sendable, Equatable {
    /// How long a call may ring (30 s by default) before it counts as unanswered.
    case ring
    /// How long the "call ended" state stays on screen before returning to the room.
    case linger
}

/// Every input to the call state machine.
public enum CallEvent: Sendable, Equatable {
    // Signaling
    case joinedRoom
    case signalingLost
    case peerLeft(String)
    case remote(RemoteSignal, from: String)
    /// The server could not deliver to `target` (offline, another room).
    case undeliverable(target: String, message: String)
    // The user
    case placeCall(to: String)
    case accept
    case reject
    case hangUp
    // Timers
    case timerFired(CallTimer, generation: Int)
    // The peer connection
    case transportConnected
    case transportFailed(String)
    /// The peer closed the secure transport on purpose (DTLS close_notify): it hung up,
    /// even when its `hangup` never arrives (a seed-style server does not forward it).
    case transportClosedByPeer
}
