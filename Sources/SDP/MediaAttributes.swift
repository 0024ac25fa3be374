/// `a=sendrecv|sendonly|recvonly|inactive` (RFC 8866 §6.7).
public enum MediaDirection: String, Sendable, CaseIterable {
    case sendrecv, sendonly, recvonly, inactive

    /// What the other side's answer direction is for this offer direction (RFC 3264 §6.1).
    public var reversed: MediaDirection {
        switch self {
        case .sendonly: return .recvonly
        case .recvonly: return .sendonly
        case .sendrecv, .inactive: return self
        }
    }
}

/// `a=setup` (RFC 4145 §4, RFC 8842 §5): who opens the DTLS connection.
public enum DTLSSetup: String, Sendable {
    case actpass, active, passive, holdconn
}

/// `a=fingerprint:<hash> <hex bytes>` (RFC 8122 §5).
public struct Fingerprint: Sendable, Hashable {
    public var algorithm: String
    public var bytes: [UInt8]

    public init(algorithm: String, bytes: [UInt8]) {
        self.algorithm = algorithm
        self.bytes = bytes
    }

    public init?(parsing value: some StringProtocol) {
        let parts = value.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2 else { return nil }
        var bytes: [UInt8] = []
        for hex in parts[1].split(separator: ":") {
            guard hex.count == 2, let byte = UInt8(hex, radix: 16) else { return nil }
            bytes.append(byte)
        }
        guard !bytes.isEmpty else { return nil }
        self.init(algorithm: parts[0].lowercased(), bytes: bytes)
    }

    /// `sha-256 AB:CD:...` with upper-case hex, as RFC 8122 writes it.
    public var attributeValue: String {
        let digits = Array("0123456789ABCDEF")
        let hex = bytes.map { String([digits[Int($0 >> 4)], digits[Int($0 & 0xF)]]) }.joined(separator: ":")
        return "\(algorithm) \(hex)"
    }
}

/// `a=rtpmap:<pt> <encoding>/<clock>[/<channels>]` (RFC 8866 §6.6).
public struct RTPMap: Sendable, Hashable {
    public var payloadType: Int
    public var encoding: String
    public var clockRate: Int
    public var channels: Int?

    public init(payloadType: Int, encoding: String, clockRate: Int, channels: Int? = nil) {
        self.payloadType = payloadType
        self.encoding = encoding
        self.clockRate = clockRate
        self.channels = channels
    }

    public init?(parsing value: some StringProtocol) {
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, let pt = Int(parts[0]), (0...127).contains(pt) else { return nil }
        let codec = parts[1].split(separator: "/")
        guard codec.count >= 2, let clock = Int(codec[1]), clock > 0 else { return nil }
        var channels: Int?
        if codec.count >= 3 {
            guard let c = Int(codec[2]), c > 0 else { return nil }
            channels = c
        }
        self.init(payloadType: pt, encoding: String(codec[0]), clockRate: clock, channels: channels)
    }

    public var attributeValue: String {
        "\(payloadType) \(encoding)/\(clockRate)" + (channels.map { "/\($0)" } ?? "")
    }
}

/// `a=extmap:<id>[/<direction>] <uri> [<attributes>]` (RFC 8285 §8).
public struct ExtensionMap: Sendable, Hashable {
    public var id: Int
    public var direction: MediaDirection?
    public var uri: String
    public var attributes: String?

    public init(id: Int, direction: MediaDirection? = nil, uri: String, attributes: String? = nil) {
        self.id = id
        self.direction = direction
        self.uri = uri
        self.attributes = attributes
    }

    public init?(parsing value: some StringProtocol) {
        let parts = value.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2 else { return nil }
        let idParts = parts[0].split(separator: "/", maxSplits: 1)
        guard let id = Int(idParts[0]), (1...255).contains(id) else { return nil }
        var direction: MediaDirection?
        if idParts.count == 2 {
            guard let d = MediaDirection(rawValue: String(idParts[1])) else { return nil }
            direction = d
        }
        self.init(id: id, direction: direction, uri: String(parts[1]), attributes: parts.count == 3 ? String(parts[2]) : nil)
    }

    public var attributeValue: String {
        let idText = direction.map { "\(id)/\($0.rawValue)" } ?? String(id)
        return [idText, uri, attributes].compactMap { $0 }.joined(separator: " ")
    }
}

/// `a=ssrc:<ssrc> <attribute>[:<value>]` (RFC 5576 §4.1).
public struct SSRCAttribute: Sendable, Hashable {
    public var ssrc: UInt32
    public var name: String
    public var value: String?

    public init?(parsing text: some StringProtocol) {
        let parts = text.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, let ssrc = UInt32(parts[0]) else { return nil }
        self.ssrc = ssrc
        if let colon = parts[1].firstIndex(of: ":") {
            name = String(parts[1][..<colon])
            value = String(parts[1][parts[1].index(after: colon)...])
        } else {
            name = String(parts[1])
        }
    }
}
