import ICE
import SDP
import Testing

@Suite struct CheckListTests {
    static func v4(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8, _ port: UInt16) -> TransportAddress {
        TransportAddress(address: [a, b, c, d], port: port)
    }

    @Test func priorityFollowsTheFormula() {
        // (2^24)·126 + (2^8)·65535 + 255: the value aiortc writes for its host candidates.
        #expect(ICECandidate.priority(kind: .host, localPreference: 65535, component: 1) == 2_130_706_431)
        #expect(ICECandidate.priority(kind: .srflx, localPreference: 65535, component: 1) == 1_694_498_815)
        #expect(ICECandidate.priority(kind: .relay, localPreference: 65535, component: 1) == 16_777_215)
        #expect(ICECandidate.priority(kind: .prflx, localPreference: 0, component: 1) == 110 << 24 | 255)
    }

    @Test func pairPriorityIsTheSameFromBothSides() {
        let a = ICECandidate.local(kind: .host, address: Self.v4(192, 0, 2, 1, 5000), base: Self.v4(192, 0, 2, 1, 5000))
        let b = ICECandidate.local(kind: .srflx, address: Self.v4(198, 51, 100, 2, 6000), base: Self.v4(192, 0, 2, 2, 6000))
        let ours = CandidatePair(local: a, remote: b).priority(weAreControlling: true)
        let theirs = CandidatePair(local: b, remote: a).priority(weAreControlling: false)
        #expect(ours == theirs)
        let g = UInt64(a.priority), d = UInt64(b.priority)
        #expect(ours == (min(g, d) << 32) + 2 * max(g, d) + 1)
    }

    @Test func foundationsGroupByTypeBaseAndServer() {
        let base = Self.v4(192, 0, 2, 1, 5000)
        let otherPort = Self.v4(192, 0, 2, 1, 5002)
        let stun = Self.v4(198, 51, 100, 9, 3478)
        let h1 = ICECandidate.local(kind: .host, address: base, base: base)
        let h2 = ICECandidate.local(kind: .host, address: otherPort, base: otherPort)
        let s1 = ICECandidate.local(kind: .srflx, address: Self.v4(203, 0, 113, 1, 1), base: base, server: stun)
        #expect(h1.foundation == h2.foundation)
        #expect(h1.foundation != s1.foundation)
    }

    @Test func remoteCandidatesFromSDPAndBack() throws {
        let attribute = try #require(CandidateAttribute(parsing:
            "candidate:842163049 1 udp 1677729535 198.51.100.7 50000 typ srflx raddr 192.0.2.10 rport 54321"))
        let candidate = try #require(ICECandidate(attribute))
        #expect(candidate.address == Self.v4(198, 51, 100, 7, 50000))
        #expect(candidate.relatedAddress == Self.v4(192, 0, 2, 10, 54321))
        #expect(candidate.attribute.attributeText == attribute.attributeText)
        let v6Attribute = try #require(CandidateAttribute(parsing: "candidate:1 1 udp 1 2001:db8::7 9 typ host"))
        let v6 = try #require(ICECandidate(v6Attribute))
        #expect(IPAddress.text(v6.address.address) == "2001:db8::7")
        // mDNS names need resolving first; TCP is not used.
        let mdns = try #require(CandidateAttribute(parsing: "candidate:1 1 udp 1 x.local 9 typ host"))
        #expect(ICECandidate(mdns) == nil)
        let tcp = try #require(CandidateAttribute(parsing: "candidate:1 1 tcp 1 192.0.2.1 9 typ host tcptype active"))
        #expect(ICECandidate(tcp) == nil)
    }

    @Test func checkListPairsSameFamilyPrunesReflexiveAndUnfreezesOnePerFoundation() {
        let hostBase = Self.v4(192, 0, 2, 1, 5000)
        let host = ICECandidate.local(kind: .host, address: hostBase, base: hostBase)
        let srflx = ICECandidate.local(kind: .srflx, address: Self.v4(203, 0, 113, 1, 40000), base: hostBase,
                                       server: Self.v4(198, 51, 100, 9, 3478), relatedAddress: hostBase)
        let host6Address = TransportAddress(address: [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1], port: 5001)
        let host6 = ICECandidate.local(kind: .host, address: host6Address, base: host6Address, localPreference: 65534)
        let remoteA = ICECandidate.local(kind: .host, address: Self.v4(192, 0, 2, 2, 6000), base: Self.v4(192, 0, 2, 2, 6000))
        let remoteB = ICECandidate.local(kind: .host, address: Self.v4(192, 0, 2, 2, 6002), base: Self.v4(192, 0, 2, 2, 6002))

        let pairs = CheckListBuilder.pairs(locals: [host, srflx, host6], remotes: [remoteA, remoteB], weAreControlling: true)
        // IPv6 local has no IPv6 remote; the srflx local collapses into its host base.
        #expect(pairs.count == 2)
        #expect(pairs.allSatisfy { $0.local == host })
        #expect(pairs.map { $0.remote } == [remoteA, remoteB] || pairs.map { $0.remote } == [remoteB, remoteA])
        let priorities = pairs.map { $0.priority(weAreControlling: true) }
        #expect(priorities == priorities.sorted(by: >))
        // Both remotes share a foundation: only the first pair starts Waiting.
        #expect(pairs.map(\.state) == [.waiting, .frozen])
    }
}
