/// The role in ICE: the controlling agent nominates (RFC 8445 §6.1.1).
public enum ICERole: Sendable, Equatable { case controlling, controlled }

/// Where ICE stands, as RTCIceConnectionState names it.
public enum ICEConnectionState: String, Sendable, Equatable {
    case new, checking, connected, disconnected, failed, closed
}

/// `a=ice-ufrag` / `a=ice-pwd`.
public struct ICECredentials: Sendable, Equatable {
    public var ufrag: String
    public var pwd: String

    public init(ufrag: String, pwd: String) {
        self.ufrag = ufrag
        self.pwd = pwd
    }
}

/// A datagram the driver should send from the socket bound at `from`.
public struct ICETransmit: Sendable, Equatable {
    public var from: TransportAddress
    public var to: TransportAddress
    public var bytes: [UInt8]
}

public enum ICEEvent: Sendable, Equatable {
    case stateChanged(ICEConnectionState)
    /// The pair media should use from now on.
    case selectedPair(local: ICECandidate, remote: ICECandidate)
    /// A remote address learned from an incoming check (RFC 8445 §7.3.1.3).
    case peerReflexiveRemote(ICECandidate)
    case roleChanged(ICERole)
    /// A server-reflexive candidate of ours, to trickle to the peer.
    case localCandidate(ICECandidate)
    /// Every STUN server asked has answered or timed out.
    case gatheringComplete
    /// Application data that came through our TURN relay.
    case relayedData([UInt8], from: TransportAddress)
    /// A TURN allocation could not be made (unreachable server, refused credentials).
    case relayFailed(String)
}

/// Timing of checks and consent; defaults follow RFC 8445 §14 and RFC 7675, with
/// consent checked more often than every 5 s so that a vanished peer shows as
/// disconnected within about 5 s (as browsers do).
public struct ICETiming: Sendable, Equatable {
    /// Ta: the pace of new checks.
    public var pacing: Duration = .milliseconds(50)
    /// First retransmission timeout of a check; doubles up to `maximumRetransmissionTimeout`.
    public var retransmissionTimeout: Duration = .milliseconds(250)
    public var maximumRetransmissionTimeout: Duration = .seconds(3)
    /// Transmissions of one check before it fails (RFC 8489 Rc = 7).
    public var transmissions = 7
    /// Consent checks on the selected pair (randomised ±20 %, RFC 7675 §5.1).
    public var consentInterval: Duration = .seconds(2)
    /// Without a consent response for this long: disconnected.
    public var disconnectedAfter: Duration = .seconds(5)
    /// Without a consent response for this long: failed (RFC 7675 §5.1: 30 s).
    public var failedAfter: Duration = .seconds(30)

    public init() {}
}

/// Counters of what the agent dropped, for stats and tests.
public struct ICECounters: Sendable, Equatable {
    public var malformed = 0
    public var badIntegrity = 0
    public var unknownTransaction = 0
    public var wrongUsername = 0
    public var checksSent = 0
    public var responsesReceived = 0
}
