import Glibc
import ICE
import NIOCore
import NIOPosix
@testable import PeerConnection
import Testing

@Suite struct DatagramLaneTests {
    @Test func runsAreEqualSizesEndedByAtMostOneShorterDatagram() {
        // A 16 KiB message's fragments (14 full, one short), then a few full ones, a SACK-sized
        // one, and one full one after it.
        let sizes = Array(repeating: 1200, count: 14) + [700] + Array(repeating: 1200, count: 3) + [60, 1200]
        #expect(DatagramLane.segmentRuns(sizes) == [0..<15, 15..<19, 19..<20])
        // A longer datagram never joins a run (the kernel cuts at the first one's size).
        #expect(DatagramLane.segmentRuns([500, 1200, 1200]) == [0..<1, 1..<3])
        #expect(DatagramLane.segmentRuns(Array(repeating: 1200, count: 40)) == [0..<32, 32..<40])
        #expect(DatagramLane.segmentRuns(Array(repeating: 1200, count: 10), maxBytes: 4000) == [0..<3, 3..<6, 6..<9, 9..<10])
        #expect(DatagramLane.segmentRuns([0, 0]) == [0..<1, 1..<2])
        #expect(DatagramLane.segmentRuns([]).isEmpty)
    }

    /// Through the event loop, as a data channel's DTLS goes: what the peer reads is every
    /// datagram, whole and in order, whether the kernel split runs of them (UDP GSO) or not.
    @Test func aBatchThroughTheEventLoopArrivesAsTheSameDatagramsInOrder() async throws {
        let (peer, peerPort) = try BoundUDPSenderTests.boundSocket()
        defer { close(peer) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(peer, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let lane = DatagramLane()
        lane.setRoute(DatagramLane.Route(channel: channel, destination: try SocketAddress(ipAddress: "127.0.0.1", port: Int(peerPort)),
                                         sender: nil, remote: TransportAddress(address: [127, 0, 0, 1], port: peerPort)))
        // Few enough to fit the peer's receive buffer unread (about 2.3 KB of it each).
        let sizes = Array(repeating: 1200, count: 14) + [700] + Array(repeating: 1200, count: 34) + [60, 1200, 3]
        let datagrams = sizes.enumerated().map { index, size in (0..<size).map { UInt8(truncatingIfNeeded: index &+ $0) } }
        #expect(lane.send(datagrams, fromThisThread: false))

        for expected in datagrams {
            var buffer = [UInt8](repeating: 0, count: 2048)
            let count = recv(peer, &buffer, buffer.count, 0)
            try #require(count >= 0, "datagram \(expected.count) bytes long did not arrive")
            #expect(Array(buffer.prefix(count)) == expected)
        }
        try await channel.close()
    }
}
