/// Where the signaling server is and who we are there.
///
/// `--server` takes a socket.io-style base URL: `http://`, `https://`, `ws://`
/// or `wss://` HOST[:PORT]; the WebSocket URL adds `/socket.io/` and the
/// handshake query that carries our identity.
public struct SignalingEndpoint: Sendable, Equatable {
    public static let defaultPort = 18080
    public static let defaultServer = "http://127.0.0.1:18080"

    public var secure: Bool
    public var host: String
    public var port: Int
    public var userId: String
    public var roomId: String
    public var nickname: String

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case unsupportedScheme(String)
        case missingHost(String)
        case badPort(String)

        public var description: String {
            switch self {
            case .unsupportedScheme(let url):
                return "--server \(url): use http://, https://, ws:// or wss:// followed by HOST[:PORT]"
            case .missingHost(let url): return "--server \(url): no host name in the URL"
            case .badPort(let url): return "--server \(url): the port must be a number from 1 to 65535"
            }
        }
    }

    public init(server: String, userId: String, roomId: String, nickname: String) throws(ParseError) {
        let lower = server.lowercased()
        let schemes: [(prefix: String, secure: Bool)] = [("http://", false), ("ws://", false), ("https://", true), ("wss://", true)]
        guard let scheme = schemes.first(where: { lower.hasPrefix($0.prefix) }) else { throw .unsupportedScheme(server) }
        var authority = Substring(server.dropFirst(scheme.prefix.count))
        if let slash = authority.firstIndex(where: { $0 == "/" || $0 == "?" }) { authority = authority[..<slash] }
        var host = authority
        var port = scheme.secure ? 443 : 80
        // [v6]:port, host:port or host alone.
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw .missingHost(server) }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()), (1...65535).contains(p) else { throw .badPort(server) }
                port = p
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            guard let p = Int(authority[authority.index(after: colon)...]), (1...65535).contains(p) else {
                throw .badPort(server)
            }
            port = p
        }
        guard !host.isEmpty else { throw .missingHost(server) }
        self.secure = scheme.secure
        self.host = String(host)
        self.port = port
        self.userId = userId
        self.roomId = roomId
        self.nickname = nickname
    }

    /// True for the default server on this machine, which `call` may host itself.
    public var isDefaultLoopback: Bool {
        !secure && (host == "127.0.0.1" || host == "localhost") && port == Self.defaultPort
    }

    /// `host:port` for messages, with brackets around IPv6 literals.
    public var hostPort: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// The Engine.IO v4 WebSocket URL with the identity query.
    public var webSocketURL: String {
        let query = [("EIO", "4"), ("transport", "websocket"), ("userId", userId), ("roomId", roomId), ("nickname", nickname)]
            .map { "\($0)=\(Self.percentEncoded($1))" }
            .joined(separator: "&")
        return "\(secure ? "wss" : "ws")://\(hostPort)/socket.io/?\(query)"
    }

    static func percentEncoded(_ s: String) -> String {
        var out = ""
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF")
                out += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0xF)])
            }
        }
        return out
    }
}
