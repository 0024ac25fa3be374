import Testing
@testable import SCTP

typealias ChannelLink = SimulatedLink<DataChannelEndpoint>

/// Left is the DTLS client (even stream ids), right the server (odd).
func channelPair(seed: UInt64 = 1, left: SCTPConfiguration = SCTPConfiguration(),
                 right: SCTPConfiguration = SCTPConfiguration(), connectBoth: Bool = true) -> ChannelLink {
    let link = ChannelLink(
        left: DataChannelEndpoint(association: SCTPAssociation(configuration: left, seed: seed), isDTLSClient: true),
        right: DataChannelEndpoint(association: SCTPAssociation(configuration: right, seed: seed + 500), isDTLSClient: false),
        seed: seed)
    return link
}

func establish(_ link: ChannelLink, both: Bool = true) {
    link.left.connect(now: link.now)
    if both { link.right.connect(now: link.now) }
    link.run(until: { link.left.association.state == .established && link.right.association.state == .established })
}

extension [DataChannelEvent] {
    var channelMessages: [(UInt16, DataChannelMessage)] {
        compactMap { if case .message(let id, let m) = $0 { (id, m) } else { nil } }
    }
    var opened: [UInt16] {
        compactMap { if case .channelOpened(let id, _, _) = $0 { id } else { nil } }
    }
}

@Suite struct DataChannelTests {
    @Test func openAckBothDirectionsCarriesParameters() throws {
        let link = channelPair()
        establish(link)
        let a = try link.left.open(DataChannelOptions(label: "chat", protocol: "json", ordered: false, maxRetransmits: 3), now: link.now)
        let b = try link.right.open(DataChannelOptions(label: "files", maxPacketLifeTime: .milliseconds(1500)), now: link.now)
        #expect(a % 2 == 0)
        #expect(b % 2 == 1)
        #expect(link.left.channels[a]?.state == .connecting)
        link.run(for: .seconds(1))
        #expect(link.leftEvents.contains(.channelOpened(id: a, label: "chat", protocol: "json")))
        #expect(link.rightEvents.contains(.channelOpened(id: a, label: "chat", protocol: "json")))
        #expect(link.leftEvents.contains(.channelOpened(id: b, label: "files", protocol: "")))
        #expect(link.rightEvents.contains(.channelOpened(id: b, label: "files", protocol: "")))
        let remoteA = try #require(link.right.channels[a])
        #expect(remoteA.ordered == false)
        #expect(remoteA.reliability == .maxRetransmits(3))
        #expect(remoteA.state == .open)
        let remoteB = try #require(link.left.channels[b])
        #expect(remoteB.ordered == true)
        #expect(remoteB.reliability == .maxLifetime(.milliseconds(1500)))
        #expect(link.left.channels[a]?.state == .open)
    }

    @Test func dcepWireFormat() throws {
        let open = DCEPOpen(options: DataChannelOptions(label: "ab", protocol: "x", ordered: false, maxRetransmits: 5))
        // RFC 8832 §5.1: type 0x03, channel type 0x81, priority, reliability, lengths, label, protocol.
        #expect(open.serialize() == [0x03, 0x81, 0x01, 0x00, 0, 0, 0, 5, 0, 2, 0, 1, 0x61, 0x62, 0x78])
        #expect(try DCEPMessage.parse(open.serialize()) == .open(open))
        #expect(try DCEPMessage.parse([0x02]) == .ack)
        #expect(throws: SCTPParseError.self) { try DCEPMessage.parse([0x03, 0x81, 0x01]) }
    }

    @Test func openBeforeEstablishedIsQueued() throws {
        let link = channelPair(seed: 3)
        let id = try link.left.open(DataChannelOptions(label: "early"), now: link.now)
        try link.left.send(.text("first"), on: id, now: link.now)
        establish(link, both: false)
        link.run(for: .seconds(1))
        #expect(link.rightEvents.contains(.channelOpened(id: id, label: "early", protocol: "")))
        #expect(link.rightEvents.channelMessages.first?.1 == .text("first"))
        #expect(link.leftEvents.first == .associationEstablished)
        #expect(link.leftEvents.contains(.channelOpened(id: id, label: "early", protocol: "")))
    }

    @Test func negotiatedChannelSendsNoDCEP() throws {
        let link = channelPair(seed: 4)
        let left = try link.left.open(DataChannelOptions(label: "neg", negotiatedID: 7), now: link.now)
        let right = try link.right.open(DataChannelOptions(label: "neg", negotiatedID: 7), now: link.now)
        #expect(left == 7 && right == 7)
        #expect(link.left.channels[7]?.state == .open)
        establish(link)
        #expect(link.leftEvents.contains(.channelOpened(id: 7, label: "neg", protocol: "")))
        let packetsBefore = link.left.association.counters.dataChunksSent
        #expect(packetsBefore == 0)
        try link.left.send(.text("hi"), on: 7, now: link.now)
        link.run(for: .seconds(1))
        #expect(link.rightEvents.channelMessages.map(\.1) == [.text("hi")])
        #expect(link.left.association.counters.dataChunksSent == 1)
        #expect(throws: DataChannelError.streamInUse(7)) {
            try link.left.open(DataChannelOptions(label: "again", negotiatedID: 7), now: link.now)
        }
    }

    @Test func textBinaryAndEmptyMessages() throws {
        let link = channelPair(seed: 5)
        link.left.association.handleTimeout(now: .zero)
        establish(link)
        let id = try link.left.open(DataChannelOptions(label: "m"), now: link.now)
        let messages: [DataChannelMessage] = [.text("héllo ✓"), .binary([0, 1, 2, 255]), .text(""), .binary([])]
        for message in messages { try link.left.send(message, on: id, now: link.now) }
        link.run(for: .seconds(1))
        #expect(link.rightEvents.channelMessages.map(\.1) == messages)
        // And back on the same channel.
        try link.right.send(.text("back"), on: id, now: link.now)
        link.run(for: .seconds(1))
        #expect(link.leftEvents.channelMessages.map(\.1) == [.text("back")])
    }

    @Test func emptyMessagesUsePPID56And57WithOneZeroByte() throws {
        let link = channelPair(seed: 6)
        establish(link)
        let id = try link.left.open(DataChannelOptions(label: "e", negotiatedID: 2), now: link.now)
        try link.left.send(.text(""), on: id, now: link.now)
        try link.left.send(.binary([]), on: id, now: link.now)
        var datas: [DataChunk] = []
        while let packet = link.left.pollTransmit() {
            for case .data(let data) in chunks(of: packet) { datas.append(data) }
        }
        #expect(datas.map(\.ppid) == [56, 57])
        #expect(datas.map(\.payload) == [[0], [0]])
    }

    @Test func messageOverRemoteMaxMessageSizeIsRefused() throws {
        var config = SCTPConfiguration()
        config.remoteMaxMessageSize = 1000
        let link = channelPair(seed: 7, left: config)
        establish(link)
        let id = try link.left.open(DataChannelOptions(label: "big"), now: link.now)
        #expect(throws: DataChannelError.messageTooLarge(limit: 1000)) {
            try link.left.send(.binary(pattern(1001)), on: id, now: link.now)
        }
        try link.left.send(.binary(pattern(1000)), on: id, now: link.now)
    }

    @Test func closeResetsStreamsOnBothSides() throws {
        let link = channelPair(seed: 8)
        establish(link)
        let id = try link.left.open(DataChannelOptions(label: "bye"), now: link.now)
        link.run(for: .seconds(1))
        try link.left.send(.text("last"), on: id, now: link.now)
        link.left.close(id, now: link.now)
        #expect(link.left.channels[id]?.state == .closing)
        link.run(for: .seconds(2))
        #expect(link.rightEvents.channelMessages.map(\.1) == [.text("last")])
        #expect(link.rightEvents.contains(.channelClosed(id: id)))
        #expect(link.leftEvents.contains(.channelClosed(id: id)))
        #expect(link.left.channels[id]?.state == .closed)
        #expect(link.right.channels[id]?.state == .closed)
        #expect(throws: DataChannelError.channelNotOpen(id)) { try link.left.send(.text("x"), on: id, now: link.now) }
        // The id can be used again and SSNs restarted at 0 on both sides.
        let again = try link.left.open(DataChannelOptions(label: "again"), now: link.now)
        #expect(again == id)
        link.run(for: .seconds(1))
        try link.left.send(.text("new"), on: again, now: link.now)
        link.run(for: .seconds(1))
        #expect(link.rightEvents.channelMessages.last?.1 == .text("new"))
    }

    @Test func bufferedAmountAndLowThreshold() throws {
        let link = channelPair(seed: 9)
        link.setConditions(LinkConditions(delay: .milliseconds(20)))
        establish(link)
        let id = try link.left.open(DataChannelOptions(label: "flow"), now: link.now)
        link.left.setBufferedAmountLowThreshold(10_000, on: id)
        for _ in 0..<20 { try link.left.send(.binary(pattern(5000)), on: id, now: link.now) }
        #expect(link.left.bufferedAmount(id) >= 100_000)
        link.run(until: { link.leftEvents.contains(.bufferedAmountLow(id: id)) })
        #expect(link.left.bufferedAmount(id) <= 10_000)
        #expect(link.leftEvents.filter { $0 == .bufferedAmountLow(id: id) }.count == 1)
        link.run(for: .seconds(2))
        #expect(link.left.bufferedAmount(id) == 0)
        #expect(link.rightEvents.channelMessages.count == 20)
    }

    @Test func unreliableUnorderedChannelUnderLoss() throws {
        let link = channelPair(seed: 10)
        establish(link)
        let id = try link.left.open(DataChannelOptions(label: "game", ordered: false, maxRetransmits: 0), now: link.now)
        link.run(for: .seconds(1))
        link.setConditions(LinkConditions(delay: .milliseconds(10), lossRate: 0.2))
        for index in 0..<100 {
            try link.left.send(.text("tick \(index)"), on: id, now: link.now)
            link.run(for: .milliseconds(20))
        }
        link.run(for: .seconds(20))
        let got = link.rightEvents.channelMessages.count
        #expect(got > 50 && got < 100, "got \(got)")
        #expect(link.left.association.counters.forwardTSNsSent > 0)
    }

    @Test func peerClosingChannelClosesOurs() throws {
        let link = channelPair(seed: 11)
        establish(link)
        let id = try link.right.open(DataChannelOptions(label: "from-server"), now: link.now)
        link.run(for: .seconds(1))
        #expect(link.leftEvents.opened == [id])
        link.left.close(id, now: link.now)
        link.run(for: .seconds(2))
        #expect(link.rightEvents.contains(.channelClosed(id: id)))
        #expect(link.leftEvents.contains(.channelClosed(id: id)))
    }

    @Test func associationCloseClosesChannels() throws {
        let link = channelPair(seed: 12)
        establish(link)
        let id = try link.left.open(DataChannelOptions(label: "x"), now: link.now)
        link.run(for: .seconds(1))
        link.left.shutdown(now: link.now)
        link.run(for: .seconds(2))
        #expect(link.leftEvents.contains(.channelClosed(id: id)))
        #expect(link.rightEvents.contains(.closed(reason: "shutdown complete")))
        #expect(throws: DataChannelError.associationClosed) {
            try link.left.open(DataChannelOptions(label: "late"), now: link.now)
        }
    }
}
