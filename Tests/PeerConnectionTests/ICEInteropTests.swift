import Foundation
import ICE
import PeerConnection
import SDP
import TestSupport
import Testing

/// Our ICE agent on real UDP sockets against aioice (PyPI, aiortc's ICE agent):
/// credentials and candidates cross through pipes, then each side sends the other
/// a datagram on the path ICE chose. Needs the project venv (made by the test command).
@Suite(.serialized) struct ICEInteropTests {
    @Test(arguments: [ICERole.controlled, .controlling])
    func connectsToAioiceAndCarriesDataBothWays(ourRole: ICERole) async throws {
        let peer = try AioicePeer(controlling: ourRole == .controlled)
        do {
            try await talk(to: peer, ourRole: ourRole)
        } catch {
            await peer.stop()
            throw error
        }
        await peer.stop()
    }

    /// The same through coturn with only our relayed candidate: every packet of ours
    /// goes through the TURN server (checks, consent and data).
    @Test func connectsToAioiceThroughCoturnRelayOnly() async throws {
        let coturn = try Coturn()
        let peer = try AioicePeer(controlling: true)
        do {
            try await talk(to: peer, ourRole: .controlled, relay: coturn)
        } catch {
            await peer.stop()
            await coturn.stop()
            throw error
        }
        await peer.stop()
        await coturn.stop()
    }

    /// The same with our side reaching coturn over TCP (`turn:...?transport=tcp`):
    /// STUN and ChannelData framed on the stream, the relayed side still UDP.
    @Test func connectsToAioiceThroughCoturnOverTCPRelayOnly() async throws {
        let coturn = try Coturn(tcp: true)
        let peer = try AioicePeer(controlling: true)
        do {
            try await talk(to: peer, ourRole: .controlled, relay: coturn, overTCP: true)
        } catch {
            await peer.stop()
            await coturn.stop()
            throw error
        }
        await peer.stop()
        await coturn.stop()
    }

    func talk(to peer: AioicePeer, ourRole: ICERole, relay: Coturn? = nil, overTCP: Bool = false) async throws {
        let theirs = try #require(try await peer.nextLine(within: .seconds(15)), "aioice did not report its candidates")
        let ufrag = try #require(theirs["ufrag"] as? String), pwd = try #require(theirs["pwd"] as? String)
        let theirCandidates = try #require(theirs["candidates"] as? [String])

        let credentials = ICECredentials(ufrag: "swft", pwd: "swiftpasswordswiftpassw")
        let transport = try await ICETransport.start(role: ourRole, credentials: credentials)
        let events = SharedIterator(transport.events)
        if let relay {
            await transport.setRelayOnly(true)
            await transport.gatherRelayed(from: relay.address, username: "u", password: "p", overTCP: overTCP)
            let allocated = try await within(.seconds(10)) {
                while let event = await events.base.next() {
                    if case .ice(.localCandidate(let c)) = event, c.kind == .relay { return true }
                    if case .ice(.relayFailed) = event { return false }
                }
                return false
            }
            #expect(allocated == true, "no TURN allocation from coturn")
        }
        let advertised = await transport.localCandidates.filter { relay == nil || $0.kind == .relay }
        let ours = advertised.map { "candidate:" + $0.attribute.attributeText.dropFirst("candidate:".count) }
        #expect(!ours.isEmpty)
        try peer.send(["ufrag": credentials.ufrag, "pwd": credentials.pwd, "candidates": ours])

        await transport.setRemoteCredentials(ICECredentials(ufrag: ufrag, pwd: pwd))
        for line in theirCandidates {
            if let attribute = CandidateAttribute(parsing: line), let candidate = ICECandidate(attribute) {
                await transport.addRemoteCandidate(candidate)
            }
        }
        await transport.remoteCandidatesComplete()

        let connected = try await within(.seconds(15)) {
            while let event = await events.base.next() {
                if event == .ice(.stateChanged(.connected)) { return true }
                if event == .ice(.stateChanged(.failed)) { return false }
            }
            return false
        }
        let counters = await transport.counters
        #expect(connected == true, "our agent did not connect; counters: \(counters)")
        let theirState = try await peer.nextLine(within: .seconds(15))
        #expect(theirState?["state"] as? String == "connected", "aioice said \(String(describing: theirState))")

        try await transport.send(Array("hello from swift".utf8))
        let received = try await peer.nextLine(within: .seconds(5))
        #expect(received?["received"] as? String == "hello from swift")

        try peer.send(["send": "hello from aioice"])
        let data = try await within(.seconds(5)) { () -> [UInt8]? in
            while let event = await events.base.next() {
                if case .data(let bytes, _) = event { return bytes }
                if case .datagrams(let batch) = event, let first = batch.first { return first.bytes }
            }
            return nil
        }
        #expect(data.flatMap { String(decoding: $0 ?? [], as: UTF8.self) } == "hello from aioice")
        #expect(await transport.counters.badIntegrity == 0)
        // Media's own way to the socket: the selected pair's on a direct path, none through a relay.
        let laneSent = transport.lane.send([Array("hello by the lane".utf8)])
        #expect(laneSent == (relay == nil))
        if laneSent { #expect(try await peer.nextLine(within: .seconds(5))?["received"] as? String == "hello by the lane") }
        let selected = await transport.selectedPair
        #expect(selected?.local.kind == (relay == nil ? .host : .relay))
        await transport.close()
    }
}

struct TimedOut: Error {}

/// Runs `body`, giving up after `limit`.
func within<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T? {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        let first = try await group.next() ?? nil
        group.cancelAll()
        return first
    }
}

/// Tests/interop/aioice_peer.py as a child process speaking JSON lines.
final class AioicePeer: Sendable {
    private let process: Process
    private let input: FileHandle
    private let iterator: SharedIterator<String>

    init(controlling: Bool) throws {
        let root = ChildProcess.repositoryRoot(fromTestFile: #filePath)
        let python = root.appendingPathComponent(".venv/bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw SetupFailure("missing \(python.path): run the README's test command (it makes the venv with aioice)")
        }
        process = Process()
        process.executableURL = python
        process.arguments = [root.appendingPathComponent("Tests/interop/aioice_peer.py").path] + (controlling ? ["--controlling"] : [])
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        input = stdin.fileHandleForWriting
        let (stream, sink) = AsyncStream.makeStream(of: String.self)
        iterator = SharedIterator(stream)
        let reader = stdout.fileHandleForReading
        // Blocking reads on their own thread, not on the test's cooperative threads.
        Thread {
            var buffer = Data()
            // availableData returns what the pipe has (read(upToCount:) would wait for the full count).
            while case let chunk = reader.availableData, !chunk.isEmpty {
                buffer.append(chunk)
                while let newline = buffer.firstIndex(of: 10) {
                    sink.yield(String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self))
                    buffer.removeSubrange(buffer.startIndex...newline)
                }
            }
            sink.finish()
        }.start()
    }

    func nextLine(within limit: Duration) async throws -> [String: Any]? {
        let iterator = self.iterator
        guard let text = try await within(limit, { await iterator.base.next() }) ?? nil else { return nil }
        return try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
    }

    func send(_ object: [String: Any]) throws {
        var data = try JSONSerialization.data(withJSONObject: object)
        data.append(10)
        try input.write(contentsOf: data)
    }

    func stop() async {
        try? input.close()
        await ChildProcess.stop(process.processIdentifier)
    }
}

/// An async iterator that a test hands to the child tasks of `within`, one await at a time.
final class SharedIterator<Element: Sendable>: @unchecked Sendable {
    var base: AsyncStream<Element>.Iterator
    init(_ stream: AsyncStream<Element>) { base = stream.makeAsyncIterator() }
}

struct SetupFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
