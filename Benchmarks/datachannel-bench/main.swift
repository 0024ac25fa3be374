// Data channel throughput on loopback between two of our PeerConnections in two
// processes: `N MiB` in `K KiB` binary messages on one reliable, ordered channel,
// offerer to answerer, with backpressure at the sender. Results in BENCHMARKS.md.
//
//     datachannel-bench run [--mib 64] [--message-kib 16] [--high-water-kib 1024] [--json]
//         spawns `offer` and `answer` (this same executable), hands the SDP across
//         their pipes and prints setup ms, transfer seconds and Mbit/s.
//     datachannel-bench offer|answer [--mib 64] [--message-kib 16]
//         one side; speaks JSON lines on stdin/stdout (Protocol.swift), so any
//         driver (Benchmarks/datachannel-bench/bench.py) can pair the roles.
//     datachannel-bench machines [--mib 64] [--message-kib 16]
//         the SCTP machines alone, in memory (Machines.swift), for comparison.
//
// Times are CLOCK_MONOTONIC nanoseconds, which are the same clock in both
// processes: setup runs from just before createOffer() to the channel being
// open at the offerer; the transfer from the offerer's open (when it starts
// sending) to the last byte arriving at the answerer.

import Foundation
import PeerConnection
import SCTP

let label = "bench"

struct Options {
    var role = ""
    var mib = 64
    var messageKiB = 16
    var json = false
    /// The sender waits while more than this is queued and unacknowledged.
    var highWaterKiB = 1024

    init(_ arguments: [String]) throws {
        var rest = arguments.dropFirst()
        guard let role = rest.popFirst() else { throw Usage() }
        self.role = role
        while let argument = rest.popFirst() {
            switch argument {
            case "--mib": mib = try Self.number(rest.popFirst())
            case "--message-kib": messageKiB = try Self.number(rest.popFirst())
            case "--high-water-kib": highWaterKiB = try Self.number(rest.popFirst())
            case "--json": json = true
            default: throw Usage()
            }
        }
    }

    static func number(_ text: String?) throws -> Int {
        guard let text, let value = Int(text), value > 0 else { throw Usage() }
        return value
    }

    var totalBytes: Int { mib << 20 }
    var messageBytes: Int { messageKiB << 10 }
    var highWater: Int { highWaterKiB << 10 }
    var passThrough: [String] { ["--mib", "\(mib)", "--message-kib", "\(messageKiB)", "--high-water-kib", "\(highWaterKiB)"] }
}

struct Usage: Error, CustomStringConvertible {
    var description: String {
        "usage: datachannel-bench run|offer|answer|machines [--mib N] [--message-kib K] [--high-water-kib H] [--json]"
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func monotonicNanoseconds() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}

// MARK: - Roles

// On the main actor: their blocking reads of stdin must not hold a thread of the pool
// that the peer connection runs on.

/// Waits for the channel to open (or the connection to fail), forwarding nothing else.
func waitForOpen(_ events: AsyncStream<PeerConnectionEvent>.AsyncIterator) async throws -> AsyncStream<PeerConnectionEvent>.AsyncIterator {
    var iterator = events
    while let event = await iterator.next(isolation: #isolation) {
        switch event {
        case .channelOpened(let opened) where opened == label: return iterator
        case .failed(let why): throw BenchFailure("connection failed: \(why)")
        default: continue
        }
    }
    throw BenchFailure("the connection ended before the channel opened")
}

func runOffer(_ options: Options) async throws {
    let connection = try PeerConnection(configuration: PeerConnectionConfiguration(includeLoopback: true, includeIPv6: false))
    var events = connection.events.makeAsyncIterator()
    await connection.createDataChannel(label: label)
    let created = monotonicNanoseconds()
    // No ICE servers: the offer already carries every (host) candidate and end-of-candidates.
    let offer = try await connection.createOffer()
    Line(kind: "offer", sdp: offer).write()
    guard let reply = Line.read(), reply.kind == "answer", let answer = reply.sdp else {
        throw BenchFailure("expected an answer line on stdin")
    }
    try await connection.setRemoteAnswer(answer)
    events = try await waitForOpen(events)
    let opened = monotonicNanoseconds()
    Line(kind: "open", created: created, opened: opened).write()

    let total = options.totalBytes
    var payload = [UInt8](repeating: 0xA5, count: options.messageBytes)
    var sent = 0
    var sequence: UInt32 = 0
    var waits = 0
    // Above the high water mark, wait until half of it is left, as a browser application
    // does with bufferedAmountLowThreshold and the bufferedamountlow event.
    await connection.setBufferedAmountLowThreshold(options.highWater / 2, label: label)
    while sent < total {
        if await connection.bufferedAmount(label: label) > options.highWater {
            waits += 1
            // Wake on the low event; one from an earlier dip may still be queued, so the
            // amount is checked again after every event.
            while await connection.bufferedAmount(label: label) > options.highWater / 2 {
                switch await events.next(isolation: #isolation) {
                case .failed(let why)?: throw BenchFailure("connection failed: \(why)")
                case nil: throw BenchFailure("the connection ended while sending")
                default: continue
                }
            }
        }
        let size = min(options.messageBytes, total - sent)
        // A sequence number in front, for the receiver's order check.
        withUnsafeBytes(of: sequence.bigEndian) { payload.replaceSubrange(0..<4, with: $0) }
        try await connection.send(.binary(size == payload.count ? payload : Array(payload[..<size])), label: label)
        sent += size
        sequence &+= 1
    }
    Line(kind: "sent", bytes: sent, finished: monotonicNanoseconds(), waits: waits).write()
    _ = Line.read()  // "quit" from the driver, once the receiver has it all
    await connection.close()
}

func runAnswer(_ options: Options) async throws {
    let connection = try PeerConnection(configuration: PeerConnectionConfiguration(includeLoopback: true, includeIPv6: false))
    var events = connection.events.makeAsyncIterator()
    guard let line = Line.read(), line.kind == "offer", let offer = line.sdp else {
        throw BenchFailure("expected an offer line on stdin")
    }
    let answer = try await connection.answer(offer: offer)
    Line(kind: "answer", sdp: answer).write()
    events = try await waitForOpen(events)

    let total = options.totalBytes
    var received = 0
    var expected: UInt32 = 0
    var first: UInt64?
    while received < total, let event = await events.next(isolation: #isolation) {
        switch event {
        case .channelMessage(label, .binary(let bytes)):
            if first == nil { first = monotonicNanoseconds() }
            let sequence = bytes.count >= 4
                ? UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3]) : 0
            guard sequence == expected else {
                throw BenchFailure("message \(sequence) arrived where \(expected) was due")
            }
            expected &+= 1
            received += bytes.count
        case .failed(let why):
            throw BenchFailure("connection failed: \(why)")
        case .peerClosed:
            throw BenchFailure("the peer closed after \(received) bytes")
        default:
            continue
        }
    }
    Line(kind: "done", bytes: received, finished: monotonicNanoseconds(), first: first).write()
    _ = Line.read()
    await connection.close()
}

// MARK: - Driver

func runDriver(_ options: Options) throws {
    let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    let offerer = try Peer(executable, ["offer"] + options.passThrough)
    let answerer = try Peer(executable, ["answer"] + options.passThrough)
    defer {
        offerer.finish()
        answerer.finish()
    }
    let offer = try offerer.expect("offer")
    answerer.send(offer)
    offerer.send(try answerer.expect("answer"))
    let open = try offerer.expect("open")
    let done = try answerer.expect("done")
    let sent = try offerer.expect("sent")
    guard let created = open.created, let opened = open.opened, let finished = done.finished, let bytes = done.bytes else {
        throw BenchFailure("incomplete report")
    }
    let setupMs = Double(opened - created) / 1e6
    let seconds = Double(finished - opened) / 1e9
    let mbits = Double(bytes) * 8 / seconds / 1e6
    if options.json {
        let result: [String: Any] = ["setup_ms": setupMs, "seconds": seconds, "mbit_s": mbits, "bytes": bytes,
                                     "backpressure_waits": sent.waits ?? 0]
        let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    } else {
        print("| peers | MiB | message KiB | setup ms | transfer s | Mbit/s |")
        print("|---|---|---|---|---|---|")
        print(String(format: "| ours ↔ ours (2 processes) | %d | %d | %.0f | %.2f | %.0f |",
                     options.mib, options.messageKiB, setupMs, seconds, mbits))
        print("(sender went over \(options.highWater) buffered bytes \(sent.waits ?? 0) times and waited for half of it)")
    }
}

do {
    let options = try Options(CommandLine.arguments)
    switch options.role {
    case "offer": try await runOffer(options)
    case "answer": try await runAnswer(options)
    case "run": try runDriver(options)
    case "machines": try runMachines(options)
    default: throw Usage()
    }
} catch {
    FileHandle.standardError.write(Data("datachannel-bench: \(error)\n".utf8))
    exit(1)
}
