/// Encodes what the server writes into WebSocket text frames (Engine.IO
/// packets carrying Socket.IO packets), so that call sites read as protocol.
enum OutboundPackets {
    /// `42["name",payload]` wrapped in an Engine.IO message.
    static func event(_ name: String, _ payload: JSONValue) -> String {
        EngineIOPacket.message(SocketIOPacket.event(name, payload).encoded).encoded
    }

    /// `42["msg",{type,msg,status,data}]`.
    static func envelope(_ envelope: Envelope) -> String {
        event("msg", envelope.json)
    }

    /// `40{"sid":"..."}`: the Socket.IO connect answer for the main namespace.
    static func connectAccepted(socketID: String) -> String {
        EngineIOPacket.message(SocketIOPacket(kind: .connect, data: ["sid": .string(socketID)]).encoded).encoded
    }

    /// `44/ns,{"message":...}`: a connect_error for a namespace.
    static func connectError(namespace: String, message: String) -> String {
        EngineIOPacket.message(
            SocketIOPacket(kind: .connectError, namespace: namespace, data: ["message": .string(message)]).encoded
        ).encoded
    }

    /// `41`: the server ends the Socket.IO session (the client must not reconnect by itself).
    static let disconnect = EngineIOPacket.message(SocketIOPacket(kind: .disconnect).encoded).encoded

    static let ping = EngineIOPacket.ping("").encoded

    /// Random Engine.IO / Socket.IO session ids (20 URL-safe characters, as engine.io makes them).
    static func makeSessionID() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var generator = SystemRandomNumberGenerator()
        return String((0..<20).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }
}
