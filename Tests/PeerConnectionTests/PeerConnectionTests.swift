import Foundation
import ICE
import PeerConnection
import SCTP
import SDP
import Testing

/// Two of our peer connections in one process on loopback sockets, the offer,
/// answer and trickled candidates handed across directly: ICE, DTLS and SCTP
/// come up and the `chat` channel carries text both ways. (Against peers we did
/// not write: the aiortc and Chromium tests in Tests/interop.)
@Suite struct PeerConnectionTests {
    static let loopback = PeerConnectionConfiguration(includeLoopback: true, includeIPv6: false)

    @Test func chatOpensAndCarriesTextBothWaysThenCloseReachesThePeer() async throws {
        let caller = try PeerConnection(configuration: Self.loopback)
        let callee = try PeerConnection(configuration: Self.loopback)
        let callerEvents = EventLog(caller.events)
        let calleeEvents = EventLog(callee.events)

        await caller.createDataChannel(label: "chat")
        let offer = try await caller.createOffer()
        let answer = try await callee.answer(offer: offer)
        try await caller.setRemoteAnswer(answer)

        #expect(try await callerEvents.first(within: .seconds(10)) { $0 == .channelOpened(label: "chat") } != nil)
        #expect(try await calleeEvents.first(within: .seconds(10)) { $0 == .channelOpened(label: "chat") } != nil)
        #expect(await callerEvents.seen.contains(.stateChanged(.connected)))
        #expect(await calleeEvents.seen.contains(.stateChanged(.connected)))

        try await caller.send(.text("hello 👋 from the caller"), label: "chat")
        #expect(try await calleeEvents.first(within: .seconds(5)) {
            $0 == .channelMessage(label: "chat", .text("hello 👋 from the caller"))
        } != nil)
        try await callee.send(.text("and back"), label: "chat")
        #expect(try await callerEvents.first(within: .seconds(5)) {
            $0 == .channelMessage(label: "chat", .text("and back"))
        } != nil)

        // A message of many SCTP packets: each must fit one DTLS record (found against aiortc).
        let large = String(repeating: "0123456789abcdef", count: 12_800)  // 200 KiB
        try await caller.send(.text(large), label: "chat")
        #expect(try await calleeEvents.first(within: .seconds(10)) { $0 == .channelMessage(label: "chat", .text(large)) } != nil)

        // A hang-up closes DTLS with close_notify: the peer learns at once, not from consent.
        await caller.close()
        #expect(try await calleeEvents.first(within: .seconds(5)) { $0 == .peerClosed } != nil)
        await callee.close()
    }

    /// Backpressure as browsers offer it: a large send leaves bytes buffered above the low
    /// threshold, and `channelBufferedAmountLow` comes once the peer's acknowledgements
    /// bring the amount down to it.
    @Test func bufferedAmountLowComesWhenALargeSendDrainsToTheThreshold() async throws {
        let caller = try PeerConnection(configuration: Self.loopback)
        let callee = try PeerConnection(configuration: Self.loopback)
        let callerEvents = EventLog(caller.events)
        let calleeEvents = EventLog(callee.events)
        await caller.createDataChannel(label: "bulk")
        try await caller.setRemoteAnswer(try await callee.answer(offer: try await caller.createOffer()))
        #expect(try await callerEvents.first(within: .seconds(10)) { $0 == .channelOpened(label: "bulk") } != nil)

        await caller.setBufferedAmountLowThreshold(65_536, label: "bulk")
        let message = [UInt8](repeating: 7, count: 200_000)
        try await caller.send(.binary(message), label: "bulk")
        #expect(await caller.bufferedAmount(label: "bulk") > 65_536)
        #expect(try await callerEvents.first(within: .seconds(10)) { $0 == .channelBufferedAmountLow(label: "bulk") } != nil)
        #expect(await caller.bufferedAmount(label: "bulk") <= 65_536)
        #expect(try await calleeEvents.first(within: .seconds(10)) { $0 == .channelMessage(label: "bulk", .binary(message)) } != nil)
        await caller.close()
        await callee.close()
    }

    /// RTP handed over on a plain thread (as the audio capture thread does) is protected
    /// there and written to the socket, and unprotected on the peer's event loop: it
    /// arrives decrypted and in order. Before SRTP is keyed nothing is sent, and counted.
    @Test func rtpFromAPlainThreadArrivesDecryptedInOrder() async throws {
        let caller = try PeerConnection(configuration: Self.loopback)
        let callee = try PeerConnection(configuration: Self.loopback)
        caller.sendRTP(Self.rtp(sequence: 0))
        #expect(await caller.counters.mediaUnsent == 1)
        let callerReady = EventLog(caller.events), calleeReady = EventLog(callee.events)
        try await caller.setRemoteAnswer(try await callee.answer(offer: try await caller.createOffer()))
        for log in [callerReady, calleeReady] {
            #expect(try await log.first(within: .seconds(10)) { if case .mediaReady = $0 { true } else { false } } != nil)
        }
        let packets = (1...200).map { Self.rtp(sequence: UInt16($0)) }
        let sender = Thread { for packet in packets { caller.sendRTP(packet) } }
        sender.start()
        let received = try await within(.seconds(10)) { [media = callee.media] () -> [[UInt8]] in
            var got: [[UInt8]] = []
            for await case .rtp(let bytes) in media {
                got.append(bytes)
                if got.count == packets.count { break }
            }
            return got
        }
        #expect(received == packets)
        #expect(await callee.counters.srtpRejected == 0)
        await caller.close()
        await callee.close()
    }

    static func rtp(sequence: UInt16) -> [UInt8] {
        // RTP version 2, payload type 96, the sequence number, timestamp 0, SSRC 1, 8 bytes of payload.
        [0x80, 96, UInt8(sequence >> 8), UInt8(sequence & 0xFF), 0, 0, 0, 0, 0, 0, 0, 1] + [UInt8](repeating: UInt8(sequence & 0xFF), count: 8)
    }

    /// A man in the middle: the answer's fingerprint is not the certificate the
    /// callee presents, so the caller refuses the DTLS connection and says why.
    @Test func aFingerprintThatDoesNotMatchTheCertificateEndsTheConnection() async throws {
        let caller = try PeerConnection(configuration: Self.loopback)
        let callee = try PeerConnection(configuration: Self.loopback)
        let impostor = try PeerConnection(configuration: Self.loopback)
        let callerEvents = EventLog(caller.events)

        await caller.createDataChannel(label: "chat")
        let offer = try await caller.createOffer()
        var answer = try await callee.answer(offer: offer)
        answer = answer.replacingOccurrences(of: callee.fingerprint.attributeValue, with: impostor.fingerprint.attributeValue)
        try await caller.setRemoteAnswer(answer)

        let failure = try await callerEvents.first(within: .seconds(10)) {
            if case .failed = $0 { return true }
            return false
        }
        guard case .failed(let why)? = failure else {
            Issue.record("no failure; events: \(await callerEvents.seen)")
            return
        }
        #expect(why.contains("fingerprint"), "\(why)")
        #expect(await callerEvents.seen.contains(.channelOpened(label: "chat")) == false)
        await caller.close()
        await callee.close()
        await impostor.close()
    }

    @Test func anAnswerWithoutICECredentialsIsRefusedWithAReason() async throws {
        let caller = try PeerConnection(configuration: Self.loopback)
        _ = try await caller.createOffer()
        let bad = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
            + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n"
            + "a=setup:active\r\na=sctp-port:5000\r\n"
        await #expect { try await caller.setRemoteAnswer(bad) } throws: { "\($0)".contains("ice-ufrag") }
        await caller.close()
    }
}

/// Collects a connection's events so a test can wait for one and still see the rest.
actor EventLog {
    private(set) var seen: [PeerConnectionEvent] = []
    private var waiters: [(predicate: @Sendable (PeerConnectionEvent) -> Bool, continuation: CheckedContinuation<PeerConnectionEvent?, Never>)] = []
    private var reader: Task<Void, Never>?

    init(_ events: AsyncStream<PeerConnectionEvent>) {
        let stream = events
        Task { await self.start(stream) }
    }

    private func start(_ events: AsyncStream<PeerConnectionEvent>) {
        reader = Task {
            for await event in events { self.record(event) }
        }
    }

    private func record(_ event: PeerConnectionEvent) {
        seen.append(event)
        var remaining: [(predicate: @Sendable (PeerConnectionEvent) -> Bool, continuation: CheckedContinuation<PeerConnectionEvent?, Never>)] = []
        for waiter in waiters {
            if waiter.predicate(event) { waiter.continuation.resume(returning: event) } else { remaining.append(waiter) }
        }
        waiters = remaining
    }

    /// The first event (already seen or still to come) that matches, or nil after `limit`.
    func first(within limit: Duration, where predicate: @escaping @Sendable (PeerConnectionEvent) -> Bool) async throws -> PeerConnectionEvent? {
        if let event = seen.first(where: predicate) { return event }
        let timeout = Task { [weak self] in
            // Cancelled (the event came): expiring now would cut short later waits.
            guard (try? await Task.sleep(for: limit)) != nil else { return }
            await self?.expire()
        }
        defer { timeout.cancel() }
        return await withCheckedContinuation { continuation in
            waiters.append((predicate, continuation))
        }
    }

    private func expire() {
        for waiter in waiters { waiter.continuation.resume(returning: nil) }
        waiters.removeAll()
    }
}
