import Foundation
import Testing
@testable import SCTP

@Suite struct BulkTransferTests {
    static let messageCount = 10_000
    static let largest = 262_144

    /// Log-uniform sizes: the exponent is uniform over [0, 18.05], so every power of two from
    /// 1 B to 128 KiB gets about 1/18 of the messages, and the 0.05 past 2^18 is clamped to
    /// exactly 256 KiB (about 0.3%, the largest message Chromium accepts by default).
    static func sizes(seed: UInt64) -> [Int] {
        var random = TestRandom(seed: seed)
        return (0..<messageCount).map { _ in min(largest, Int(exp2(random.unit() * 18.05))) }
    }

    /// Random bytes that messages are cut from; twice the largest message so any offset fits.
    static let pool: [UInt8] = {
        var random = TestRandom(seed: 0xB0_1C)
        var bytes = [UInt8](repeating: 0, count: 2 * largest)
        bytes.withUnsafeMutableBytes { buffer in
            for word in 0..<(buffer.count / 8) { buffer.storeBytes(of: random.next(), toByteOffset: word * 8, as: UInt64.self) }
        }
        return bytes
    }()

    /// Message `index`: a slice of the pool at an offset derived from the index, with the index
    /// in its first four bytes (big endian) when it has room, so a misplaced message names itself.
    static func message(_ index: Int, size: Int) -> [UInt8] {
        let offset = (index &* 40_503) % largest
        var bytes = Array(pool[offset..<(offset + size)])
        if size >= 4 {
            bytes[0] = UInt8(truncatingIfNeeded: index >> 24)
            bytes[1] = UInt8(truncatingIfNeeded: index >> 16)
            bytes[2] = UInt8(truncatingIfNeeded: index >> 8)
            bytes[3] = UInt8(truncatingIfNeeded: index)
        }
        return bytes
    }

    /// Byte comparison without a per-element generic call (this runs over 208 MB in debug builds).
    static func same(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        guard let first = a.first, first == b.first else { return a.isEmpty }
        return a.withUnsafeBytes { x in b.withUnsafeBytes { y in memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 } }
    }

    /// 10,000 messages of 1 B to 256 KiB (208 MB with this seed) on one reliable ordered channel, with 5% loss
    /// each way (DATA and SACK), 10-15 ms delay so packets of one burst overtake each other, and 1%
    /// duplication: every message arrives once, whole, in order (RFC 9260 §6.6 ordered delivery,
    /// §6.9 reassembly, §6.3.3 and §7.2.4 retransmission). The sender keeps at most 1 MiB buffered and
    /// refills on bufferedAmountLow, as a browser application would.
    @Test func tenThousandMessagesOfRandomSizeUnderLossArriveInOrder() throws {
        var sender = SCTPConfiguration()
        sender.remoteMaxMessageSize = Self.largest
        let link = channelPair(seed: 61, left: sender)
        establish(link)
        link.setConditions(LinkConditions(delay: .milliseconds(10), jitter: .milliseconds(5), lossRate: 0.05, duplicateRate: 0.01))
        let sizes = Self.sizes(seed: 62)
        let channel = try link.left.open(DataChannelOptions(label: "bulk"), now: link.now)
        let highWater = 1 << 20
        link.left.setBufferedAmountLowThreshold(highWater / 4, on: channel)

        var nextToSend = 0
        var sendError: (any Error)?
        func refill() {
            while nextToSend < Self.messageCount, link.left.bufferedAmount(channel) < highWater {
                do {
                    try link.left.send(.binary(Self.message(nextToSend, size: sizes[nextToSend])), on: channel, now: link.now)
                } catch {
                    sendError = sendError ?? error
                    return
                }
                nextToSend += 1
            }
        }

        var delivered = 0
        var wrong = 0
        var firstWrong: String?
        var otherEvents: [String] = []
        link.onEvent = { side, event in
            switch (side, event) {
            case (.left, .bufferedAmountLow(channel)):
                refill()
            case (.right, .message(channel, .binary(let bytes))):
                // In order, none lost or repeated: the n-th delivery must be message n.
                let index = delivered
                delivered += 1
                guard index < Self.messageCount, Self.same(bytes, Self.message(index, size: sizes[index])) else {
                    wrong += 1
                    if firstWrong == nil {
                        let claimed = bytes.count >= 4 ? bytes.prefix(4).reduce(0) { $0 << 8 | Int($1) } : -1
                        firstWrong = "delivery \(index): \(bytes.count) bytes claiming index \(claimed)"
                    }
                    return
                }
                // The sender's running byte counts stay true mid-transfer, not only once drained.
                if delivered % 1_000 == 0 {
                    let association = link.left.association
                    if !association.sendQueue.isConsistent || association.retransmissions?.isConsistent != true {
                        otherEvents.append("inconsistent sender queues after \(delivered) deliveries")
                    }
                }
            case (_, .channelOpened(channel, "bulk", "")), (.left, .bufferedAmountLow):
                break
            default:
                otherEvents.append("\(side): \(event)")
            }
        }
        refill()
        let done = link.run(until: { delivered >= Self.messageCount || wrong > 0 || sendError != nil }, timeout: .seconds(7_200))
        // Anything still on its way (a late duplicate, say) must not produce another delivery.
        link.run(for: .seconds(5))
        link.onEvent = nil  // the handler holds the link

        #expect(sendError == nil, "\(String(describing: sendError))")
        #expect(done, "\(delivered) of \(Self.messageCount) delivered by \(link.now)")
        #expect(wrong == 0, "\(firstWrong ?? "")")
        #expect(delivered == Self.messageCount)
        #expect(nextToSend == Self.messageCount)
        #expect(otherEvents.isEmpty, "\(otherEvents.prefix(5))")
        // The sizes covered what was asked for, and the link really lost and reordered.
        #expect(sizes.filter { $0 == 1 }.count > 100 && sizes.filter { $0 == Self.largest }.count > 10)
        #expect(sizes.filter { $0 > Self.largest / 2 }.count > 300)
        let association = link.left.association
        #expect(association.counters.retransmissions > 1_000)
        #expect(association.counters.fastRetransmits > 100)
        #expect(link.right.association.counters.duplicatesReceived > 100)
        #expect(association.retransmissions?.isConsistent == true)
        #expect(association.retransmissions?.isEmpty == true)
        #expect(link.left.bufferedAmount(channel) == 0)
        #expect(association.state == .established && link.right.association.state == .established)
    }
}
