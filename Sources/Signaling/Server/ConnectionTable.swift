import NIOConcurrencyHelpers

/// The live connections of this process, by id, with the connection limit.
///
/// Kept apart from the room registry on purpose: a registry may one day be
/// shared between processes, but a socket only ever belongs to one.
final class ConnectionTable: Sendable {
    private let maxConnections: Int
    private let table = NIOLockedValueBox([ConnectionID: ClientConnection]())
    private let nextID = NIOLockedValueBox<UInt64>(0)

    init(maxConnections: Int) {
        self.maxConnections = maxConnections
    }

    func makeID() -> ConnectionID {
        ConnectionID(rawValue: nextID.withLockedValue { $0 += 1; return $0 })
    }

    /// Adds a connection unless the limit is reached.
    func insert(_ connection: ClientConnection) -> Bool {
        table.withLockedValue { table in
            guard table.count < maxConnections else { return false }
            table[connection.id] = connection
            return true
        }
    }

    func remove(_ id: ConnectionID) {
        _ = table.withLockedValue { $0.removeValue(forKey: id) }
    }

    subscript(id: ConnectionID) -> ClientConnection? {
        table.withLockedValue { $0[id] }
    }

    var count: Int { table.withLockedValue { $0.count } }

    var all: [ClientConnection] { table.withLockedValue { Array($0.values) } }

    /// True while more connections may be accepted (checked before the WebSocket upgrade).
    var hasRoom: Bool { count < maxConnections }
}
