import Signaling

/// What the state machine asks its driver to do; the driver performs them in order.
public enum CallEffect: Sendable, Equatable {
    /// Send a peer-to-peer event through signaling.
    case send(RelayKind, to: String)
    case startTimer(CallTimer, generation: Int, after: Duration)
    case cancelTimer(CallTimer)
    case ringBell
    /// Caller: create the peer connection and send an offer to `peer`.
    case startOffer(peer: String)
    /// Callee: create the peer connection, apply the offer, send an answer to `peer`.
    case answerOffer(SessionDescription, peer: String)
    case applyAnswer(SessionDescription)
    case addRemoteCandidate(IceCandidateInit)
    case closePeerConnection
    /// The event does not apply in this state; it is dropped and logged, never fatal.
    case ignored(String)
    /// Worth telling the user, without a state change.
    case notice(String)
}
