import ArgumentParser
import CallSession
import Foundation
import CallMedia
import Camera
import DTLS
import Logging
import Media
import PeerConnection
import Signaling

/// `call --user U --room R`: joins a room, shows who is there, calls or answers.
struct JoinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "join",
        abstract: "Join a room and call or answer someone (the default command).",
        discussion: """
            With no --server and nothing listening on the default 127.0.0.1:18080, call hosts the \
            signaling server itself. Headless mode (--no-ui) prints one JSON object per line and reads \
            commands from stdin: call ID, accept, reject, hangup, chat TEXT, stats, video on|off, source next, mute on|off, bitrate KBPS|off, snapshot, quit.
            """
    )

    @Option(name: .long, help: "Your user id in the room.") var user: String
    @Option(name: .long, help: "The room to join.") var room: String
    @Option(name: .long, help: "Signaling server: http://, https://, ws:// or wss:// HOST[:PORT] (default \(SignalingEndpoint.defaultServer)).")
    var server: String?
    @Option(name: .long, help: "The name others see (default: your user id).") var nickname: String?
    @Flag(name: .customLong("no-ui"), help: "No screen: JSON lines on stdout, commands on stdin.") var noUI = false
    @Flag(name: .customLong("auto-answer"), help: "Accept incoming calls at once.") var autoAnswer = false
    @Option(name: .customLong("ring-timeout"), help: "Seconds a call rings before it counts as unanswered.") var ringTimeout: Int = 30
    @Option(name: .customLong("log-file"), help: "Where logs go (default: ~/.local/state/call/call-USER.log).") var logFile: String?
    @Option(name: .customLong("ice-server"), help: ArgumentHelp(
        "A STUN or TURN server: stun:HOST:PORT or turn:USER:PASS@HOST:PORT (repeatable; also CALL_ICE_SERVERS).",
        valueName: "URL"))
    var iceServers: [String] = []
    @Option(name: .customLong("video-file"), help: ArgumentHelp(
        "A Y4M file to send as video, in a loop (c switches to the test pattern and back).", valueName: "F.y4m"))
    var videoFile: String?
    @Option(name: .customLong("video-device"), help: ArgumentHelp(
        "The camera (default: the first one `call devices` lists; none: the test pattern).", valueName: "/dev/videoN"))
    var videoDevice: String?
    // Given, these also set the test pattern's size and the rate we send at; not given, a camera is
    // asked for 640x480 at 30 fps and the test pattern is 640x360, with frames sent at 15 fps.
    @Option(name: .customLong("video-size"), help: ArgumentHelp(
        "Camera size (the nearest it offers) and test pattern size (default: 640x480 camera, 640x360 pattern).",
        valueName: "WxH"))
    var videoSize: String?
    @Option(name: .customLong("fps"), help: "Camera frame rate (the nearest it offers) and the rate we send at (default: 30 camera, 15 sent).")
    var fps: Int?
    @Option(name: .customLong("audio-device"), help: "The ALSA capture device for the microphone (see `call devices`).")
    var audioDevice = "default"
    @Option(name: .customLong("audio-out"), help: "The ALSA playback device for the peer's sound.")
    var audioOut = "default"
    @Flag(name: .customLong("stereo"), help: "Ask the peer for stereo sound and play it in stereo (mono by default); we send stereo when the peer asks.")
    var stereo = false
    @Flag(name: .customLong("audio-only"), help: "A voice call: no video offered or accepted, no camera opened.")
    var audioOnly = false
    @Flag(name: .customLong("relay-only"), help: "Use only TURN-relayed paths (also CALL_RELAY_ONLY=1); needs a turn: server.")
    var relayOnly = false

    func validate() throws {
        for (flag, value) in [("--user", user), ("--room", room)] {
            guard !value.isEmpty, value.count <= 64, !value.contains(where: \.isWhitespace) else {
                throw ValidationError("\(flag) must be 1 to 64 characters without spaces")
            }
        }
        if let nickname, nickname.isEmpty || nickname.count > 64 {
            throw ValidationError("--nickname must be 1 to 64 characters")
        }
        guard (1...3600).contains(ringTimeout) else { throw ValidationError("--ring-timeout must be 1 to 3600 seconds") }
        do {
            _ = try endpoint()
        } catch {
            throw ValidationError(error.description)
        }
        let peer: PeerConnectionConfiguration
        do { peer = try peerConfiguration() } catch { throw ValidationError(error.description) }
        if peer.relayOnly && !peer.iceServers.contains(where: { $0.kind == .turn }) {
            throw ValidationError("--relay-only needs a TURN server: add --ice-server turn:USER:PASS@HOST:PORT")
        }
        if audioOnly, let flag = [("--video-file", videoFile), ("--video-device", videoDevice), ("--video-size", videoSize),
                                  ("--fps", fps.map(String.init))].first(where: { $0.1 != nil })?.0 {
            throw ValidationError("--audio-only sends no video: drop \(flag)")
        }
        if let videoDevice, !FileManager.default.fileExists(atPath: videoDevice) {
            throw ValidationError("--video-device \(videoDevice) does not exist; `call devices` lists the cameras")
        }
        guard cameraSize != nil else { throw ValidationError("--video-size must be WxH, e.g. 640x480") }
        if let fps, !(1...60).contains(fps) { throw ValidationError("--fps must be 1 to 60") }
        if let videoFile {
            do { _ = try Y4MReader(contentsOf: videoFile) } catch {
                throw ValidationError("--video-file \(videoFile) is not a readable Y4M file (\(error)); make one with ffmpeg -i IN -pix_fmt yuv420p OUT.y4m")
            }
        }
    }

    var cameraSize: (width: Int, height: Int)? {
        let parts = (videoSize ?? "640x480").lowercased().split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, (16...4096).contains(parts[0]), (16...4096).contains(parts[1]) else { return nil }
        return (parts[0], parts[1])
    }

    /// The video sources `c` cycles through: the camera, the file, the test pattern.
    func videoSources() -> (sources: [VideoSourceKind], notice: String?) {
        var sources: [VideoSourceKind] = []
        var notice: String?
        let size = cameraSize ?? (640, 480)
        if let path = videoDevice ?? VideoDeviceList.cameras().first?.path {
            sources.append(.camera(path: path, width: size.width, height: size.height, fps: fps ?? 30))
        } else if videoFile == nil {
            notice = "no camera found; calls send the test pattern"
        }
        if let videoFile { sources.append(.file(videoFile)) }
        return (sources + [.testPattern], notice)
    }

    func videoOptions(sources: [VideoSourceKind]) -> VideoCall.Options {
        var options = VideoCall.Options(sources: sources)
        if videoSize != nil, let size = cameraSize { (options.width, options.height) = size }
        if let fps { options.fps = fps }
        options.losesFirstKeyframe = ProcessInfo.processInfo.environment["CALL_SIMULATE_LOSE_FIRST_KEYFRAME"] == "1"
        return options
    }

    func peerConfiguration() throws(ICEServer.ParseError) -> PeerConnectionConfiguration {
        let environment = ProcessInfo.processInfo.environment
        let servers = try ICEServer.parseList(iceServers, environment: environment)
        let relayFromEnvironment = ["1", "true", "yes"].contains(environment["CALL_RELAY_ONLY"]?.lowercased() ?? "")
        var configuration = PeerConnectionConfiguration(iceServers: servers, relayOnly: relayOnly || relayFromEnvironment,
                                                        includeLoopback: environment["CALL_ICE_LOOPBACK"] == "1")
        if let loss = environment["CALL_SIMULATE_LOSS"].flatMap(Double.init), (0..<1).contains(loss) {
            configuration.simulatedMediaLoss = loss
        }
        if let loss = environment["CALL_SIMULATE_SEND_LOSS"].flatMap(Double.init), (0..<1).contains(loss) {
            configuration.simulatedSendLoss = loss
        }
        if let jitter = environment["CALL_SIMULATE_JITTER_MS"].flatMap(Int.init), (0...1000).contains(jitter) {
            configuration.simulatedMediaJitter = .milliseconds(jitter)
        }
        configuration.stereo = stereo
        configuration.video = !audioOnly
        return configuration
    }

    func endpoint() throws(SignalingEndpoint.ParseError) -> SignalingEndpoint {
        try SignalingEndpoint(server: server ?? SignalingEndpoint.defaultServer, userId: user, roomId: room, nickname: nickname ?? user)
    }

    func run() async throws {
        OpenSSLLifetime.keepUntilExit()
        let logger = try makeLogger()
        let endpoint = try endpoint()
        var hosted: SignalingServer?
        var client = SignalingClient(endpoint: endpoint, logger: logger)
        do {
            try await client.start()
        } catch {
            guard server == nil, endpoint.isDefaultLoopback else {
                Self.fail("\(error); start one with `call serve` or check --server")
            }
            // Nothing answers on the default port: be the server ourselves.
            var configuration = SignalingServerConfiguration()
            configuration.host = endpoint.host
            configuration.port = endpoint.port
            configuration.assetsDirectory = ServeCommand.defaultAssetsDirectory()
            do {
                hosted = try await SignalingServer.start(configuration, logger: logger)
            } catch {
                Self.fail("nothing answers on \(endpoint.hostPort) and hosting there failed: \(error)")
            }
            announce("hosting signaling on :\(endpoint.port)")
            client = SignalingClient(endpoint: endpoint, logger: logger)
            do { try await client.start() } catch { Self.fail("\(error)") }
        }

        let video = videoSources()
        let controller = CallController(
            client: client, autoAnswer: autoAnswer, ringTimeout: .seconds(ringTimeout),
            peerConfiguration: try peerConfiguration(),
            mediaOptions: CallMediaSession.Options(
                video: videoOptions(sources: video.sources),
                audioInput: audioDevice, audioOutput: audioOut),
            snapshotDirectory: FileManager.default.currentDirectoryPath, logger: logger)
        if !audioOnly, let notice = video.notice { await controller.tell(notice) }
        async let session: Void = controller.run()
        let signals = Self.hangUpOnSignals(controller)
        defer { signals.forEach { $0.cancel() } }
        if noUI {
            await HeadlessFrontEnd(controller: controller).run()
        } else {
            await RoomScreenFrontEnd(controller: controller, endpoint: endpoint, hostingPort: hosted.map { _ in endpoint.port },
                                     audioOnly: audioOnly).run()
        }
        await session
        await hosted?.stop()
        if let reason = await controller.signalingEndReason {
            Self.fail("the signaling server ended our session: \(reason)")
        }
    }

    /// Ctrl-C and SIGTERM hang up and leave the room like `q`, instead of killing the
    /// process mid-call (ncurses leaves ignored signals alone, so the screen is restored by us).
    static func hangUpOnSignals(_ controller: CallController) -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { Task { await controller.perform(.quit) } }
            source.resume()
            return source
        }
    }

    private func announce(_ text: String) {
        if noUI {
            HeadlessFrontEnd.printLine(["event": "notice", "message": .string(text)])
        } else {
            FileHandle.standardError.write(Data("call: \(text)\n".utf8))
        }
    }

    private func makeLogger() throws -> Logger {
        let path = logFile ?? Self.defaultLogPath(user: user)
        let sink: FileLogHandler.Sink
        do { sink = try FileLogHandler.Sink(path: path) } catch {
            throw ValidationError("cannot write the log file \(path): \(error.localizedDescription); pass --log-file")
        }
        return Logger(label: "call") { label in FileLogHandler(label: label, sink: sink) }
    }

    static func defaultLogPath(user: String) -> String {
        let env = ProcessInfo.processInfo.environment
        let base = env["XDG_STATE_HOME"] ?? ((env["HOME"] ?? NSTemporaryDirectory()) + "/.local/state")
        return base + "/call/call-\(user).log"
    }

    /// One clear line on stderr and a non-zero exit.
    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("call: \(message)\n".utf8))
        Foundation.exit(1)
    }
}
