/// The STUN, ICE and TURN attributes we read and write (RFC 8489 §14,
/// RFC 8445 §16.1, RFC 8656 §18); anything else is kept as `.unknown`.
public enum STUNAttribute: Sendable, Equatable {
    case mappedAddress(TransportAddress)
    case xorMappedAddress(TransportAddress)
    case username(String)
    case errorCode(code: Int, reason: String)
    case unknownAttributes([UInt16])
    case realm(String)
    case nonce(String)
    case software(String)
    /// RFC 8445 §7.1.1: the priority a peer-reflexive candidate would have.
    case priority(UInt32)
    case useCandidate
    case iceControlled(tieBreaker: UInt64)
    case iceControlling(tieBreaker: UInt64)
    // TURN
    case channelNumber(UInt16)
    case lifetime(seconds: UInt32)
    case xorPeerAddress(TransportAddress)
    case data([UInt8])
    case xorRelayedAddress(TransportAddress)
    /// RFC 8656 §18.7: the IANA protocol number, 17 for UDP.
    case requestedTransport(UInt8)
    case dontFragment
    case unknown(type: UInt16, value: [UInt8])

    /// Attribute type codes (IANA "STUN Attributes").
    enum Code {
        static let mappedAddress: UInt16 = 0x0001
        static let username: UInt16 = 0x0006
        static let messageIntegrity: UInt16 = 0x0008
        static let errorCode: UInt16 = 0x0009
        static let unknownAttributes: UInt16 = 0x000A
        static let channelNumber: UInt16 = 0x000C
        static let lifetime: UInt16 = 0x000D
        static let xorPeerAddress: UInt16 = 0x0012
        static let data: UInt16 = 0x0013
        static let realm: UInt16 = 0x0014
        static let nonce: UInt16 = 0x0015
        static let xorRelayedAddress: UInt16 = 0x0016
        static let requestedTransport: UInt16 = 0x0019
        static let dontFragment: UInt16 = 0x001A
        static let xorMappedAddress: UInt16 = 0x0020
        static let priority: UInt16 = 0x0024
        static let useCandidate: UInt16 = 0x0025
        static let software: UInt16 = 0x8022
        static let fingerprint: UInt16 = 0x8028
        static let iceControlled: UInt16 = 0x8029
        static let iceControlling: UInt16 = 0x802A
    }
}

/// An IP address and port, as STUN carries them.
public struct TransportAddress: Sendable, Hashable, CustomStringConvertible {
    public enum Family: Sendable, Hashable { case ipv4, ipv6 }
    /// 4 bytes for IPv4, 16 for IPv6, network order.
    public var address: [UInt8]
    public var port: UInt16

    public init(address: [UInt8], port: UInt16) {
        precondition(address.count == 4 || address.count == 16, "an IP address is 4 or 16 bytes")
        self.address = address
        self.port = port
    }

    public var family: Family { address.count == 4 ? .ipv4 : .ipv6 }

    public var description: String {
        switch family {
        case .ipv4: return address.map(String.init).joined(separator: ".") + ":\(port)"
        case .ipv6:
            let groups = stride(from: 0, to: 16, by: 2).map { String(UInt16(address[$0]) << 8 | UInt16(address[$0 + 1]), radix: 16) }
            return "[" + groups.joined(separator: ":") + "]:\(port)"
        }
    }
}
