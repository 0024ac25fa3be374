import Foundation

/// One JSON line between a role and its driver:
/// offerer → `{"kind":"offer","sdp":…}`, driver → answerer; answerer → `{"kind":"answer","sdp":…}`,
/// driver → offerer; offerer → `{"kind":"open","created":ns,"opened":ns}` and, after the last
/// send, `{"kind":"sent","bytes":n,"finished":ns,"waits":n}`; answerer → `{"kind":"done",
/// "bytes":n,"finished":ns,"first":ns}` when the last byte is in; driver → both `{"kind":"quit"}`.
/// Times are CLOCK_MONOTONIC nanoseconds.
struct Line: Codable {
    var kind: String
    var sdp: String?
    var created: UInt64?
    var opened: UInt64?
    var bytes: Int?
    var finished: UInt64?
    var first: UInt64?
    var waits: Int?

    init(kind: String, sdp: String? = nil, created: UInt64? = nil, opened: UInt64? = nil, bytes: Int? = nil,
         finished: UInt64? = nil, first: UInt64? = nil, waits: Int? = nil) {
        self.kind = kind
        self.sdp = sdp
        self.created = created
        self.opened = opened
        self.bytes = bytes
        self.finished = finished
        self.first = first
        self.waits = waits
    }

    var encoded: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // A JSON string escapes its newlines, so the SDP stays on one line.
        return (try? String(decoding: encoder.encode(self), as: UTF8.self)) ?? "{}"
    }

    init?(decoding text: String) {
        guard let line = try? JSONDecoder().decode(Line.self, from: Data(text.utf8)) else { return nil }
        self = line
    }

    /// To our stdout, unbuffered: the driver is waiting for it.
    func write() {
        FileHandle.standardOutput.write(Data((encoded + "\n").utf8))
    }

    /// The next line on our stdin (blocking), nil at its end.
    static func read() -> Line? {
        while let text = readLine() {
            if let line = Line(decoding: text) { return line }
        }
        return nil
    }
}

/// A role process started by the driver, its stdin and stdout on pipes (stderr is ours).
final class Peer {
    let process = Process()
    private let input = Pipe()
    private let output: UnsafeMutablePointer<FILE>

    init(_ executable: URL, _ arguments: [String]) throws {
        let outputPipe = Pipe()
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = outputPipe
        try process.run()
        guard let file = fdopen(dup(outputPipe.fileHandleForReading.fileDescriptor), "r") else {
            throw BenchFailure("cannot read from \(arguments[0])")
        }
        output = file
        try? outputPipe.fileHandleForReading.close()
    }

    /// The next line of this kind (blocking), failing if the role ends first.
    func expect(_ kind: String) throws -> Line {
        var buffer: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(buffer) }
        while getline(&buffer, &capacity, output) >= 0, let buffer {
            if let line = Line(decoding: String(cString: buffer)), line.kind == kind { return line }
        }
        throw BenchFailure("\(process.arguments?.first ?? "a role") ended before sending \(kind)")
    }

    func send(_ line: Line) {
        input.fileHandleForWriting.write(Data((line.encoded + "\n").utf8))
    }

    func finish() {
        if process.isRunning {
            send(Line(kind: "quit"))
            try? input.fileHandleForWriting.close()
        }
        process.waitUntilExit()
        fclose(output)
    }
}
