import SDP
import Testing

@Suite struct CandidateAttributeTests {
    @Test(arguments: [
        // Chromium host, with its extensions.
        "candidate:3345269014 1 udp 2122260223 192.0.2.10 54321 typ host generation 0 ufrag Wv3a network-id 1",
        // Chromium hiding the host address behind an mDNS name.
        "candidate:1 1 udp 2122262783 4bd5a2a1-6f0c-4b55-9d3e-3b1c6f0a2e11.local 61210 typ host generation 0",
        "candidate:842163049 1 udp 1677729535 198.51.100.7 50000 typ srflx raddr 192.0.2.10 rport 54321",
        "candidate:2 1 UDP 16777215 203.0.113.5 49152 typ relay raddr 198.51.100.7 rport 50000",
        "candidate:3 1 tcp 1518280447 192.0.2.10 9 typ host tcptype active",
        "candidate:4 1 udp 1853817087 2001:db8::7 50010 typ prflx raddr 2001:db8::1 rport 50001",
    ])
    func roundTrips(_ text: String) throws {
        let candidate = try #require(CandidateAttribute(parsing: text))
        #expect(candidate.attributeText == text)
        #expect(CandidateAttribute(parsing: "a=" + text) == candidate)
        #expect(CandidateAttribute(parsing: text.dropFirst("candidate:".count)) == candidate)
    }

    @Test func fieldsAreRead() throws {
        let srflx = try #require(CandidateAttribute(parsing:
            "candidate:842163049 1 udp 1677729535 198.51.100.7 50000 typ srflx raddr 192.0.2.10 rport 54321 generation 0"))
        #expect(srflx.foundation == "842163049")
        #expect(srflx.component == 1)
        #expect(srflx.isUDP)
        #expect(srflx.priority == 1_677_729_535)
        #expect(srflx.address == "198.51.100.7" && srflx.port == 50000)
        #expect(srflx.kind == .srflx)
        #expect(srflx.relatedAddress == "192.0.2.10" && srflx.relatedPort == 54321)
        #expect(srflx.extensions == [.init(name: "generation", value: "0")])
        let mdns = try #require(CandidateAttribute(parsing: "candidate:1 1 udp 1 abc.local 9 typ host"))
        #expect(mdns.isMDNSName)
    }

    @Test(arguments: [
        "", "candidate:", "candidate:1 1 udp 1 192.0.2.1 9 host",  // no `typ`
        "candidate:1 1 udp 1 192.0.2.1 9 typ nonsense",
        "candidate:1 0 udp 1 192.0.2.1 9 typ host",  // component 0
        "candidate:1 1 udp -5 192.0.2.1 9 typ host",
        "candidate:1 1 udp 1 192.0.2.1 70000 typ host",
        "candidate:1 1 udp 1 192.0.2.1 9 typ srflx raddr",  // name without a value
        "candidate:1 1 udp 1 192.0.2.1 9 typ srflx rport x",
    ])
    func malformedCandidatesAreRefused(_ text: String) {
        #expect(CandidateAttribute(parsing: text) == nil)
    }
}
