import Foundation
import Media
import Synchronization
import Testing

@Suite struct LatestFrameTests {
    static let frame = I420Frame(width: 4, height: 2, y: [UInt8](repeating: 16, count: 8), u: [128, 128], v: [128, 128])

    @Test func aWaitingReaderGetsTheNewestAtOnceOrWhenItIsPutAndNilWithoutOne() async {
        let mailbox = LatestFrame()
        #expect(mailbox.waitForFrame(after: nil, timeout: .milliseconds(20)) == nil)
        mailbox.put(Self.frame)
        mailbox.put(Self.frame)
        #expect(mailbox.waitForFrame(after: nil, timeout: .zero)?.number == 2)
        #expect(mailbox.waitForFrame(after: 1, timeout: .zero)?.number == 2)
        #expect(mailbox.waitForFrame(after: 2, timeout: .milliseconds(20)) == nil)

        // A frame put by another thread wakes the reader well before its timeout.
        let reader = Task.detached { mailbox.waitForFrame(after: 2, timeout: .seconds(30))?.number }
        try? await Task.sleep(for: .milliseconds(50))
        mailbox.put(Self.frame)
        #expect(await reader.value == 3)

        mailbox.clear()
        #expect(mailbox.newest == nil)
        #expect(mailbox.waitForFrame(after: 3, timeout: .milliseconds(20)) == nil)
    }

    @Test func theArrivalHandlerRunsOncePerFrameUntilItIsRemoved() {
        let mailbox = LatestFrame()
        let calls = Mutex(0)
        mailbox.put(Self.frame)
        mailbox.setArrivalHandler { calls.withLock { $0 += 1 } }
        mailbox.put(Self.frame)
        mailbox.put(Self.frame)
        #expect(calls.withLock { $0 } == 2)
        mailbox.setArrivalHandler(nil)
        mailbox.put(Self.frame)
        #expect(calls.withLock { $0 } == 2)
        #expect(mailbox.newest?.number == 4)
    }
}
