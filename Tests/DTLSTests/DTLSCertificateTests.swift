import DTLS
import Foundation
import TestSupport
import Testing

@Suite struct DTLSCertificateTests {
    @Test func aFreshCertificateEachTimeWithASHA256Fingerprint() throws {
        let a = try DTLSCertificate()
        let b = try DTLSCertificate()
        #expect(a.sha256Fingerprint.count == 32)
        #expect(a.sha256Fingerprint != b.sha256Fingerprint)
        #expect(a.pem.hasPrefix("-----BEGIN CERTIFICATE-----"))
        // The value goes into SDP as `a=fingerprint:sha-256 AB:CD:...` and reads back the same.
        let attribute = DTLSFingerprint(algorithm: "sha-256", bytes: a.sha256Fingerprint).sdpValue
        #expect(DTLSFingerprint(sdpValue: attribute)?.bytes == a.sha256Fingerprint)
    }

    /// The openssl command-line tool, another reader of X.509, sees a P-256 self-signed
    /// certificate with the fingerprint we compute.
    @Test func opensslAgreesOnTheFingerprintAndTheKey() async throws {
        let certificate = try DTLSCertificate(commonName: "call-test")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("call-cert-\(UUID().uuidString).pem")
        try certificate.pem.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let output = try await ChildProcess.offThePool { () throws -> String in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = ["x509", "-in", file.path, "-noout", "-fingerprint", "-sha256", "-subject", "-issuer", "-text"]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            return String(decoding: data, as: UTF8.self)
        }
        let expected = DTLSFingerprint(algorithm: "sha-256", bytes: certificate.sha256Fingerprint).sdpValue.dropFirst("sha-256 ".count)
        #expect(output.contains("Fingerprint=\(expected)"), "openssl said: \(output.prefix(300))")
        #expect(output.contains("subject=CN = call-test") && output.contains("issuer=CN = call-test"))
        #expect(output.contains("prime256v1") || output.contains("P-256"))
        #expect(output.contains("ecdsa-with-SHA256"))
    }
}
