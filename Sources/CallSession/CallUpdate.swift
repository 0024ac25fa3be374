import Signaling

/// How the signaling link is doing, for the status line.
public enum SignalingStatus: Sendable, Equatable {
    case connected
    case reconnecting(attempt: Int, delay: Duration, reason: String)
    case stopped(reason: String)
}

/// What the call session tells its front end (the ncurses screen or headless JSON lines).
public enum CallUpdate: Sendable, Equatable {
    case state(CallState)
    /// The other users in the room (not us).
    case users([RoomUser])
    case signaling(SignalingStatus)
    case incoming(from: String)
    case bell
    case chat(from: String, text: String)
    /// Something the user should read: a refusal from the server, a feature not built yet.
    case notice(String)
    case error(String)
    /// The session is over (quit, or signaling stopped for good outside a call).
    case finished
}
