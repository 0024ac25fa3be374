import ArgumentParser
import Foundation
import Logging
import Signaling

/// `call serve`: the signaling server and the web page.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the signaling server.")

    @Option(name: .long, help: "Address to listen on.") var host: String = "127.0.0.1"
    @Option(name: .long, help: "TCP port to listen on (0 picks a free one).") var port: Int = 18080
    @Option(name: .long, help: "Users allowed in one room.") var maxUsersPerRoom: Int = 16
    @Option(name: .long, help: "Rooms allowed at once.") var maxRooms: Int = 10_000
    @Option(name: .long, help: "Largest Socket.IO frame accepted, in bytes.") var maxFrameBytes: Int = 64 * 1024
    @Option(name: .long, help: "Folder with the web pages (default: assets/web found from here or from the program).")
    var assets: String?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be in 0...65535") }
        guard maxUsersPerRoom >= 1 else { throw ValidationError("--max-users-per-room must be at least 1") }
        guard maxRooms >= 1 else { throw ValidationError("--max-rooms must be at least 1") }
        guard maxFrameBytes >= 1024 else { throw ValidationError("--max-frame-bytes must be at least 1024") }
        if let assets {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: assets, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("--assets \(assets) is not a folder")
            }
        }
    }

    func run() async throws {
        // stdout carries exactly one line (the address); logs go to stderr.
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .notice
            return handler
        }
        let logger = Logger(label: "call.serve")

        var configuration = SignalingServerConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.maxUsersPerRoom = maxUsersPerRoom
        configuration.maxRooms = maxRooms
        configuration.maxFrameBytes = maxFrameBytes
        configuration.maxQueuedBytesPerClient = max(configuration.maxQueuedBytesPerClient, maxFrameBytes * 4)
        configuration.assetsDirectory = assets ?? Self.defaultAssetsDirectory()

        Self.raiseFileLimit()
        let server: SignalingServer
        do {
            server = try await SignalingServer.start(configuration, logger: logger)
        } catch let error as SignalingServerError {
            FileHandle.standardError.write(Data("call: \(error)\n".utf8))
            throw ExitCode(1)
        }
        // Written straight to the file descriptor: a pipe reader sees the line at once.
        FileHandle.standardOutput.write(Data("hosting signaling on \(host):\(server.port)\n".utf8))

        await Self.waitForTerminationSignal()
        await server.stop()
    }

    /// Every client is a socket: let the process use as many descriptors as its hard limit allows.
    private static func raiseFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    /// `argv[0]` may be relative or a bare name found on PATH.
    /// `assets/web` found from the current directory or from where this program lives.
    static func defaultAssetsDirectory() -> String? {
        SignalingServerConfiguration.locateAssetsDirectory(
            currentDirectory: FileManager.default.currentDirectoryPath,
            executablePath: CommandLine.arguments.first.map(absolutePath) ?? "")
    }

    private static func absolutePath(_ argument: String) -> String {
        if argument.hasPrefix("/") { return argument }
        if argument.contains("/") { return FileManager.default.currentDirectoryPath + "/" + argument }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for folder in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(folder)/\(argument)") {
            return "\(folder)/\(argument)"
        }
        return argument
    }

    /// Suspends until SIGINT or SIGTERM arrives.
    private static func waitForTerminationSignal() async {
        let (signals, continuation) = AsyncStream.makeStream(of: Int32.self)
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { continuation.yield(signalNumber) }
            source.resume()
            sources.append(source)
        }
        for await _ in signals { break }
        sources.forEach { $0.cancel() }
    }
}
