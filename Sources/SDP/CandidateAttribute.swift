/// An ICE candidate as written in SDP and in trickled candidates (RFC 8839 §5.1):
/// `candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type>
/// [raddr <addr>] [rport <port>] [tcptype <t>] *(<name> <value>)`.
public struct CandidateAttribute: Sendable, Hashable {
    public enum Kind: String, Sendable { case host, srflx, prflx, relay }

    public struct Extension: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public var foundation: String
    public var component: Int
    /// As written (`udp`, `UDP`, `tcp`); compare with `isUDP`.
    public var transport: String
    public var priority: UInt32
    /// An IP address, or an mDNS name (`<uuid>.local`) from browsers hiding host IPs.
    public var address: String
    public var port: Int
    public var kind: Kind
    public var relatedAddress: String?
    public var relatedPort: Int?
    public var tcpType: String?
    /// Everything else (`generation 0`, `ufrag abcd`, `network-id 1`), kept in order.
    public var extensions: [Extension]

    public init(foundation: String, component: Int, transport: String, priority: UInt32, address: String, port: Int,
                kind: Kind, relatedAddress: String? = nil, relatedPort: Int? = nil, tcpType: String? = nil,
                extensions: [Extension] = []) {
        self.foundation = foundation
        self.component = component
        self.transport = transport
        self.priority = priority
        self.address = address
        self.port = port
        self.kind = kind
        self.relatedAddress = relatedAddress
        self.relatedPort = relatedPort
        self.tcpType = tcpType
        self.extensions = extensions
    }

    /// Parses the attribute value, with or without the `candidate:` prefix
    /// (SDP lines carry it after `a=`, trickled candidates carry it whole).
    public init?(parsing text: some StringProtocol) {
        var body = Substring(text)
        if body.hasPrefix("a=") { body = body.dropFirst(2) }
        if body.hasPrefix("candidate:") { body = body.dropFirst("candidate:".count) }
        let tokens = body.split(separator: " ", omittingEmptySubsequences: true)
        guard tokens.count >= 8, tokens[6] == "typ",
            let component = Int(tokens[1]), (1...256).contains(component),
            let priority = UInt32(tokens[3]),
            let port = Int(tokens[5]), (0...65535).contains(port),
            let kind = Kind(rawValue: String(tokens[7])),
            !tokens[0].isEmpty, tokens[0].count <= 32
        else { return nil }
        self.init(foundation: String(tokens[0]), component: component, transport: String(tokens[2]),
                  priority: priority, address: String(tokens[4]), port: port, kind: kind)
        var rest = tokens.dropFirst(8)
        // The remainder is name/value pairs; an odd one out makes the candidate malformed.
        while let name = rest.popFirst() {
            guard let value = rest.popFirst() else { return nil }
            switch name {
            case "raddr": relatedAddress = String(value)
            case "rport":
                guard let p = Int(value), (0...65535).contains(p) else { return nil }
                relatedPort = p
            case "tcptype": tcpType = String(value)
            default: extensions.append(Extension(name: String(name), value: String(value)))
            }
        }
    }

    public var isUDP: Bool { transport.lowercased() == "udp" }
    public var isMDNSName: Bool { address.lowercased().hasSuffix(".local") }

    /// The value after `a=` (and what a trickled candidate string carries).
    public var attributeText: String {
        var parts = ["candidate:\(foundation)", String(component), transport, String(priority), address, String(port),
                     "typ", kind.rawValue]
        if let relatedAddress { parts += ["raddr", relatedAddress] }
        if let relatedPort { parts += ["rport", String(relatedPort)] }
        if let tcpType { parts += ["tcptype", tcpType] }
        for e in extensions { parts += [e.name, e.value] }
        return parts.joined(separator: " ")
    }
}
