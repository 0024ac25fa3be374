import Glibc
import HostAddresses
import Testing

@Suite struct BoundUDPSenderTests {
    /// A UDP socket bound to 127.0.0.1 on a port the kernel picks: (descriptor, port).
    static func boundSocket() throws -> (Int32, UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        try #require(fd >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var size = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, size) == 0 && getsockname(fd, $0, &size) == 0 }
        }
        try #require(bound)
        return (fd, UInt16(bigEndian: address.sin_port))
    }

    @Test func sendsFromTheSocketBoundToThatAddressAndFindsNoneWhereNothingIsBound() throws {
        let (ours, ourPort) = try Self.boundSocket()
        let (peer, peerPort) = try Self.boundSocket()
        defer { close(peer) }
        let sender = try #require(BoundUDPSender(boundTo: [127, 0, 0, 1], port: ourPort))
        #expect(sender.send([[1, 2, 3], [4, 5]], to: [127, 0, 0, 1], port: peerPort) == 2)

        for expected: [UInt8] in [[1, 2, 3], [4, 5]] {
            var buffer = [UInt8](repeating: 0, count: 64)
            var from = sockaddr_in()
            var size = socklen_t(MemoryLayout<sockaddr_in>.size)
            let count = withUnsafeMutablePointer(to: &from) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(peer, &buffer, buffer.count, 0, $0, &size) }
            }
            #expect(Array(buffer.prefix(max(count, 0))) == expected)
            // It left from our socket, so the peer sees the address ICE agreed on.
            #expect(UInt16(bigEndian: from.sin_port) == ourPort)
        }
        // Closing ours leaves the sender's duplicate working: it owns its descriptor.
        close(ours)
        #expect(sender.send([[6]], to: [127, 0, 0, 1], port: peerPort) == 1)

        let (other, otherPort) = try Self.boundSocket()
        close(other)
        #expect(BoundUDPSender(boundTo: [127, 0, 0, 1], port: otherPort) == nil)
        #expect(BoundUDPSender(boundTo: [127, 0, 0, 2], port: peerPort) == nil)
    }
}
