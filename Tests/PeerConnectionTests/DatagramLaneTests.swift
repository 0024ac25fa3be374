import Glibc
import ICE
import NIOCore
import NIOPosix
@testable import PeerConnection
import Synchronization
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

    /// A data channel's bulk, both ends ours: segmented writes (UDP GSO) into a host socket
    /// that coalesces (UDP GRO) reach the connection as the datagrams that were sent, whole
    /// and in order. A read too small for a coalesced run, or one not cut up, fails this.
    @Test func coalescedReadsReachTheConnectionAsTheDatagramsSent() async throws {
        let receiving = DatagramLane()
        let received = Mutex<[[UInt8]]>([])
        receiving.setDTLSReceiver { datagrams in received.withLock { $0 += datagrams } }
        let host = try await ICETransport.hostSocketBootstrap()
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(DatagramBatcher(lane: receiving)) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let peer = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let hostPort = try #require(host.localAddress?.port), peerPort = try #require(peer.localAddress?.port)
        receiving.setRoute(DatagramLane.Route(channel: host, destination: try SocketAddress(ipAddress: "127.0.0.1", port: peerPort),
                                              sender: nil, remote: TransportAddress(address: [127, 0, 0, 1], port: UInt16(peerPort))))
        let sending = DatagramLane()
        sending.setRoute(DatagramLane.Route(channel: peer, destination: try SocketAddress(ipAddress: "127.0.0.1", port: hostPort),
                                            sender: nil, remote: TransportAddress(address: [127, 0, 0, 1], port: UInt16(hostPort))))
        // DTLS application data (content type 23), runs of equal sizes ended by shorter ones.
        let sizes = Array(repeating: 1200, count: 32) + [700] + Array(repeating: 1200, count: 20) + [60, 1200, 3]
        let datagrams = sizes.enumerated().map { index, size in [23] + (1..<size).map { UInt8(truncatingIfNeeded: index &+ $0) } }
        #expect(sending.send(datagrams, fromThisThread: false))

        let deadline = ContinuousClock.now + .seconds(5)
        while received.withLock({ $0.count }) < datagrams.count, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        let got = received.withLock { $0 }
        #expect(got.map(\.count) == sizes)
        let same = got == datagrams
        #expect(same, "the datagrams' bytes differ from what was sent")
        try await peer.close()
        try await host.close()
    }
}
