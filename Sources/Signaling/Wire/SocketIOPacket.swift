/// One Socket.IO v5 packet, carried inside an Engine.IO `message`.
///
/// Text form: `<type>[<attachments>-][/<namespace>,][<ack id>][<JSON>]`,
/// e.g. `40`, `42["offer",{...}]`, `42/admin,7["x"]`.
public struct SocketIOPacket: Sendable, Equatable {
    public enum Kind: Int, Sendable {
        case connect = 0, disconnect, event, ack, connectError, binaryEvent, binaryAck
    }

    public var kind: Kind
    public var namespace: String
    public var ackID: Int?
    public var data: JSONValue?

    public init(kind: Kind, namespace: String = "/", ackID: Int? = nil, data: JSONValue? = nil) {
        self.kind = kind
        self.namespace = namespace
        self.ackID = ackID
        self.data = data
    }

    /// An event packet: `42["name",payload]`.
    public static func event(_ name: String, _ payload: JSONValue) -> SocketIOPacket {
        SocketIOPacket(kind: .event, data: .array([.string(name), payload]))
    }

    /// The event's name and its first argument, when this is an event packet.
    public var event: (name: String, payload: JSONValue)? {
        guard kind == .event, case .array(let items)? = data, let name = items.first?.stringValue else { return nil }
        return (name, items.count > 1 ? items[1] : .null)
    }

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case empty
        case unknownType(Character)
        case binaryUnsupported
        case badNamespace
        case badJSON
        case eventWithoutName

        public var description: String {
            switch self {
            case .empty: return "empty Socket.IO packet"
            case .unknownType(let c): return "unknown Socket.IO packet type '\(c)'"
            case .binaryUnsupported: return "binary Socket.IO packets are not supported"
            case .badNamespace: return "Socket.IO namespace without a closing comma"
            case .badJSON: return "Socket.IO payload is not JSON"
            case .eventWithoutName: return "Socket.IO event is not an array starting with a name"
            }
        }
    }

    public init(parsing text: String) throws(ParseError) {
        var rest = Substring(text)
        guard let first = rest.popFirst() else { throw .empty }
        guard let digit = first.wholeNumberValue, let kind = Kind(rawValue: digit) else { throw .unknownType(first) }
        if kind == .binaryEvent || kind == .binaryAck { throw .binaryUnsupported }
        var namespace = "/"
        if rest.first == "/" {
            guard let comma = rest.firstIndex(of: ",") else {
                // A namespace alone (`40/admin`) has no trailing comma.
                if rest.contains(where: { $0 == "[" || $0 == "{" }) { throw .badNamespace }
                namespace = String(rest)
                rest = ""
                self.init(kind: kind, namespace: namespace)
                return
            }
            namespace = String(rest[..<comma])
            rest = rest[rest.index(after: comma)...]
        }
        var ackDigits = Substring("")
        while let c = rest.first, c.isASCII, c.isNumber {
            ackDigits.append(c)
            rest.removeFirst()
        }
        var data: JSONValue?
        if !rest.isEmpty {
            guard let json = JSONValue.parse(rest) else { throw .badJSON }
            data = json
        }
        self.init(kind: kind, namespace: namespace, ackID: ackDigits.isEmpty ? nil : Int(ackDigits), data: data)
        if kind == .event && event == nil { throw .eventWithoutName }
    }

    public var encoded: String {
        var out = String(kind.rawValue)
        if namespace != "/" { out += namespace + "," }
        if let ackID { out += String(ackID) }
        if let data { out += data.jsonText }
        return out
    }
}
