import Glibc
import SDP

/// A candidate transport address of ours or of the peer (RFC 8445 §5.1).
/// Only UDP and component 1 matter for WebRTC (BUNDLE and rtcp-mux always).
public struct ICECandidate: Sendable, Hashable {
    public typealias Kind = CandidateAttribute.Kind

    public var kind: Kind
    public var address: TransportAddress
    /// Where checks are sent from (RFC 8445 §5.1.1.1): the host address for host and
    /// server-reflexive candidates, the relayed address for relayed ones.
    public var base: TransportAddress
    public var priority: UInt32
    public var foundation: String
    public var component: Int
    public var relatedAddress: TransportAddress?

    public init(kind: Kind, address: TransportAddress, base: TransportAddress, priority: UInt32, foundation: String,
                component: Int = 1, relatedAddress: TransportAddress? = nil) {
        self.kind = kind
        self.address = address
        self.base = base
        self.priority = priority
        self.foundation = foundation
        self.component = component
        self.relatedAddress = relatedAddress
    }

    /// A local candidate with the recommended priority and a foundation shared by
    /// candidates of the same type, base IP and server (RFC 8445 §5.1.1.3, §5.1.2).
    public static func local(kind: Kind, address: TransportAddress, base: TransportAddress, server: TransportAddress? = nil,
                             localPreference: UInt16 = 65535, relatedAddress: TransportAddress? = nil) -> ICECandidate {
        ICECandidate(kind: kind, address: address, base: base,
                     priority: priority(kind: kind, localPreference: localPreference, component: 1),
                     foundation: foundation(kind: kind, baseIP: base.address, server: server),
                     relatedAddress: relatedAddress)
    }

    /// RFC 8445 §5.1.2.1: (2^24)·type preference + (2^8)·local preference + (256 − component).
    public static func priority(kind: Kind, localPreference: UInt16, component: Int) -> UInt32 {
        UInt32(typePreference(kind)) << 24 | UInt32(localPreference) << 8 | UInt32(256 - component)
    }

    /// RFC 8445 §5.1.2.2 recommended values.
    public static func typePreference(_ kind: Kind) -> UInt8 {
        switch kind {
        case .host: return 126
        case .prflx: return 110
        case .srflx: return 100
        case .relay: return 0
        }
    }

    /// A short decimal foundation, stable for the same type, base IP, server and transport.
    static func foundation(kind: Kind, baseIP: [UInt8], server: TransportAddress?) -> String {
        var hash: UInt32 = 0x811C_9DC5  // FNV-1a
        let input = Array(kind.rawValue.utf8) + [0] + baseIP + [0] + (server.map { $0.address + [UInt8($0.port >> 8), UInt8($0.port & 0xFF)] } ?? []) + Array("udp".utf8)
        for byte in input {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        return String(hash)
    }

    /// A remote candidate from SDP or trickle. `nil` for TCP candidates and for
    /// mDNS names, which must be resolved to an address first.
    public init?(_ attribute: CandidateAttribute) {
        guard attribute.isUDP, attribute.component == 1, let ip = IPAddress.parse(attribute.address) else { return nil }
        let address = TransportAddress(address: ip, port: UInt16(attribute.port))
        var related: TransportAddress?
        if let raddr = attribute.relatedAddress, let rip = IPAddress.parse(raddr), let rport = attribute.relatedPort {
            related = TransportAddress(address: rip, port: UInt16(rport))
        }
        self.init(kind: attribute.kind, address: address, base: address, priority: attribute.priority,
                  foundation: attribute.foundation, component: attribute.component, relatedAddress: related)
    }

    /// The candidate as SDP and trickle carry it.
    public var attribute: CandidateAttribute {
        CandidateAttribute(foundation: foundation, component: component, transport: "udp", priority: priority,
                           address: IPAddress.text(address.address), port: Int(address.port), kind: kind,
                           relatedAddress: relatedAddress.map { IPAddress.text($0.address) },
                           relatedPort: relatedAddress.map { Int($0.port) })
    }
}

/// Text <-> bytes for IP addresses (pure conversions through libc's inet_pton/inet_ntop).
public enum IPAddress {
    public static func parse(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    public static func text(_ bytes: [UInt8]) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        let ok = bytes.withUnsafeBytes { raw in inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) != nil }
        // inet_ntop only fails on a wrong family or a short buffer, neither possible here.
        return ok ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
    }
}
