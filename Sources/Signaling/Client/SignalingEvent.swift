/// What the signaling client reports to the application.
public enum SignalingEvent: Sendable, Equatable {
    /// Joined the room (Socket.IO connected). `isReconnect` after a lost connection.
    case connected(isReconnect: Bool)
    /// The connection dropped; the client will try again.
    case connectionLost(reason: String)
    /// The next attempt to reconnect, and how long until it starts.
    case reconnecting(attempt: Int, delay: Duration)
    /// The client gave up for good (stopped, or replaced by another login of the same user).
    case stopped(reason: String)
    /// Everyone in the room, ourselves included, as the server lists them.
    case roomUsers([RoomUser])
    case userJoined(userId: String, nickname: String)
    case userLeft(userId: String, nickname: String)
    /// A peer-to-peer event (`call`, `offer`, ...) addressed to us; `data` is the payload the sender wrote.
    case relayed(RelayKind, from: String, data: JSONValue)
    /// The server refused something we sent (status is not 200).
    case serverError(status: Int, message: String, data: JSONValue)
    /// A raw room broadcast (`msg`) that is none of the above.
    case roomMessage(JSONValue)

    /// Reads one Socket.IO event from the server; `nil` for events this client does not know.
    public init?(socketIOEvent name: String, payload: JSONValue) {
        switch name {
        case "roomUserList":
            guard case .array(let items) = payload else { return nil }
            self = .roomUsers(items.compactMap(RoomUser.init))
        case "msg":
            guard let envelope = Envelope(payload) else {
                self = .roomMessage(payload)
                return
            }
            switch envelope.type {
            case "join", "leave":
                guard let userId = envelope.data["userId"]?.identifierValue else {
                    self = .roomMessage(payload)
                    return
                }
                let nickname = envelope.data["nickname"]?.identifierValue ?? userId
                self = envelope.type == "join" ? .userJoined(userId: userId, nickname: nickname) : .userLeft(userId: userId, nickname: nickname)
            case "error":
                self = .serverError(status: envelope.status, message: envelope.msg, data: envelope.data)
            default:
                guard let kind = RelayKind(rawValue: envelope.type), let from = envelope.data["userId"]?.identifierValue
                else {
                    self = .roomMessage(payload)
                    return
                }
                self = .relayed(kind, from: from, data: envelope.data)
            }
        default:
            return nil
        }
    }
}
