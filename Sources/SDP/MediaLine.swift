/// `m=<media> <port> <proto> <fmt> ...` (RFC 8866 §5.14).
public struct MediaLine: Sendable, Hashable {
    public var kind: String
    public var port: Int
    /// A port count (`m=video 49170/2 ...`), rare and kept for round trips.
    public var portCount: Int?
    public var proto: String
    /// Payload types for RTP, `webrtc-datachannel` or a legacy SCTP port for data.
    public var formats: [String]

    public init(kind: String, port: Int, portCount: Int? = nil, proto: String, formats: [String]) {
        self.kind = kind
        self.port = port
        self.portCount = portCount
        self.proto = proto
        self.formats = formats
    }

    init?(_ value: String) {
        let parts = value.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count >= 3 else { return nil }
        let portParts = parts[1].split(separator: "/", maxSplits: 1)
        guard let port = Int(portParts[0]), (0...65535).contains(port) else { return nil }
        if portParts.count == 2 {
            guard let count = Int(portParts[1]), count > 0 else { return nil }
            portCount = count
        }
        kind = String(parts[0])
        self.port = port
        proto = String(parts[2])
        formats = parts.dropFirst(3).map(String.init)
    }

    public var value: String {
        let portText = portCount.map { "\(port)/\($0)" } ?? String(port)
        return ([kind, portText, proto] + formats).joined(separator: " ")
    }

    /// RTP payload types, for RTP media lines.
    public var payloadTypes: [Int] { formats.compactMap { Int($0) } }
}
