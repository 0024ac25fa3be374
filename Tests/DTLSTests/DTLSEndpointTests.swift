import DTLS
import Foundation
import SRTP
import Testing

@Suite struct DTLSHandshakeTests {
    @Test func clientAndServerConnectAndAgreeOnKeys() throws {
        let (link, _, _) = try SimulatedLink.make()
        #expect(link.client.state == .new)
        link.start()
        #expect(link.client.state == .connecting && link.server.state == .connecting)
        #expect(link.run { link.bothConnected })
        let clientKeys = try #require(SimulatedLink.keys(link.clientEvents))
        let serverKeys = try #require(SimulatedLink.keys(link.serverEvents))
        #expect(clientKeys.profile == .aeadAes128Gcm)
        #expect(clientKeys.localKey == serverKeys.remoteKey && clientKeys.localSalt == serverKeys.remoteSalt)
        #expect(clientKeys.remoteKey == serverKeys.localKey && clientKeys.remoteSalt == serverKeys.localSalt)
        #expect(clientKeys.localKey != clientKeys.remoteKey)
        #expect(clientKeys.localKey.count == 16 && clientKeys.localSalt.count == 12)
        #expect(link.client.keyingMaterial == clientKeys)
        // No loss, so no retransmission and no time passed.
        #expect(link.now == .zero)
        #expect(link.client.counters.retransmissionTimeouts == 0 && link.server.counters.retransmissionTimeouts == 0)
        #expect(link.largestFromClient <= 1200 && link.largestFromServer <= 1200)
        // Nothing left to retransmit; each flight packed into one datagram (RFC 6347 §4.1.1).
        #expect(link.client.pollTimeout() == nil && link.server.pollTimeout() == nil)
        #expect(link.sent[.clientToServer] == 2 && link.sent[.serverToClient] == 2)
    }

    @Test func applicationDataBothWaysThenCloseNotify() throws {
        let (link, _, _) = try SimulatedLink.make()
        link.start()
        #expect(link.run { link.bothConnected })
        let big = [UInt8]((0..<1100).map { UInt8(truncatingIfNeeded: $0) })
        try link.client.send([1, 2, 3])
        try link.client.send(big)
        try link.server.send(Array("pong".utf8))
        #expect(link.run { SimulatedLink.data(link.serverEvents).count == 2 && SimulatedLink.data(link.clientEvents).count == 1 })
        #expect(SimulatedLink.data(link.serverEvents) == [[1, 2, 3], big])
        #expect(SimulatedLink.data(link.clientEvents) == [Array("pong".utf8)])
        #expect(link.largestFromClient <= 1200)
        // Too large for one datagram -> refused, nothing sent.
        let limit = try #require(link.client.maximumApplicationDataSize)
        #expect(limit > 1100 && limit < 1200)
        #expect(throws: DTLSSendError.tooLarge(limit: limit)) { try link.client.send([UInt8](repeating: 0, count: limit + 1)) }
        try link.client.send([UInt8](repeating: 7, count: limit))
        #expect(link.run { SimulatedLink.data(link.serverEvents).count == 3 })
        #expect(link.largestFromClient == 1200)  // the limit is tight: header 13 + nonce 8 + tag 16 with AES-GCM

        link.client.close()
        #expect(link.client.state == .closed)
        #expect(link.run { link.server.state == .closed })
        #expect(link.serverEvents.last == .closed)
        #expect(throws: DTLSSendError.closed) { try link.server.send([1]) }
        #expect(throws: DTLSSendError.closed) { try link.client.send([1]) }
        #expect(SimulatedLink.failure(link.clientEvents) == nil && SimulatedLink.failure(link.serverEvents) == nil)
    }

    @Test func sendBeforeConnectedIsRefused() throws {
        let (link, _, _) = try SimulatedLink.make()
        #expect(throws: DTLSSendError.notConnected) { try link.client.send([1]) }
        link.start()
        #expect(throws: DTLSSendError.notConnected) { try link.client.send([1]) }
    }

    /// RFC 6347 §4.2.4: lost flights are resent when the timer fires; simulated time only.
    @Test(arguments: [
        [(SimulatedLink.Direction.clientToServer, 0)],  // ClientHello
        [(.serverToClient, 0)],  // first datagram of the server's flight
        [(.clientToServer, 0), (.clientToServer, 1)],  // ClientHello twice (1 s + 2 s)
        [(.clientToServer, 1)],  // the client's second flight (Certificate ... Finished)
        [(.serverToClient, 1)],  // the server's final flight (ChangeCipherSpec, Finished)
    ])
    func lostFlightsAreRetransmitted(losses: [(SimulatedLink.Direction, Int)]) throws {
        let (link, _, _) = try SimulatedLink.make()
        link.drop = { direction, index, _ in losses.contains { $0.0 == direction && $0.1 == index } }
        link.start()
        #expect(link.run { link.bothConnected })
        let timeouts = link.client.counters.retransmissionTimeouts + link.server.counters.retransmissionTimeouts
        #expect(timeouts >= losses.count)
        #expect(link.now >= .seconds(1))
        #expect(link.now < .seconds(30))
        #expect(SimulatedLink.keys(link.clientEvents) == SimulatedLink.keys(link.serverEvents)?.mirrored)
        // And the association works afterwards.
        try link.client.send([42])
        #expect(link.run { SimulatedLink.data(link.serverEvents) == [[42]] })
    }

    /// The network duplicates every datagram: the handshake completes and each record
    /// is delivered once (RFC 6347 §4.1.2.6 replay detection).
    @Test func duplicatedDatagramsAreHarmless() throws {
        let (link, _, _) = try SimulatedLink.make(clientMTU: 400, serverMTU: 400)
        link.rewrite = { _, _, datagram in [datagram, datagram] }
        link.start()
        #expect(link.run { link.bothConnected })
        try link.client.send([1])
        try link.server.send([2])
        #expect(link.run { SimulatedLink.data(link.serverEvents) == [[1]] && SimulatedLink.data(link.clientEvents) == [[2]] })
        _ = link.run { false }  // drain anything left
        #expect(SimulatedLink.data(link.serverEvents) == [[1]] && SimulatedLink.data(link.clientEvents) == [[2]])
        #expect(link.now < .seconds(1))
    }

    @Test func backoffDoubles() throws {
        let (link, _, _) = try SimulatedLink.make()
        link.drop = { direction, index, _ in direction == .clientToServer && index < 3 }
        link.start()
        #expect(link.client.pollTimeout() == .seconds(1))
        #expect(link.run { link.bothConnected })
        // 1 s, then 2 s, then 4 s: the fourth ClientHello leaves at 7 s.
        #expect(link.now == .seconds(7))
        #expect(link.client.counters.retransmissionTimeouts == 3)
    }

    @Test func handshakeTimesOutWhenThePeerNeverAnswers() throws {
        let (link, _, _) = try SimulatedLink.make()
        link.drop = { _, _, _ in true }
        link.start()
        #expect(link.run(until: { link.client.state == .failed }))
        let reason = try #require(SimulatedLink.failure(link.clientEvents))
        #expect(reason.contains("timed out"), "\(reason)")
        #expect(link.client.pollTimeout() == nil)
        #expect(link.now > .seconds(60))
    }

    /// Chromium's ClientHello is fragmented; OpenSSL must reassemble fragmented flights either way.
    @Test(arguments: [(400, 400), (256, 1200), (1200, 300)])
    func smallMTUFragmentsFlightsAndBothSidesReassemble(mtus: (Int, Int)) throws {
        let (link, _, _) = try SimulatedLink.make(clientMTU: mtus.0, serverMTU: mtus.1)
        link.start()
        #expect(link.run { link.bothConnected })
        #expect(link.largestFromClient <= mtus.0)
        #expect(link.largestFromServer <= mtus.1)
        // The server's certificate flight cannot fit 400 bytes: it really was fragmented.
        if mtus.1 <= 400 { #expect(link.sent[.serverToClient, default: 0] >= 3) }
        if mtus.0 <= 256 { #expect(link.sent[.clientToServer, default: 0] >= 4) }
        let limit = try #require(link.client.maximumApplicationDataSize)
        try link.client.send([UInt8](repeating: 1, count: limit))
        #expect(link.run { SimulatedLink.data(link.serverEvents).count == 1 })
        #expect(link.largestFromClient <= mtus.0)
    }

    @Test func fragmentedFlightsSurviveLossToo() throws {
        let (link, _, _) = try SimulatedLink.make(clientMTU: 300, serverMTU: 300)
        link.drop = { _, index, _ in index == 2 || index == 5 }
        link.start()
        #expect(link.run { link.bothConnected })
        #expect(link.largestFromClient <= 300 && link.largestFromServer <= 300)
    }
}

@Suite struct DTLSFingerprintCheckTests {
    /// The client expects certificate A; the server presents certificate B.
    @Test func aManInTheMiddleIsRefusedByTheClient() throws {
        let clientCertificate = try DTLSCertificate(commonName: "client")
        let expected = try DTLSCertificate(commonName: "A")
        let presented = try DTLSCertificate(commonName: "B")
        let client = try DTLSEndpoint(role: .client, certificate: clientCertificate, remoteFingerprint: expected.fingerprint)
        let server = try DTLSEndpoint(role: .server, certificate: presented, remoteFingerprint: clientCertificate.fingerprint)
        let link = SimulatedLink(client: client, server: server)
        link.start()
        #expect(link.run { client.state == .failed && server.state == .failed })
        #expect(SimulatedLink.failure(link.clientEvents) == "the peer's certificate does not match a=fingerprint (man in the middle?)")
        #expect(client.failureReason == SimulatedLink.failure(link.clientEvents))
        let serverReason = try #require(SimulatedLink.failure(link.serverEvents))
        #expect(serverReason.contains("bad certificate"), "\(serverReason)")
        #expect(!link.clientEvents.contains { if case .connected = $0 { true } else { false } })
        #expect(!link.serverEvents.contains { if case .connected = $0 { true } else { false } })
        #expect(throws: DTLSSendError.closed) { try client.send([1]) }
        #expect(throws: DTLSSendError.closed) { try server.send([1]) }
        #expect(client.keyingMaterial == nil)
    }

    @Test func theServerRefusesAClientWithTheWrongCertificate() throws {
        let serverCertificate = try DTLSCertificate(commonName: "server")
        let announced = try DTLSCertificate(commonName: "announced")
        let actual = try DTLSCertificate(commonName: "actual")
        let client = try DTLSEndpoint(role: .client, certificate: actual, remoteFingerprint: serverCertificate.fingerprint)
        let server = try DTLSEndpoint(role: .server, certificate: serverCertificate, remoteFingerprint: announced.fingerprint)
        let link = SimulatedLink(client: client, server: server)
        link.start()
        #expect(link.run { server.state == .failed && client.state == .failed })
        #expect(SimulatedLink.failure(link.serverEvents) == "the peer's certificate does not match a=fingerprint (man in the middle?)")
        #expect(!link.serverEvents.contains { if case .connected = $0 { true } else { false } })
        // The client may have believed the handshake done for a moment (it sent its last flight),
        // but it never saw the server's Finished, so it never connected.
        #expect(!link.clientEvents.contains { if case .connected = $0 { true } else { false } })
    }

    /// a=fingerprint may use another hash (RFC 8122 §5); openssl computes the expected values.
    @Test(arguments: ["sha-1", "sha-384", "sha-512"])
    func otherDigestsWork(algorithm: String) throws {
        let clientCertificate = try DTLSCertificate(commonName: "client")
        let serverCertificate = try DTLSCertificate(commonName: "server")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("dtls-digest-\(UUID().uuidString).pem")
        try serverCertificate.pem.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let flag = "-" + algorithm.replacingOccurrences(of: "-", with: "")
        let printed = try OpenSSLTool.run(["x509", "-in", file.path, "-noout", "-fingerprint", flag])
        let hex = try #require(printed.split(separator: "=").last?.trimmingCharacters(in: .whitespacesAndNewlines))
        let fingerprint = try #require(DTLSFingerprint(sdpValue: "\(algorithm) \(hex)"))
        let client = try DTLSEndpoint(role: .client, certificate: clientCertificate, remoteFingerprint: fingerprint)
        let server = try DTLSEndpoint(role: .server, certificate: serverCertificate, remoteFingerprint: clientCertificate.fingerprint)
        let link = SimulatedLink(client: client, server: server)
        link.start()
        #expect(link.run { link.bothConnected })
        // One bit off: refused.
        var wrong = fingerprint
        wrong.bytes[0] ^= 1
        let client2 = try DTLSEndpoint(role: .client, certificate: clientCertificate, remoteFingerprint: wrong)
        let server2 = try DTLSEndpoint(role: .server, certificate: serverCertificate, remoteFingerprint: clientCertificate.fingerprint)
        let link2 = SimulatedLink(client: client2, server: server2)
        link2.start()
        #expect(link2.run { client2.state == .failed })
        #expect(client2.failureReason == "the peer's certificate does not match a=fingerprint (man in the middle?)")
    }

    @Test func uncheckableFingerprintsAreRefusedAtInit() throws {
        let certificate = try DTLSCertificate()
        #expect(throws: DTLSSetupError.self) {
            try DTLSEndpoint(role: .client, certificate: certificate, remoteFingerprint: DTLSFingerprint(algorithm: "sha-256", bytes: [1, 2]))
        }
        #expect(throws: DTLSSetupError.self) {
            try DTLSEndpoint(role: .client, certificate: certificate, remoteFingerprint: DTLSFingerprint(algorithm: "md5", bytes: [UInt8](repeating: 0, count: 16)))
        }
        #expect(throws: DTLSSetupError.self) {
            try DTLSEndpoint(role: .client, certificate: certificate, remoteFingerprint: certificate.fingerprint, mtu: 100)
        }
    }
}

@Suite struct DTLSFingerprintParsingTests {
    @Test func parsesAndPrintsSDPValues() throws {
        let bytes: [UInt8] = (0..<32).map { UInt8($0 * 7 & 0xFF) }
        let fingerprint = DTLSFingerprint(algorithm: "SHA-256", bytes: bytes)
        #expect(fingerprint.algorithm == "sha-256")
        #expect(fingerprint.sdpValue.hasPrefix("sha-256 00:07:0E:15"))
        #expect(DTLSFingerprint(sdpValue: fingerprint.sdpValue) == fingerprint)
        #expect(DTLSFingerprint(sdpValue: fingerprint.sdpValue.lowercased()) == fingerprint)
        #expect(DTLSFingerprint(sdpValue: "SHA-256 " + fingerprint.sdpValue.dropFirst(8)) == fingerprint)
        #expect(DTLSFingerprint(sdpValue: "sha-1 " + Array(repeating: "ab", count: 20).joined(separator: ":"))?.bytes.count == 20)
        #expect(DTLSFingerprint(sdpValue: "sha-512 " + Array(repeating: "FF", count: 64).joined(separator: ":"))?.bytes.count == 64)
    }

    static func hexGroups(_ group: String, _ count: Int) -> String {
        Array(repeating: group, count: count).joined(separator: ":")
    }

    static let malformed: [String] = [
        "", "sha-256", "sha-256 ", "md5 AB:CD", "sha-256 AB:CD",
        "sha-256 " + hexGroups("ZZ", 32),
        "sha-256 " + hexGroups("A", 32),
        "sha-256 " + hexGroups("AB", 33),
        "sha-256 " + hexGroups("AB", 32) + ":",
        "sha-256 +A:" + hexGroups("AB", 31),
        "sha-256 AB:CD extra",
    ]

    @Test(arguments: malformed)
    func rejectsMalformedValues(value: String) {
        #expect(DTLSFingerprint(sdpValue: value) == nil)
    }

    @Test func certificateFingerprintRoundTrips() throws {
        let certificate = try DTLSCertificate()
        #expect(DTLSFingerprint(sdpValue: certificate.fingerprint.sdpValue) == certificate.fingerprint)
    }

    @Test func rolesFromSetup() {
        #expect(DTLSRole(answerSetup: "active", weAreAnswerer: true) == .client)
        #expect(DTLSRole(answerSetup: "active", weAreAnswerer: false) == .server)
        #expect(DTLSRole(answerSetup: "passive", weAreAnswerer: true) == .server)
        #expect(DTLSRole(answerSetup: "PASSIVE", weAreAnswerer: false) == .client)
        #expect(DTLSRole(answerSetup: "actpass", weAreAnswerer: true) == nil)
        #expect(DTLSRole.client.answerSetupValue == "active")
    }
}
