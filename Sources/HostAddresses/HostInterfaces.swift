import Glibc

/// The machine's usable addresses for host candidates (RFC 8445 §5.1.1.1):
/// interfaces that are up, without link-local IPv6 (they need a scope and
/// browsers skip them) and without loopback unless asked (tests on one machine).
public enum HostInterfaces {
    public static func addresses(includeLoopback: Bool, includeIPv6: Bool = true) -> [[UInt8]] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return [] }
        defer { freeifaddrs(list) }
        var result: [[UInt8]] = []
        for entry in sequence(first: first, next: { $0.pointee.ifa_next }) {
            let flags = Int32(entry.pointee.ifa_flags)
            guard flags & Int32(IFF_UP) != 0, let address = entry.pointee.ifa_addr else { continue }
            let isLoopback = flags & Int32(IFF_LOOPBACK) != 0
            if isLoopback && !includeLoopback { continue }
            switch Int32(address.pointee.sa_family) {
            case AF_INET:
                let bytes = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                    withUnsafeBytes(of: pointer.pointee.sin_addr) { Array($0) }
                }
                result.append(bytes)
            case AF_INET6 where includeIPv6:
                let bytes = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                    withUnsafeBytes(of: pointer.pointee.sin6_addr) { Array($0) }
                }
                let linkLocal = bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80
                if !linkLocal { result.append(bytes) }
            default:
                continue
            }
        }
        return result
    }
}
