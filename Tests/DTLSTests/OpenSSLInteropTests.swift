import DTLS
import Foundation
import SRTP
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// An `openssl` child process with its output collected and its stdin open.
/// Always `stop()` it (the tests do so in `defer`).
final class OpenSSLTool: @unchecked Sendable {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let lock = NSLock()
    private var collected = Data()

    init(_ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock { self.collected.append(data) }
        }
        try process.run()
    }

    var text: String { lock.withLock { String(decoding: collected, as: UTF8.self) } }

    func write(_ line: String) { try? input.fileHandleForWriting.write(contentsOf: Data(line.utf8)) }

    /// Polls until `condition` holds on the output or `seconds` pass.
    func wait(seconds: Double, for condition: (String) -> Bool) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if condition(text) { return true }
            usleep(10_000)
        }
        return condition(text)
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            let end = Date().addingTimeInterval(2)
            while process.isRunning && Date() < end { usleep(10_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        output.fileHandleForReading.readabilityHandler = nil
        try? input.fileHandleForWriting.close()
    }

    /// Runs `openssl arguments` to completion and returns its output.
    static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

/// A P-256 certificate and key made by openssl itself, with its sha-256 fingerprint as openssl prints it.
struct OpenSSLIdentity: Sendable {
    let directory: URL
    var certificate: String { directory.appendingPathComponent("cert.pem").path }
    var key: String { directory.appendingPathComponent("key.pem").path }
    let fingerprint: DTLSFingerprint

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("dtls-interop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        _ = try OpenSSLTool.run([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", certificate, "-subj", "/CN=openssl-peer", "-days", "2",
        ])
        let printed = try OpenSSLTool.run(["x509", "-in", certificate, "-noout", "-fingerprint", "-sha256"])
        guard let hex = printed.split(separator: "=").last?.trimmingCharacters(in: .whitespacesAndNewlines),
            let fingerprint = DTLSFingerprint(sdpValue: "sha-256 " + hex)
        else { throw UDPSocket.Failure("no fingerprint from openssl: \(printed)") }
        self.fingerprint = fingerprint
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

/// What the real-UDP driver saw, in Sendable form.
struct InteropResult: Sendable {
    var events: [DTLSEvent] = []
    var keys: SRTPKeyingMaterial?
    var state: DTLSState = .new
    var transmitSizes: [Int] = []
    var failure: String?

    var received: String { events.compactMap { if case .data(let bytes) = $0 { String(decoding: bytes, as: UTF8.self) } else { nil } }.joined() }
}

/// Our endpoint over a real loopback UDP socket with the wall clock as `now`.
/// Runs on its own thread; every endpoint call happens there.
func driveOverUDP(
    role: DTLSRole, remoteFingerprint: DTLSFingerprint, certificate: DTLSCertificate, socket: UDPSocket, peerPort initialPeer: UInt16?,
    tool: OpenSSLTool, seconds: Double,
    script: @escaping @Sendable (_ endpoint: DTLSEndpoint, _ tool: OpenSSLTool, _ result: InteropResult, _ flag: inout Bool) -> Bool
) async throws -> InteropResult {
    nonisolated(unsafe) let socket = socket
    return try await ChildProcess.offThePool {
        let endpoint = try DTLSEndpoint(role: role, certificate: certificate, remoteFingerprint: remoteFingerprint)
        var result = InteropResult()
        var peer = initialPeer
        var flag = false
        let clock = ContinuousClock()
        let origin = clock.now
        let end = origin + .milliseconds(Int(seconds * 1000))
        endpoint.start(now: clock.now - origin)
        while clock.now < end {
            while let datagram = endpoint.pollTransmit() {
                result.transmitSizes.append(datagram.count)
                if let peer { socket.send(datagram, toPort: peer) }
            }
            while let event = endpoint.pollEvent() {
                result.events.append(event)
                if case .connected(let keys) = event { result.keys = keys }
                if case .failed(let why) = event { result.failure = why }
            }
            result.state = endpoint.state
            if script(endpoint, tool, result, &flag) { break }
            var wait: Int32 = 20
            if let deadline = endpoint.pollTimeout() {
                let left = deadline - (clock.now - origin)
                wait = min(wait, max(0, Int32(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)))
            }
            if let (bytes, port) = socket.receive(milliseconds: wait), let first = bytes.first, (20...63).contains(first) {
                peer = peer ?? port
                endpoint.handle(datagram: bytes, now: clock.now - origin)
            }
            if let deadline = endpoint.pollTimeout(), clock.now - origin >= deadline {
                endpoint.handleTimeout(now: clock.now - origin)
            }
        }
        while let datagram = endpoint.pollTransmit() {
            result.transmitSizes.append(datagram.count)
            if let peer { socket.send(datagram, toPort: peer) }
        }
        result.state = endpoint.state
        return result
    }
}

/// The exporter output as `openssl -keymatexport` prints it (client key | server key | client salt | server salt).
func exportedBytes(_ keys: SRTPKeyingMaterial, weAreClient: Bool) -> [UInt8] {
    weAreClient
        ? keys.localKey + keys.remoteKey + keys.localSalt + keys.remoteSalt
        : keys.remoteKey + keys.localKey + keys.remoteSalt + keys.localSalt
}

func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02X", $0) }.joined() }

func printedKeyingMaterial(_ output: String) -> String? {
    guard let range = output.range(of: "Keying material: ") else { return nil }
    return String(output[range.upperBound...].prefix { $0.isHexDigit })
}

/// Against an independent DTLS implementation (the openssl command-line tool) over real UDP.
@Suite(.serialized, .timeLimit(.minutes(1))) struct OpenSSLInteropTests {
    @Test func ourClientToOpenSSLServer() async throws {
        let identity = try OpenSSLIdentity()
        defer { identity.remove() }
        let certificate = try DTLSCertificate(commonName: "call-client")
        let port = try UDPSocket.freePort()
        let server = try OpenSSLTool([
            "s_server", "-dtls1_2", "-accept", "127.0.0.1:\(port)", "-mtu", "1200", "-use_srtp", "SRTP_AES128_CM_SHA1_80",
            "-cert", identity.certificate, "-key", identity.key, "-verify", "1", "-naccept", "1",
            "-keymatexport", "EXTRACTOR-dtls_srtp", "-keymatexportlen", "60",
        ])
        defer { server.stop() }
        #expect(server.wait(seconds: 5) { $0.contains("ACCEPT") }, "s_server did not start: \(server.text)")
        let socket = try UDPSocket()
        let result = try await driveOverUDP(
            role: .client, remoteFingerprint: identity.fingerprint, certificate: certificate, socket: socket, peerPort: port,
            tool: server, seconds: 15
        ) { endpoint, tool, result, wroteHello in
            guard result.failure == nil else { return true }
            guard endpoint.state == .connected else { return false }
            if !wroteHello {
                wroteHello = true
                try? endpoint.send(Array("hello from call\n".utf8))
                tool.write("hello from openssl\n")
            }
            let done = result.received.contains("hello from openssl") && tool.text.contains("hello from call")
            if done { endpoint.close() }
            return done
        }
        let text = server.text
        #expect(result.failure == nil, "\(result.failure ?? "") / s_server: \(text)")
        #expect(result.state == .closed)
        #expect(result.received.contains("hello from openssl"), "we got: \(result.received)")
        #expect(text.contains("hello from call"), "s_server said: \(text)")
        #expect(text.contains("SRTP Extension negotiated, profile=SRTP_AES128_CM_SHA1_80"), "\(text)")
        let keys = try #require(result.keys)
        #expect(keys.profile == .aes128CmHmacSha1_80)
        #expect(printedKeyingMaterial(text) == hex(exportedBytes(keys, weAreClient: true)), "s_server said: \(text)")
        #expect(result.transmitSizes.allSatisfy { $0 <= 1200 })
    }

    @Test func openSSLClientToOurServer() async throws {
        let identity = try OpenSSLIdentity()
        defer { identity.remove() }
        let certificate = try DTLSCertificate(commonName: "call-server")
        let socket = try UDPSocket()
        let client = try OpenSSLTool([
            "s_client", "-dtls1_2", "-connect", "127.0.0.1:\(socket.port)", "-mtu", "1200", "-use_srtp", "SRTP_AES128_CM_SHA1_80",
            "-cert", identity.certificate, "-key", identity.key,
            "-keymatexport", "EXTRACTOR-dtls_srtp", "-keymatexportlen", "60",
        ])
        defer { client.stop() }
        let result = try await driveOverUDP(
            role: .server, remoteFingerprint: identity.fingerprint, certificate: certificate, socket: socket, peerPort: nil,
            tool: client, seconds: 15
        ) { endpoint, tool, result, wroteHello in
            guard result.failure == nil else { return true }
            guard endpoint.state == .connected, tool.text.contains("Keying material") else { return false }
            if !wroteHello {
                wroteHello = true
                try? endpoint.send(Array("hello from call\n".utf8))
                tool.write("hello from openssl\n")
            }
            let done = result.received.contains("hello from openssl") && tool.text.contains("hello from call")
            if done { endpoint.close() }
            return done
        }
        let text = client.text
        #expect(result.failure == nil, "\(result.failure ?? "") / s_client: \(text)")
        #expect(result.received.contains("hello from openssl"), "we got: \(result.received)")
        #expect(text.contains("hello from call"), "s_client said: \(text)")
        #expect(text.contains("SRTP Extension negotiated, profile=SRTP_AES128_CM_SHA1_80"), "\(text)")
        let keys = try #require(result.keys)
        #expect(printedKeyingMaterial(text) == hex(exportedBytes(keys, weAreClient: false)), "s_client said: \(text)")
        // s_client prints the certificate we presented: it is ours, by fingerprint.
        let pem = try #require(text.range(of: "-----BEGIN CERTIFICATE-----").flatMap { start in
            text.range(of: "-----END CERTIFICATE-----", range: start.upperBound..<text.endIndex).map { String(text[start.lowerBound..<$0.upperBound]) }
        })
        #expect(pem.filter { !$0.isWhitespace } == certificate.pem.filter { !$0.isWhitespace })
        #expect(result.transmitSizes.allSatisfy { $0 <= 1200 })
    }

    /// The openssl server presents a certificate other than the one a=fingerprint names.
    @Test func openSSLServerWithTheWrongCertificateIsRefused() async throws {
        let identity = try OpenSSLIdentity()
        defer { identity.remove() }
        let announced = try DTLSCertificate(commonName: "announced")
        let port = try UDPSocket.freePort()
        let server = try OpenSSLTool([
            "s_server", "-dtls1_2", "-accept", "127.0.0.1:\(port)", "-mtu", "1200", "-use_srtp", "SRTP_AES128_CM_SHA1_80",
            "-cert", identity.certificate, "-key", identity.key, "-naccept", "1",
        ])
        defer { server.stop() }
        #expect(server.wait(seconds: 5) { $0.contains("ACCEPT") })
        let result = try await driveOverUDP(
            role: .client, remoteFingerprint: announced.fingerprint, certificate: try DTLSCertificate(), socket: try UDPSocket(),
            peerPort: port, tool: server, seconds: 10
        ) { _, _, result, _ in result.failure != nil }
        #expect(result.failure == "the peer's certificate does not match a=fingerprint (man in the middle?)")
        #expect(!result.events.contains { if case .connected = $0 { true } else { false } })
        #expect(server.wait(seconds: 3) { $0.contains("bad certificate") || $0.contains("alert") }, "s_server said: \(server.text)")
    }
}
