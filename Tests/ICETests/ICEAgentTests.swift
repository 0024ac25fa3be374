import ICE
import SDP
import Testing

@Suite struct ICEAgentTests {
    static let aAddress = TransportAddress(address: [192, 0, 2, 1], port: 5000)
    static let bAddress = TransportAddress(address: [192, 0, 2, 2], port: 6000)
    static let aCredentials = ICECredentials(ufrag: "aaaa", pwd: "apasswordapasswordapass")
    static let bCredentials = ICECredentials(ufrag: "bbbb", pwd: "bpasswordbpasswordbpass")

    /// A and B with host candidates; `trickleAToB` false means B never hears of A's candidate.
    static func network(aRole: ICERole = .controlling, bRole: ICERole = .controlled, trickleAToB: Bool = true,
                        seeds: (UInt64, UInt64) = (1, 2)) -> SimulatedNetwork {
        var a = ICEAgent(role: aRole, credentials: aCredentials, seed: seeds.0)
        var b = ICEAgent(role: bRole, credentials: bCredentials, seed: seeds.1)
        let aHost = ICECandidate.local(kind: .host, address: aAddress, base: aAddress)
        let bHost = ICECandidate.local(kind: .host, address: bAddress, base: bAddress)
        a.addLocalCandidate(aHost)
        b.addLocalCandidate(bHost)
        a.setRemoteCredentials(bCredentials)
        b.setRemoteCredentials(aCredentials)
        a.addRemoteCandidate(bHost)
        if trickleAToB { b.addRemoteCandidate(aHost) }
        var net = SimulatedNetwork()
        net.add("a", a, addresses: [aAddress])
        net.add("b", b, addresses: [bAddress])
        return net
    }

    static func expectConnectedTogether(_ net: SimulatedNetwork, sourceLocation: SourceLocation = #_sourceLocation) {
        let a = net.agents["a"]!, b = net.agents["b"]!
        #expect(a.state == .connected, sourceLocation: sourceLocation)
        #expect(b.state == .connected, sourceLocation: sourceLocation)
        #expect(a.selectedPair?.remote.address == aSide(b), sourceLocation: sourceLocation)
        #expect(b.selectedPair?.remote.address == aSide(a), sourceLocation: sourceLocation)
        func aSide(_ agent: ICEAgent) -> TransportAddress? { agent.selectedPair?.local.base }
    }

    @Test func twoAgentsConnectAndAgreeOnThePair() {
        var net = Self.network()
        net.run(until: .seconds(2))
        Self.expectConnectedTogether(net)
        // A handful of round trips on a 10 ms path, not seconds.
        #expect(net.firstTime("a", of: .connected)! < .milliseconds(200))
        #expect(net.firstTime("b", of: .connected)! < .milliseconds(200))
        #expect(net.agents["a"]!.roundTripTime == .milliseconds(20))
        #expect(net.agents["a"]!.counters.badIntegrity == 0 && net.agents["b"]!.counters.badIntegrity == 0)
    }

    @Test func aPeerWhoseCandidatesNeverArriveIsLearnedFromItsChecks() {
        var net = Self.network(trickleAToB: false)
        net.run(until: .seconds(2))
        Self.expectConnectedTogether(net)
        #expect(net.events["b"]!.contains { if case .peerReflexiveRemote(let c) = $0.1 { c.address == Self.aAddress } else { false } })
    }

    @Test func bothControllingSettleTheConflictByTieBreaker() {
        var net = Self.network(aRole: .controlling, bRole: .controlling)
        net.run(until: .seconds(3))
        Self.expectConnectedTogether(net)
        let roles = [net.agents["a"]!.role, net.agents["b"]!.role]
        #expect(roles.filter { $0 == .controlling }.count == 1)
    }

    @Test(arguments: [UInt64(7), 8, 9, 10, 11])
    func connectsThroughTwentyPercentLoss(seed: UInt64) {
        var net = Self.network(seeds: (seed, seed + 100))
        net.lossRate = 0.2
        net.run(until: .seconds(10))
        Self.expectConnectedTogether(net)
    }

    @Test func aVanishedPeerIsDisconnectedWithinFiveSecondsAndFailedByThirty() throws {
        var net = Self.network()
        net.run(until: .seconds(1))
        Self.expectConnectedTogether(net)
        let gone = net.now
        net.silenced = ["b"]
        net.run(until: gone + .seconds(40))
        let disconnected = try #require(net.firstTime("a", of: .disconnected))
        let failed = try #require(net.firstTime("a", of: .failed))
        #expect(disconnected - gone <= .seconds(6))
        #expect(failed - gone <= .seconds(31) && failed - gone >= .seconds(25))
    }

    @Test func consentKeepsAHealthyCallConnected() {
        var net = Self.network()
        net.run(until: .seconds(60))
        Self.expectConnectedTogether(net)
        #expect(net.firstTime("a", of: .disconnected) == nil)
        // Consent requests every ~2 s for a minute.
        #expect(net.agents["a"]!.counters.checksSent >= 25)
    }

    @Test func bitsFromStrangersAreDroppedAndCounted() {
        var net = Self.network()
        net.run(until: .seconds(1))
        var a = net.agents["a"]!
        let stranger = TransportAddress(address: [203, 0, 113, 9], port: 1)
        a.handle(datagram: [0, 1, 2, 3], from: stranger, to: Self.aAddress, now: net.now)
        let forged = STUNMessage(method: .binding, messageClass: .request, transactionID: Array(repeating: 7, count: 12),
                                 attributes: [.username("aaaa:bbbb"), .iceControlled(tieBreaker: 1)])
        a.handle(datagram: forged.encode(integrityKey: Array("not the password".utf8)), from: stranger, to: Self.aAddress, now: net.now)
        let wrongUser = STUNMessage(method: .binding, messageClass: .request, transactionID: Array(repeating: 8, count: 12),
                                    attributes: [.username("zzzz:bbbb")])
        a.handle(datagram: wrongUser.encode(integrityKey: STUNCrypto.shortTermKey(password: Self.aCredentials.pwd)),
                 from: stranger, to: Self.aAddress, now: net.now)
        let response = STUNMessage(method: .binding, messageClass: .successResponse, transactionID: Array(repeating: 9, count: 12))
        a.handle(datagram: response.encode(), from: stranger, to: Self.aAddress, now: net.now)
        #expect(a.counters.malformed == 1)
        #expect(a.counters.badIntegrity == 1)
        #expect(a.counters.wrongUsername == 1)
        #expect(a.counters.unknownTransaction == 1)
        #expect(a.state == .connected)
        #expect(a.pollTransmit() == nil)  // none of them gets an answer
        #expect(!a.remoteCandidates.contains { $0.address == stranger })
    }

    @Test func behindANATTheServerReflexiveCandidateIsGatheredAndCarriesTheCall() throws {
        let privateA = TransportAddress(address: [198, 18, 0, 1], port: 5000)
        let stun = TransportAddress(address: [198, 51, 100, 1], port: 3478)
        var a = ICEAgent(role: .controlling, credentials: Self.aCredentials, seed: 3)
        var b = ICEAgent(role: .controlled, credentials: Self.bCredentials, seed: 4)
        a.addLocalCandidate(ICECandidate.local(kind: .host, address: privateA, base: privateA))
        let bHost = ICECandidate.local(kind: .host, address: Self.bAddress, base: Self.bAddress)
        b.addLocalCandidate(bHost)
        a.setRemoteCredentials(Self.bCredentials)
        b.setRemoteCredentials(Self.aCredentials)
        a.addRemoteCandidate(bHost)
        a.gatherServerReflexive(from: stun, now: .zero)
        var net = SimulatedNetwork()
        net.nat = .init(publicIP: [203, 0, 113, 1], privateIPs: [[198, 18, 0, 1]])
        net.stunServer = stun
        net.add("a", a, addresses: [privateA])
        net.add("b", b, addresses: [Self.bAddress])
        net.run(until: .milliseconds(100))

        // A learned its public address and trickles it (B never hears of the private host).
        let srflx = try #require(net.events["a"]?.compactMap { if case .localCandidate(let c) = $0.1 { c } else { nil } }.first)
        #expect(srflx.kind == .srflx && srflx.address.address == [203, 0, 113, 1] && srflx.base == privateA)
        #expect(net.events["a"]!.contains { $0.1 == .gatheringComplete })
        net.agents["b"]!.addRemoteCandidate(ICECandidate(srflx.attribute)!)
        net.run(until: .seconds(3))
        #expect(net.agents["a"]!.state == .connected && net.agents["b"]!.state == .connected)
        #expect(net.agents["b"]!.selectedPair?.remote.address == srflx.address)
        #expect(net.agents["a"]!.selectedPair?.local.base == privateA)
    }

    @Test func anICERestartReconnectsWithNewCredentialsAndKeepsMediaFlowingMeanwhile() {
        var net = Self.network()
        net.run(until: .seconds(1))
        Self.expectConnectedTogether(net)
        let newA = ICECredentials(ufrag: "a2a2", pwd: "anewpasswordanewpasswor")
        let newB = ICECredentials(ufrag: "b2b2", pwd: "bnewpasswordbnewpasswor")
        var a = net.agents["a"]!, b = net.agents["b"]!
        a.restart(credentials: newA)
        b.restart(credentials: newB)
        #expect(a.selectedPair != nil && a.state == .connected)  // media keeps its path meanwhile
        a.setRemoteCredentials(newB)
        b.setRemoteCredentials(newA)
        a.addRemoteCandidate(ICECandidate.local(kind: .host, address: Self.bAddress, base: Self.bAddress))
        b.addRemoteCandidate(ICECandidate.local(kind: .host, address: Self.aAddress, base: Self.aAddress))
        net.agents["a"] = a
        net.agents["b"] = b
        let restartedAt = net.now
        net.run(until: restartedAt + .seconds(10))
        Self.expectConnectedTogether(net)
        #expect(net.agents["a"]!.checkList.contains { $0.state == .succeeded })
        // Checks after the restart authenticate with the new passwords only.
        #expect(net.agents["a"]!.counters.badIntegrity == 0 && net.agents["b"]!.counters.badIntegrity == 0)
        #expect(net.firstTime("a", of: .disconnected) == nil)
    }

    @Test func noPathAtAllFailsOnceEveryPairHasFailed() {
        var net = Self.network()
        var a = net.agents["a"]!
        a.remoteCandidatesComplete()
        net.agents["a"] = a
        net.silenced = ["b"]
        net.owners[Self.bAddress] = nil  // nothing answers at B's address
        net.run(until: .seconds(30))
        #expect(net.agents["a"]!.state == .failed)
        #expect(net.firstTime("a", of: .failed)! < .seconds(15))
    }
}
