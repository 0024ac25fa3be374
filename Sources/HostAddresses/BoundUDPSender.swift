import Glibc

/// Sends datagrams straight from the calling thread on a UDP socket this process has
/// already bound (one of SwiftNIO's, for a host candidate), found by its local address.
///
/// Why: media leaves a capture thread 50 to 300 times a second, and handing each
/// packet to the socket's event loop wakes that thread every time (in an audio
/// call, as many wake-ups as the incoming packets cause). NIO does not expose its
/// descriptors, so this finds
/// the socket among the process's descriptors and keeps a duplicate of its own,
/// closed with it. Datagrams from two threads on one UDP socket are each sent whole.
public final class BoundUDPSender: Sendable {
    private let descriptor: Int32

    /// Nil when no UDP socket of this process is bound to `address` (4 or 16 bytes) and `port`.
    public init?(boundTo address: [UInt8], port: UInt16) {
        guard let directory = opendir("/proc/self/fd") else { return nil }
        defer { closedir(directory) }
        var found: Int32?
        while found == nil, let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let fd = Int32(name), Self.isUDPSocket(fd), let local = Self.localAddress(of: fd),
                  local.address == address, local.port == port else { continue }
            found = fcntl(fd, F_DUPFD_CLOEXEC, 0)
        }
        guard let found, found >= 0 else { return nil }
        descriptor = found
    }

    deinit { close(descriptor) }

    /// Sends `datagrams` in order without blocking; returns how many went (the rest, from
    /// the first the kernel refused, e.g. a full send buffer, are the caller's to send).
    public func send(_ datagrams: [[UInt8]], to address: [UInt8], port: UInt16) -> Int {
        var storage = sockaddr_storage()
        let length: socklen_t
        switch address.count {
        case 4:
            var v4 = sockaddr_in()
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
            withUnsafeMutableBytes(of: &v4.sin_addr) { $0.copyBytes(from: address) }
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: v4, as: sockaddr_in.self) }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
        case 16:
            var v6 = sockaddr_in6()
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &v6.sin6_addr) { $0.copyBytes(from: address) }
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: v6, as: sockaddr_in6.self) }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        default:
            return 0
        }
        var sent = 0
        withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { destination in
                for datagram in datagrams {
                    let result = datagram.withUnsafeBytes { bytes in
                        sendto(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT), destination, length)
                    }
                    guard result == datagram.count else { return }
                    sent += 1
                }
            }
        }
        return sent
    }

    private static func isUDPSocket(_ fd: Int32) -> Bool {
        var type: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &size) == 0 && type == Int32(SOCK_DGRAM.rawValue)
    }

    private static func localAddress(of fd: Int32) -> (address: [UInt8], port: UInt16)? {
        var storage = sockaddr_storage()
        var size = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &size) == 0 }
        }
        guard named else { return nil }
        return withUnsafeBytes(of: storage) { raw in
            switch Int32(storage.ss_family) {
            case AF_INET:
                let v4 = raw.load(as: sockaddr_in.self)
                return (withUnsafeBytes(of: v4.sin_addr) { Array($0) }, UInt16(bigEndian: v4.sin_port))
            case AF_INET6:
                let v6 = raw.load(as: sockaddr_in6.self)
                return (withUnsafeBytes(of: v6.sin6_addr) { Array($0) }, UInt16(bigEndian: v6.sin6_port))
            default:
                return nil
            }
        }
    }
}
