/// One Engine.IO v4 packet as carried in a WebSocket text frame.
///
/// Engine.IO frames start with a single digit naming the packet type; the rest
/// of the frame is that packet's data. Binary frames (type 4 without the
/// digit) are not used by this protocol and are refused by the callers.
public enum EngineIOPacket: Sendable, Equatable {
    case open(JSONValue)
    case close
    case ping(String)
    case pong(String)
    case message(String)
    case upgrade
    case noop

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case empty
        case unknownType(Character)
        case badOpenPayload

        public var description: String {
            switch self {
            case .empty: return "empty Engine.IO frame"
            case .unknownType(let c): return "unknown Engine.IO packet type '\(c)'"
            case .badOpenPayload: return "Engine.IO open packet without a JSON object"
            }
        }
    }

    public init(parsing text: String) throws(ParseError) {
        guard let first = text.first else { throw .empty }
        let rest = String(text.dropFirst())
        switch first {
        case "0":
            guard let json = JSONValue.parse(Substring(rest)), json.objectValue != nil else { throw .badOpenPayload }
            self = .open(json)
        case "1": self = .close
        case "2": self = .ping(rest)
        case "3": self = .pong(rest)
        case "4": self = .message(rest)
        case "5": self = .upgrade
        case "6": self = .noop
        default: throw .unknownType(first)
        }
    }

    public var encoded: String {
        switch self {
        case .open(let json): return "0" + json.jsonText
        case .close: return "1"
        case .ping(let data): return "2" + data
        case .pong(let data): return "3" + data
        case .message(let data): return "4" + data
        case .upgrade: return "5"
        case .noop: return "6"
        }
    }
}

/// The Engine.IO handshake the server sends first (`0{...}`).
public struct EngineIOHandshake: Sendable, Equatable {
    public var sid: String
    public var pingInterval: Int
    public var pingTimeout: Int
    public var maxPayload: Int

    public init(sid: String, pingInterval: Int, pingTimeout: Int, maxPayload: Int) {
        self.sid = sid
        self.pingInterval = pingInterval
        self.pingTimeout = pingTimeout
        self.maxPayload = maxPayload
    }

    public init?(_ json: JSONValue) {
        guard let sid = json["sid"]?.stringValue,
            case .number(let interval)? = json["pingInterval"],
            case .number(let timeout)? = json["pingTimeout"]
        else { return nil }
        var maxPayload = 1_000_000
        if case .number(let m)? = json["maxPayload"] { maxPayload = Int(m) }
        self.init(sid: sid, pingInterval: Int(interval), pingTimeout: Int(timeout), maxPayload: maxPayload)
    }

    public var json: JSONValue {
        [
            "sid": .string(sid), "upgrades": [], "pingInterval": .number(Double(pingInterval)),
            "pingTimeout": .number(Double(pingTimeout)), "maxPayload": .number(Double(maxPayload)),
        ]
    }
}
