import Logging

/// Everything the sessions of one server share.
final class ServerState: Sendable {
    let configuration: SignalingServerConfiguration
    let registry: any RoomRegistry
    let connections: ConnectionTable
    let router: RelayRouter
    let counters = ServerCounters()
    let logger: Logger

    init(configuration: SignalingServerConfiguration, registry: any RoomRegistry, logger: Logger) {
        self.configuration = configuration
        self.registry = registry
        self.connections = ConnectionTable(maxConnections: configuration.maxConnections)
        self.router = RelayRouter(registry: registry, connections: connections)
        self.logger = logger
    }
}

extension SignalingServerConfiguration {
    /// Frames between ``maxFrameBytes`` and this get a 413 answer; larger ones end the connection.
    var hardFrameLimit: Int { maxFrameBytes * 2 }

    func validate() throws(SignalingServerError) {
        guard (0...65535).contains(port) else { throw .invalidConfiguration("port \(port) is not in 0...65535") }
        guard maxFrameBytes >= 1024 else { throw .invalidConfiguration("maxFrameBytes must be at least 1024") }
        guard maxUsersPerRoom >= 1, maxRooms >= 1, maxConnections >= 1 else {
            throw .invalidConfiguration("the user, room and connection limits must be at least 1")
        }
        guard maxQueuedBytesPerClient >= maxFrameBytes * 2 else {
            throw .invalidConfiguration("maxQueuedBytesPerClient must hold at least two frames")
        }
        guard pingInterval > .zero, pingTimeout > .zero else {
            throw .invalidConfiguration("pingInterval and pingTimeout must be positive")
        }
    }
}
