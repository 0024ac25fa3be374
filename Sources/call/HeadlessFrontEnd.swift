import CallSession
import Foundation
import Signaling

/// `--no-ui`: one JSON object per line on stdout for every update, one command
/// per line on stdin. End of input counts as `quit`, so a script that closes
/// its pipe hangs up cleanly.
struct HeadlessFrontEnd {
    let controller: CallController

    static func printLine(_ json: JSONValue) {
        FileHandle.standardOutput.write(Data((json.jsonText + "\n").utf8))
    }

    func run() async {
        let render = ProcessInfo.processInfo.environment[HeadlessVideoRender.environmentKey].flatMap {
            HeadlessVideoRender.start(frames: controller.remoteVideo, path: $0)
        }
        defer { render?.stop() }
        let commands = Self.stdinLines()
        let reader = Task { [controller] in
            for await line in commands {
                if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
                guard let command = UserCommand(commandLine: line) else {
                    Self.printLine(["event": "error", "message": .string(
                        "unknown command '\(line)'; commands: call ID, accept, reject, hangup, chat TEXT, stats, video on|off, source next, mute on|off, bitrate KBPS|off, snapshot, quit")])
                    continue
                }
                await controller.perform(command)
                if command == .quit { return }
            }
            await controller.perform(.quit)
        }
        // Print every update until the controller finishes (after quit, or when signaling stops for good).
        for await update in controller.updates {
            if let json = update.headlessJSON { Self.printLine(json) }
        }
        reader.cancel()
    }

    /// Reads stdin on its own thread: a blocking read must not hold a concurrency thread.
    static func stdinLines() -> AsyncStream<String> {
        let (stream, sink) = AsyncStream.makeStream(of: String.self)
        let thread = Thread {
            while let line = readLine(strippingNewline: true) { sink.yield(line) }
            sink.finish()
        }
        thread.start()
        return stream
    }
}
