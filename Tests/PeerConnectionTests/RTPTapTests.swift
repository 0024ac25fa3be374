import Foundation
@testable import PeerConnection
import Synchronization
import Testing

@Suite struct RTPTapTests {
    /// An RTP header's first two bytes: version 2, then marker 0 and this payload type.
    static func packet(payloadType: UInt8) -> [UInt8] { [0x80, payloadType, 0, 1] }

    @Test func onlyTheTappedPayloadTypeGoesToTheReceiverAndClearStopsIt() {
        let tap = RTPTap()
        let taken = Mutex<[[UInt8]]>([])
        #expect(!tap.offer(Self.packet(payloadType: 111)))
        tap.set(payloadType: 111) { packet in taken.withLock { $0.append(packet) } }
        #expect(tap.offer(Self.packet(payloadType: 111)))
        #expect(tap.offer([0x80, 0x80 | 111, 0, 2]))  // the marker bit is not part of the type
        #expect(!tap.offer(Self.packet(payloadType: 96)))
        #expect(!tap.offer([0x80]))
        tap.clear()
        #expect(!tap.offer(Self.packet(payloadType: 111)))
        #expect(taken.withLock { $0 } == [Self.packet(payloadType: 111), [0x80, 0x80 | 111, 0, 2]])
    }

    /// Stored as a bare closure in the lock, the receiver was rewrapped at every packet and
    /// each call went through all the wrappers so far: on a 256 KiB stack that overflowed
    /// after a few thousand packets (an hour of audio is 180,000).
    @Test func aLongCallsPacketsDoNotDeepenTheReceiversCall() async {
        let tap = RTPTap()
        let count = Atomic<Int>(0)
        tap.set(payloadType: 111) { _ in count.add(1, ordering: .relaxed) }
        let packets = 50_000
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                let packet = Self.packet(payloadType: 111)
                for _ in 0..<packets { _ = tap.offer(packet) }
                done.resume()
            }
            thread.stackSize = 256 * 1024
            thread.start()
        }
        #expect(count.load(ordering: .relaxed) == packets)
    }
}
