// signaling-load: many Socket.IO clients on loopback against a signaling
// server, in rooms of two, exchanging offer/answer/candidate bursts at a
// target total rate; prints connections, throughput, relay latency, errors.
//
//   swift run -c release signaling-load --clients 1000 --rate 5000 --duration 20
//   swift run -c release signaling-load --url ws://127.0.0.1:18080 ...   (an external server)
//
// The clients are bare NIO channels (no per-client task), many per event
// loop, so that the load generator costs little next to the server.

import ArgumentParser
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Signaling

@main
struct SignalingLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signaling-load", abstract: "Load a signaling server with Socket.IO clients in rooms of two.")

    @Option(help: "Clients to connect (rooms of two).") var clients: Int = 1000
    @Option(help: "Target relayed messages per second, all clients together.") var rate: Int = 5000
    @Option(help: "Seconds of load after everyone connected.") var duration: Int = 10
    @Option(help: "An external server (ws://HOST:PORT); by default one is started in this process.") var url: String?
    @Option(help: "Event loop threads for the clients.") var clientThreads: Int = 1
    @Option(help: "Connections opened at once while connecting.") var connectConcurrency: Int = 200
    @Option(help: "A label for the result row.") var label: String?

    func validate() throws {
        guard clients >= 2, clients % 2 == 0 else { throw ValidationError("--clients must be an even number >= 2") }
        guard rate >= 1, duration >= 1, clientThreads >= 1, connectConcurrency >= 1 else {
            throw ValidationError("--rate, --duration, --client-threads and --connect-concurrency must be positive")
        }
    }

    func run() async throws {
        let fileLimit = raiseFileLimit()
        var server: SignalingServer?
        let host: String
        let port: Int
        if let url {
            guard let parsed = URLComponents(string: url), let h = parsed.host, let p = parsed.port else {
                throw ValidationError("--url must look like ws://HOST:PORT")
            }
            (host, port) = (h, p)
        } else {
            var configuration = SignalingServerConfiguration()
            configuration.port = 0
            configuration.maxConnections = clients + 100
            configuration.maxRooms = clients
            var logger = Logger(label: "signaling-load.server")
            logger.logLevel = .error
            let started = try await SignalingServer.start(configuration, logger: logger)
            server = started
            (host, port) = ("127.0.0.1", started.port)
        }

        let group = MultiThreadedEventLoopGroup(numberOfThreads: clientThreads)
        let run = LoadRun(host: host, port: port, clients: clients, group: group)
        let connectStart = ContinuousClock.now
        await run.connectAll(concurrency: connectConcurrency)
        let connectSeconds = (ContinuousClock.now - connectStart).seconds
        // Let the join broadcasts settle before measuring.
        try await Task.sleep(for: .milliseconds(500))
        let connected = await run.connectedCount()

        let loadStart = ContinuousClock.now
        await run.startSending(ratePerSecond: rate)
        try await Task.sleep(for: .seconds(duration))
        await run.stopSending()
        // Messages in flight still count; wait for them briefly.
        try await Task.sleep(for: .milliseconds(500))
        let elapsed = (ContinuousClock.now - loadStart).seconds - 0.5
        let result = await run.collect()
        await run.closeAll()
        try await group.shutdownGracefully()
        await server?.stop()

        let latencies = result.latencies.sorted()
        func percentile(_ p: Double) -> Double {
            guard !latencies.isEmpty else { return .nan }
            let index = min(latencies.count - 1, Int((Double(latencies.count) * p).rounded(.up)) - 1)
            return Double(latencies[max(0, index)]) / 1e6
        }
        let target = label ?? (url == nil ? "in-process" : url!)
        print("signaling-load: \(target), \(clients) clients, target \(rate) msg/s for \(duration) s, fd limit \(fileLimit)")
        print("| server | clients | connected | connect s | sent msg/s | relayed msg/s | p50 ms | p99 ms | max ms | errors |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        print(
            "| \(target) | \(clients) | \(connected) | \(format(connectSeconds)) | \(format(Double(result.sent) / elapsed)) | "
                + "\(format(Double(result.received) / elapsed)) | \(format(percentile(0.5))) | \(format(percentile(0.99))) | "
                + "\(format(percentile(1.0))) | \(result.errors) |")
        if result.errors > 0 {
            print("errors: \(result.errorEnvelopes) error envelopes, \(result.connectFailures) failed connects, "
                + "\(result.unexpectedCloses) unexpected closes, \(result.lost) messages not delivered")
        }
    }

    private func format(_ value: Double) -> String {
        value.isNaN ? "-" : String(format: value >= 100 ? "%.0f" : "%.2f", value)
    }

    /// 10,000 clients need 20,000 descriptors in one process (both ends); ask for the hard limit.
    private func raiseFileLimit() -> UInt64 {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        // Root may raise the hard limit too; otherwise settle for the hard limit.
        var wanted = rlimit(rlim_cur: 1 << 17, rlim_max: max(limit.rlim_max, 1 << 17))
        if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &wanted) != 0 {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        return UInt64(limit.rlim_cur)
    }
}

extension Duration {
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}

/// What one event loop's clients measured.
struct LoopResult: Sendable {
    var latencies: [UInt64] = []
    var sent = 0
    var received = 0
    var errorEnvelopes = 0
    var unexpectedCloses = 0
    var connectFailures = 0
    var connected = 0

    var errors: Int { errorEnvelopes + unexpectedCloses + connectFailures + lost }
    var lost = 0

    mutating func add(_ other: LoopResult) {
        latencies += other.latencies
        sent += other.sent
        received += other.received
        errorEnvelopes += other.errorEnvelopes
        unexpectedCloses += other.unexpectedCloses
        connectFailures += other.connectFailures
        connected += other.connected
    }
}

/// The clients of one event loop and what they measured; touched only on that loop.
final class LoopState {
    var clients: [BenchClient] = []
    var result = LoopResult()
    var sending: RepeatedTask?
    var nextClient = 0
    var budget = 0.0
    var lastTick = NIODeadline.now()
    var stopping = false
}

/// Timestamps are nanoseconds since the run began, so they stay small exact integers in JSON.
let runEpoch = NIODeadline.now()
func nowNanos() -> UInt64 {
    // Read the (lazily initialised) epoch before the clock, so the difference is never negative.
    let epoch = runEpoch
    return UInt64(max(0, (NIODeadline.now() - epoch).nanoseconds))
}

/// The messages a client sends, prebuilt per client except the timestamp.
let sdpBody = String(repeating: "a=candidate:1 1 udp 2122260223 192.0.2.1 50000 typ host\\r\\n", count: 12)

final class LoadRun: Sendable {
    let host: String
    let port: Int
    let clients: Int
    let group: MultiThreadedEventLoopGroup
    let loops: [any EventLoop]
    let states: [NIOLoopBound<LoopState>]

    init(host: String, port: Int, clients: Int, group: MultiThreadedEventLoopGroup) {
        self.host = host
        self.port = port
        self.clients = clients
        self.group = group
        loops = group.makeIterator().map { $0 }
        states = loops.map { loop in
            loop.makeSucceededFuture(()).map { NIOLoopBound(LoopState(), eventLoop: loop) }
        }.map { try! $0.wait() }
    }

    func connectAll(concurrency: Int) async {
        await withTaskGroup(of: Void.self) { tasks in
            var next = 0
            func startOne() {
                let index = next
                next += 1
                tasks.addTask { await self.connect(index: index) }
            }
            for _ in 0..<min(concurrency, clients) { startOne() }
            while await tasks.next() != nil {
                if next < clients { startOne() }
            }
        }
    }

    private func connect(index: Int) async {
        let loopIndex = index % loops.count
        let loop = loops[loopIndex]
        let state = states[loopIndex]
        let ready = loop.makePromise(of: Void.self)
        let host = self.host
        let port = self.port
        let path = "/socket.io/?EIO=4&transport=websocket&userId=u\(index)&roomId=r\(index / 2)"
        let bootstrap = ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let upgrader = NIOWebSocketClientUpgrader(maxFrameSize: 1 << 20, automaticErrorHandling: true) {
                        channel, _ in
                        channel.eventLoop.makeCompletedFuture {
                            // The request handler would sit in front of the WebSocket frames otherwise.
                            let request = try channel.pipeline.syncOperations.context(handlerType: UpgradeRequestHandler.self)
                            channel.pipeline.syncOperations.removeHandler(context: request, promise: nil)
                            let client = BenchClient(index: index, state: state, ready: ready)
                            state.value.clients.append(client)
                            try channel.pipeline.syncOperations.addHandler(client)
                        }
                    }
                    // The server writes its Engine.IO open packet right behind the 101: keep those bytes.
                    try channel.pipeline.syncOperations.addHTTPClientHandlers(
                        leftOverBytesStrategy: .forwardBytes,
                        withClientUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
                    try channel.pipeline.syncOperations.addHandler(
                        UpgradeRequestHandler(host: host, port: port, path: path))
                }
            }
        do {
            _ = try await bootstrap.connect(host: host, port: port).get()
            let timeout = loop.scheduleTask(in: .seconds(30)) { ready.fail(ConnectTimeout()) }
            try await ready.futureResult.get()
            timeout.cancel()
        } catch {
            ready.fail(error)
            _ = try? await loop.submit { state.value.result.connectFailures += 1 }.get()
        }
    }

    struct ConnectTimeout: Error {}

    func connectedCount() async -> Int {
        var total = 0
        for (loop, state) in zip(loops, states) {
            total += (try? await loop.submit { state.value.clients.filter(\.joined).count }.get()) ?? 0
        }
        return total
    }

    /// Every 5 ms each loop sends its share of the rate, in bursts of three from one client to its peer.
    func startSending(ratePerSecond: Int) async {
        let perLoopPerNanosecond = Double(ratePerSecond) / Double(loops.count) / 1e9
        for (loop, state) in zip(loops, states) {
            _ = try? await loop.submit {
                state.value.lastTick = NIODeadline.now()
                state.value.sending = loop.scheduleRepeatedTask(initialDelay: .zero, delay: .milliseconds(5)) { _ in
                    let s = state.value
                    // Budget from the real time since the last tick: timers drift late under load.
                    let now = NIODeadline.now()
                    s.budget += Double((now - s.lastTick).nanoseconds) * perLoopPerNanosecond
                    s.lastTick = now
                    let live = s.clients.filter(\.joined)
                    guard !live.isEmpty else { return }
                    while s.budget >= 3 {
                        s.budget -= 3
                        let client = live[s.nextClient % live.count]
                        s.nextClient += 1
                        s.result.sent += client.sendBurst()
                    }
                }
            }.get()
        }
    }

    func stopSending() async {
        for (loop, state) in zip(loops, states) {
            _ = try? await loop.submit {
                state.value.sending?.cancel()
                state.value.stopping = true
            }.get()
        }
    }

    func collect() async -> LoopResult {
        var total = LoopResult()
        for (loop, state) in zip(loops, states) {
            if let part = try? await loop.submit({ () -> LoopResult in
                var result = state.value.result
                result.connected = state.value.clients.filter(\.joined).count
                return result
            }).get() {
                total.add(part)
            }
        }
        total.lost = max(0, total.sent - total.received - total.errorEnvelopes)
        return total
    }

    func closeAll() async {
        for (loop, state) in zip(loops, states) {
            _ = try? await loop.submit {
                for client in state.value.clients { client.close() }
            }.get()
        }
        try? await Task.sleep(for: .milliseconds(300))
    }
}

/// Sends the HTTP upgrade request once the TCP connection is up.
final class UpgradeRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    let host: String
    let port: Int
    let path: String

    init(host: String, port: Int, path: String) {
        self.host = host
        self.port = port
        self.path = path
    }

    func channelActive(context: ChannelHandlerContext) {
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
        head.headers.add(name: "Host", value: "\(host):\(port)")
        head.headers.add(name: "Content-Length", value: "0")
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // A response that is not an upgrade: the server refused us.
        context.close(promise: nil)
    }
}

/// One Socket.IO client speaking just enough of the protocol for the load.
final class BenchClient: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    let index: Int
    let state: NIOLoopBound<LoopState>
    let ready: EventLoopPromise<Void>
    private(set) var joined = false
    private var context: ChannelHandlerContext?
    private var sentCount = 0
    private let peer: Int

    init(index: Int, state: NIOLoopBound<LoopState>, ready: EventLoopPromise<Void>) {
        self.index = index
        self.state = state
        self.ready = ready
        peer = index ^ 1
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !state.value.stopping { state.value.result.unexpectedCloses += 1 }
        joined = false
        ready.fail(ChannelError.ioOnClosedChannel)
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            let text = frame.unmaskedData.getString(at: frame.unmaskedData.readerIndex, length: frame.unmaskedData.readableBytes) ?? ""
            receive(text)
        case .connectionClose:
            context.close(promise: nil)
        case .ping:
            send(WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData))
        default:
            break
        }
    }

    private func receive(_ text: String) {
        let utf8 = text.utf8
        guard let first = utf8.first else { return }
        switch first {
        case UInt8(ascii: "0"):
            sendText("40")
        case UInt8(ascii: "2"):
            sendText("3")
        case UInt8(ascii: "4"):
            if text.hasPrefix("40") {
                return
            }
            if text.hasPrefix("42[\"msg\"") {
                if let ts = Self.timestamp(in: text) {
                    let now = nowNanos()
                    state.value.result.latencies.append(now >= ts ? now - ts : 0)
                    state.value.result.received += 1
                } else if text.contains("\"type\":\"join\"") {
                    if !joined && text.contains("\"userId\":\"u\(index)\"") {
                        joined = true
                        ready.succeed(())
                    }
                } else if text.contains("\"type\":\"error\"") {
                    state.value.result.errorEnvelopes += 1
                }
            }
        default:
            break
        }
    }

    /// Finds `"ts":<digits>` without parsing the whole document.
    static func timestamp(in text: String) -> UInt64? {
        guard let range = text.range(of: "\"ts\":") else { return nil }
        var value: UInt64 = 0
        var digits = 0
        for byte in text.utf8[range.upperBound...] {
            guard byte >= 48 && byte <= 57 else { break }
            value = value * 10 + UInt64(byte - 48)
            digits += 1
        }
        return digits > 0 ? value : nil
    }

    /// offer (even users) or answer (odd users), then two candidates, all to the peer. Returns messages sent.
    func sendBurst() -> Int {
        guard joined, context != nil else { return 0 }
        let me = "u\(index)"
        let target = "u\(peer)"
        let kind = index % 2 == 0 ? "offer" : "answer"
        sendText(
            "42[\"\(kind)\",{\"userId\":\"\(me)\",\"targetUid\":\"\(target)\",\"ts\":\(nowNanos()),"
                + "\"\(kind)\":{\"type\":\"\(kind)\",\"sdp\":\"v=0\\r\\n\(sdpBody)\"}}]")
        for n in 0..<2 {
            sendText(
                "42[\"candidate\",{\"userId\":\"\(me)\",\"targetUid\":\"\(target)\",\"ts\":\(nowNanos()),"
                    + "\"candidate\":{\"candidate\":\"candidate:\(n) 1 udp 2122260223 192.0.2.1 \(50000 + n) typ host\","
                    + "\"sdpMid\":\"0\",\"sdpMLineIndex\":0}}]")
        }
        context?.flush()
        return 3
    }

    private func sendText(_ text: String) {
        guard let context else { return }
        let buffer = context.channel.allocator.buffer(string: text)
        context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: buffer)), promise: nil)
        if text.count < 4 { context.flush() }
    }

    private func send(_ frame: WebSocketFrame) {
        context?.writeAndFlush(wrapOutboundOut(frame), promise: nil)
    }

    func close() {
        context?.close(promise: nil)
    }
}
