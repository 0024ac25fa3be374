import Logging

/// Decides what happens to one Socket.IO event from a connected client:
/// answers `roomUserList`, forwards the peer-to-peer events to their target,
/// broadcasts `msg`, and turns everything else into an `error` envelope.
///
/// Routing never leaves the sender's room: targets are looked up in that room
/// only, so a user of another room is indistinguishable from an absent one.
struct RelayRouter: Sendable {
    let registry: any RoomRegistry
    let connections: ConnectionTable

    func handle(event name: String, payload: JSONValue, from sender: ClientConnection) async {
        do {
            try await route(event: name, payload: payload, from: sender)
        } catch {
            sender.send(OutboundPackets.envelope(error.envelope))
        }
    }

    private func route(event name: String, payload: JSONValue, from sender: ClientConnection) async throws(RelayRejection)
    {
        if name == "roomUserList" {
            try await answerUserList(payload: payload, to: sender)
        } else if name == "msg" {
            // The seed broadcasts chat-like `msg` payloads untouched, sender included.
            await broadcast(OutboundPackets.event("msg", payload), toRoom: sender.user.roomId)
        } else if let kind = RelayKind(rawValue: name) {
            try await forward(kind, payload: payload, from: sender)
        } else {
            throw .badRequest("The server does not know the event '\(Self.shortened(name))'.", event: Self.shortened(name))
        }
    }

    private func answerUserList(payload: JSONValue, to sender: ClientConnection) async throws(RelayRejection) {
        if let asked = payload["roomId"]?.identifierValue, asked != sender.user.roomId {
            throw RelayRejection(status: 403, sentence: "You can only list the users of your own room.", event: "roomUserList")
        }
        let users = await registry.users(in: sender.user.roomId).map(\.user.json)
        sender.send(OutboundPackets.event("roomUserList", .array(users)))
    }

    private func forward(_ kind: RelayKind, payload: JSONValue, from sender: ClientConnection) async throws(RelayRejection)
    {
        let event = kind.rawValue
        guard payload.objectValue != nil else {
            throw .badRequest("The '\(event)' payload must be a JSON object.", event: event)
        }
        guard let target = payload["targetUid"]?.identifierValue, !target.isEmpty else {
            throw .badRequest("The '\(event)' payload needs a targetUid.", event: event)
        }
        guard let claimed = payload["userId"]?.identifierValue else {
            throw .badRequest("The '\(event)' payload needs your userId.", event: event, targetUid: target)
        }
        guard claimed == sender.user.userId else {
            throw RelayRejection(
                status: 403, sentence: "The userId in '\(event)' must be your own (\(sender.user.userId)).",
                event: event, targetUid: target)
        }
        guard let member = await registry.lookup(userId: target, in: sender.user.roomId),
            let connection = connections[member.connection]
        else {
            throw RelayRejection(
                status: 404, sentence: "User \(target) is not online in your room.", event: event, targetUid: target)
        }
        let envelope = Envelope(type: event, msg: "\(event) from \(sender.user.userId)", status: 200, data: payload)
        connection.send(OutboundPackets.envelope(envelope))
    }

    /// Writes one already-encoded frame to every user of a room.
    func broadcast(_ frame: String, toRoom roomId: String) async {
        for member in await registry.users(in: roomId) {
            connections[member.connection]?.send(frame)
        }
    }

    /// Event names come from clients: keep what goes back into messages short.
    static func shortened(_ name: String) -> String {
        name.count <= 64 ? name : String(name.prefix(64)) + "…"
    }
}
