import Signaling

/// Which side of the call we are: the caller sends the offer, the callee answers.
public enum CallRole: String, Sendable, Equatable {
    case caller, callee
}

/// What an incoming call brought before the user answered it: the seed's page
/// sends its offer (and then candidates) right after `call`, so they are kept
/// until the user accepts.
public struct HeldSignals: Sendable, Equatable {
    public var offer: SessionDescription?
    public var candidates: [IceCandidateInit]

    public init(offer: SessionDescription? = nil, candidates: [IceCandidateInit] = []) {
        self.offer = offer
        self.candidates = candidates
    }
}

/// Why a call ended, worded for the person at the terminal.
public enum CallEndReason: Sendable, Equatable {
    case declinedByPeer, busy, noAnswer, cancelledByUs
    case declinedByUs, missed, cancelledByPeer
    case hungUpByUs, hungUpByPeer, peerLeft
    case unreachable(String)
    case signalingLost
    case failed(String)

    public func sentence(peer: String) -> String {
        switch self {
        case .declinedByPeer: return "\(peer) declined the call"
        case .busy: return "\(peer) is busy"
        case .noAnswer: return "\(peer) did not answer"
        case .cancelledByUs: return "call to \(peer) cancelled"
        case .declinedByUs: return "you declined the call from \(peer)"
        case .missed: return "missed call from \(peer)"
        case .cancelledByPeer: return "\(peer) cancelled the call"
        case .hungUpByUs: return "you hung up on \(peer)"
        case .hungUpByPeer: return "\(peer) hung up"
        case .peerLeft: return "\(peer) left the room"
        case .unreachable(let why): return "cannot reach \(peer): \(why)"
        case .signalingLost: return "lost the signaling server while ringing \(peer)"
        case .failed(let why): return "call with \(peer) failed: \(why)"
        }
    }
}

/// The caller/callee life cycle (DESIGN.md "Call flow").
public enum CallState: Sendable, Equatable {
    /// Not in a room: signaling is not (or no longer) connected.
    case idle
    /// In the room, free to call or be called.
    case inRoom
    case outgoingRinging(peer: String)
    case incomingRinging(peer: String, held: HeldSignals)
    /// Accepted; the peer connection is being set up.
    case connecting(peer: String, role: CallRole)
    case inCall(peer: String, role: CallRole)
    /// Shown for a moment, then back to the room (or idle if signaling is gone).
    case ended(peer: String, reason: CallEndReason)

    /// The other person, in every state that has one.
    public var peer: String? {
        switch self {
        case .idle, .inRoom: return nil
        case .outgoingRinging(let p), .incomingRinging(let p, _), .connecting(let p, _), .inCall(let p, _),
            .ended(let p, _):
            return p
        }
    }

    /// A short name for logs and the headless `state` event.
    public var name: String {
        switch self {
        case .idle: return "idle"
        case .inRoom: return "inRoom"
        case .outgoingRinging: return "outgoingRinging"
        case .incomingRinging: return "incomingRinging"
        case .connecting: return "connecting"
        case .inCall: return "inCall"
        case .ended: return "ended"
        }
    }
}
