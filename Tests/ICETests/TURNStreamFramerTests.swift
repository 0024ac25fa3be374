import ICE
import Testing

@Suite struct TURNStreamFramerTests {
    /// A STUN Binding request: 20-byte header, length 8 (one 8-byte attribute).
    static let stun: [UInt8] = [0x00, 0x01, 0x00, 0x08, 0x21, 0x12, 0xA4, 0x42] + [UInt8](repeating: 7, count: 12)
        + [0x80, 0x28, 0x00, 0x04, 1, 2, 3, 4]
    /// ChannelData on channel 0x4000 with 5 bytes of data: 9 bytes, padded to 12 on a stream.
    static let channelData: [UInt8] = [0x40, 0x00, 0x00, 0x05, 1, 2, 3, 4, 5]

    @Test func channelDataIsPaddedOnTheStreamAndSTUNIsNot() {
        #expect(TURNStreamFramer.frame(Self.channelData) == Self.channelData + [0, 0, 0])
        #expect(TURNStreamFramer.frame(Self.stun) == Self.stun)
    }

    @Test func messagesSplitAnywhereComeOutWhole() {
        let stream = TURNStreamFramer.frame(Self.channelData) + Self.stun + TURNStreamFramer.frame(Self.channelData)
        for cut in 0...stream.count {
            var framer = TURNStreamFramer()
            let messages = framer.append(Array(stream[..<cut])) + framer.append(Array(stream[cut...]))
            #expect(messages == [Self.channelData, Self.stun, Self.channelData], "cut at \(cut)")
        }
        var byteByByte = TURNStreamFramer()
        #expect(stream.flatMap { byteByByte.append([$0]) } == [Self.channelData, Self.stun, Self.channelData])
    }

    @Test func bytesThatAreNeitherBreakTheStream() {
        var framer = TURNStreamFramer()
        #expect(framer.append([0xC0, 0, 0, 4, 1, 2, 3, 4] + Self.stun).isEmpty)
        #expect(framer.isBroken)
        #expect(framer.append(Self.stun).isEmpty)
    }
}
