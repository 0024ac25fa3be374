import Foundation
import ICE
import PeerConnection
import SDP
import TestSupport
import Testing

@Suite struct MDNSMessageTests {
    @Test func aQueryAsksForAAndAAAAWithTheUnicastBit() throws {
        let query = try #require(MDNSMessage.query(for: "abc.local", id: 0))
        #expect(Array(query[0..<12]) == [0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0])
        let name: [UInt8] = [3] + Array("abc".utf8) + [5] + Array("local".utf8) + [0]
        #expect(Array(query[12..<(12 + name.count)]) == name)
        #expect(Array(query[(12 + name.count)..<(16 + name.count)]) == [0, 1, 0x80, 1])
        #expect(MDNSMessage.query(for: String(repeating: "x", count: 64) + ".local", id: 0) == nil)
    }

    @Test func answersAreReadThroughNameCompression() {
        // Header: 0 questions, 1 answer, 0 authority, 1 additional.
        var response: [UInt8] = [0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 1]
        let nameOffset = response.count
        response += [3] + Array("abc".utf8) + [5] + Array("local".utf8) + [0]
        response += [0, 1, 0x80, 1, 0, 0, 0, 120, 0, 4, 192, 0, 2, 9]  // A 192.0.2.9
        response += [0xC0, UInt8(nameOffset)]  // the same name, compressed
        response += [0, 28, 0x80, 1, 0, 0, 0, 120, 0, 16] + [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [9]
        let found = MDNSMessage.addresses(in: response, for: "ABC.local.")
        #expect(found.count == 2)
        #expect(found.first == [192, 0, 2, 9])
        #expect(MDNSMessage.addresses(in: response, for: "other.local").isEmpty)
        // Truncations and pointer loops give nothing, never a crash.
        for cut in 0..<response.count { _ = MDNSMessage.addresses(in: Array(response.prefix(cut)), for: "abc.local") }
        #expect(MDNSMessage.addresses(in: [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0xC0, 12], for: "abc.local").isEmpty)
    }
}

/// Resolving against python-zeroconf (PyPI) on this machine's interface, by real multicast.
@Suite(.serialized) struct MDNSResolverTests {
    @Test func resolvesANameAResponderAnswersForAndGivesUpOnOneNobodyKnows() async throws {
        let transport = try await ICETransport.start(role: .controlled, credentials: ICECredentials(ufrag: "mdns", pwd: "mdnspasswordmdnspasswor"),
                                                     includeIPv6: false)
        let host = try #require(await transport.localCandidates.first { $0.address.family == .ipv4 }, "no IPv4 interface")
        await transport.close()
        let address = IPAddress.text(host.address.address)
        let name = "\(UUID().uuidString.lowercased()).local"

        let root = ChildProcess.repositoryRoot(fromTestFile: #filePath)
        let python = root.appendingPathComponent(".venv/bin/python")
        try #require(FileManager.default.isExecutableFile(atPath: python.path),
                     "missing \(python.path): run the README's test command (it makes the venv with zeroconf)")
        let process = Process()
        process.executableURL = python
        process.arguments = [root.appendingPathComponent("Tests/interop/mdns_responder.py").path, name, address]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let ready = try await ChildProcess.offThePool { () -> String in
            var line = Data()
            while case let byte = output.fileHandleForReading.readData(ofLength: 1), let b = byte.first, b != 10 { line.append(b) }
            return String(decoding: line, as: UTF8.self)
        }
        #expect(ready == "ready")

        let resolved = await MDNSResolver.resolve(name, timeout: .seconds(3))
        #expect(resolved == host.address.address)
        let started = ContinuousClock.now
        let unknown = await MDNSResolver.resolve("\(UUID().uuidString.lowercased()).local", timeout: .milliseconds(500))
        #expect(unknown == nil)
        // It gives up rather than waiting on: the bound is loose because a loaded CI
        // machine can take seconds to bind and close the sockets; timing is not the point.
        #expect(ContinuousClock.now - started < .seconds(10))

        try? input.fileHandleForWriting.close()
        await ChildProcess.stop(process.processIdentifier)
    }
}
