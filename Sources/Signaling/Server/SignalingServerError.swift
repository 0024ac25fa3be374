/// Why ``SignalingServer/start(_:logger:)`` could not start.
public enum SignalingServerError: Error, Equatable, CustomStringConvertible {
    /// Another process already listens on this port.
    case portInUse(host: String, port: Int)
    /// The listening socket could not be opened for another reason.
    case cannotListen(host: String, port: Int, reason: String)
    /// A setting is out of range.
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case .portInUse(_, let port): return "port \(port) is in use; pass --port to pick another"
        case .cannotListen(let host, let port, let reason): return "cannot listen on \(host):\(port): \(reason)"
        case .invalidConfiguration(let why): return "invalid server configuration: \(why)"
        }
    }
}
