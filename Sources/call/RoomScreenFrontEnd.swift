import CallSession
import Dispatch
import Foundation
import Glibc
import Media
import Signaling
import Synchronization
import TerminalRender
import TerminalUI

/// The ncurses room screen wired to the call controller. ncurses is owned by
/// one thread (DESIGN.md): that thread paints the model and reads keys; the
/// controller's updates reach it through a locked inbox, and its commands go
/// back to the controller through one ordered queue.
struct RoomScreenFrontEnd {
    let controller: CallController
    let endpoint: SignalingEndpoint
    let hostingPort: Int?
    /// `--audio-only`: no preview, and both panes say so.
    var audioOnly = false

    func run() async {
        let inbox = Inbox()
        let (commands, commandSink) = AsyncStream.makeStream(of: UserCommand.self)
        let forwarder = Task { [controller] in
            for await command in commands { await controller.perform(command) }
        }
        let reader = Task { [controller] in
            for await update in controller.updates { inbox.post(update) }
            inbox.post(.finished)
        }
        let screenThread = ScreenThread(
            model: initialModel(), endpoint: endpoint, hostingPort: hostingPort, inbox: inbox, commands: commandSink,
            remoteVideo: controller.remoteVideo, localVideo: controller.localVideo, audioOnly: audioOnly)
        let failure = await screenThread.run()
        commandSink.finish()
        await forwarder.value
        reader.cancel()
        if let failure {
            FileHandle.standardError.write(Data("call: \(failure); try --no-ui\n".utf8))
            await controller.perform(.quit)
        }
    }

    func initialModel() -> RoomScreenModel {
        RoomScreenModel(
            selfUser: UserRow(id: endpoint.userId, nickname: endpoint.nickname),
            room: endpoint.roomId,
            server: endpoint.hostPort,
            connection: hostingPort.map { .hosting(port: $0) } ?? .connected,
            remoteVideoLabel: audioOnly ? ScreenThread.audioOnlyLabel : ScreenThread.noRemoteVideo,
            // The preview pane shows the local source drawn by the renderer; no label over it.
            previewLabel: audioOnly ? ScreenThread.audioOnlyLabel : "")
    }

    /// Updates waiting for the screen thread, which each one wakes.
    final class Inbox: Sendable {
        private let pending = Mutex<[CallUpdate]>([])
        let wake = ScreenWake()
        func post(_ update: CallUpdate) {
            pending.withLock { $0.append(update) }
            wake.signal()
        }
        func take() -> [CallUpdate] { pending.withLock { updates in defer { updates = [] }; return updates } }
    }
}

/// The one thread that touches ncurses.
final class ScreenThread: @unchecked Sendable {
    // Everything below is touched only on the screen thread once it started.
    private var model: RoomScreenModel
    private let endpoint: SignalingEndpoint
    private let hostingPort: Int?
    private let inbox: RoomScreenFrontEnd.Inbox
    private let commands: AsyncStream<UserCommand>.Continuation
    private var callStarted: ContinuousClock.Instant?
    /// The local source (no camera support yet: the test pattern) and its renderer.
    private let previewSource = TestPatternSource(width: 320, height: 180)
    private var previewWriter: TerminalVideoWriter
    private var videoOptions: RenderOptions
    private var previewFrame: UInt32 = 0
    private var previewShown = false
    /// What the preview pane shows: the local frame's number (in a call), when the
    /// standalone pattern was last drawn, and the overlay on it.
    private var previewDrawn: UInt64?
    private var previewDrawnAt = ContinuousClock.now - .seconds(1)
    private var previewOverlaysDrawn: [VideoOverlay] = []
    private var previewWriterHasScreen: Bool { previewWriter.shownCells != nil && previewWriter.options == videoOptions }
    private var videoBytes: [UInt8] = []
    /// The peer's decoded video, drawn when a new frame is there.
    private let remoteVideo: LatestFrame
    private var remoteWriter: TerminalVideoWriter
    private var remoteFrameDrawn: UInt64?
    private var remoteFrameRate = FrameRateMeter()
    /// The media path to the peer stopped answering; the remote pane says so.
    private var peerInterrupted = false
    private var microphoneMuted = false
    /// The `s` overlay: shown or not, its lines, and when stats were last asked for.
    private var statsShown = false
    private var statsSheet = StatsSheet()
    private var statsLines: [String] = []
    private var statsRequested: ContinuousClock.Instant?
    /// What we send while in a call (the preview shows it), and whether we send at all.
    private let localVideo: LatestFrame
    private var sendingVideo: Bool
    private let audioOnly: Bool
    static let noRemoteVideo = "no video from the peer"
    static let audioOnlyLabel = "audio only"
    private var noRemoteVideo: String { audioOnly ? Self.audioOnlyLabel : Self.noRemoteVideo }
    static let clockOrigin = ContinuousClock.now

    init(model: RoomScreenModel, endpoint: SignalingEndpoint, hostingPort: Int?, inbox: RoomScreenFrontEnd.Inbox,
         commands: AsyncStream<UserCommand>.Continuation, remoteVideo: LatestFrame, localVideo: LatestFrame, audioOnly: Bool) {
        self.audioOnly = audioOnly
        sendingVideo = !audioOnly
        self.remoteVideo = remoteVideo
        self.localVideo = localVideo
        self.model = model
        self.endpoint = endpoint
        self.hostingPort = hostingPort
        self.inbox = inbox
        self.commands = commands
        videoOptions = RenderOptions(colors: ColorMode.detect(environment: ProcessInfo.processInfo.environment,
                                                             terminfoDirectColor: Terminfo.declaresDirectColor()))
        videoOptions.saveAndRestoreCursor = true
        previewWriter = TerminalVideoWriter(options: videoOptions)
        remoteWriter = TerminalVideoWriter(options: videoOptions)
    }

    /// Runs the screen until the session finishes; returns why the screen could not start, if it could not.
    func run() async -> String? {
        await withCheckedContinuation { (done: CheckedContinuation<String?, Never>) in
            // Named from inside: on Linux a name set before start() never reaches the kernel.
            let thread = Thread {
                Thread.current.name = "call-screen"
                done.resume(returning: self.loop())
            }
            thread.start()
        }
    }

    private func loop() -> String? {
        let curses: Curses
        do { curses = try Curses() } catch { return "cannot start the screen: \(error)" }
        let screen = RoomScreen(curses: curses)
        let wake = inbox.wake
        remoteVideo.setArrivalHandler { wake.signal() }
        localVideo.setArrivalHandler { wake.signal() }
        defer {
            remoteVideo.setArrivalHandler(nil)
            localVideo.setArrivalHandler(nil)
            screen.close()
        }
        var finished = false
        var keysLeft = false
        while !finished {
            for update in inbox.take() {
                if apply(update, screen: screen) { finished = true }
            }
            if let started = callStarted, case .inCall(let peer, _) = model.callLine {
                let elapsed = Int((ContinuousClock.now - started).components.seconds)
                model.callLine = .inCall(peer, elapsedSeconds: elapsed)
            }
            if statsShown, statsRequested.map({ ContinuousClock.now - $0 >= .seconds(1) }) ?? true {
                statsRequested = .now
                commands.yield(.stats)
            }
            screen.render(model)
            if finished { break }
            drawPreview(on: screen)
            drawRemote(on: screen)
            // Asleep until a key, a frame or an update comes (Curses runs on stdin). The
            // preview's pattern, drawn here before a call, moves at 30 fps; 50 ms otherwise
            // bounds how late the call clock and a resize (which signals no one) are shown.
            // A command may leave keys in ncurses' own buffer, which stdin does not show.
            if !keysLeft {
                let patternMoves = previewShown && localVideo.newest == nil
                wake.wait(orInputOn: STDIN_FILENO, timeoutMilliseconds: patternMoves ? 33 : 50)
            }
            let command = screen.readCommand(timeoutMilliseconds: 0)
            keysLeft = command != nil
            if let command { handle(command, screen: screen) }
        }
        return nil
    }

    /// Writes the peer's newest frame into the remote pane when it is new (or the pane
    /// was painted over); with no video the pane keeps ncurses' label.
    private func drawRemote(on screen: RoomScreen) {
        let newest = remoteVideo.newest
        // A peer with its video off sends black frames (as browsers do): say so instead.
        let label: String? = newest == nil ? noRemoteVideo : (newest.map { Self.isBlack($0.frame) } == true ? "video off" : nil)
        if let label {
            if model.remoteVideoLabel != label {
                model.remoteVideoLabel = label
                wipeVideo(on: screen)
            }
            return
        }
        guard let newest else { return }
        remoteFrameRate.record(newest.number)
        guard model.remoteVideoLabel.isEmpty else {
            // Let ncurses clear the label first (next tick), then draw over the whole pane.
            model.remoteVideoLabel = ""
            remoteFrameDrawn = nil
            return
        }
        guard screen.videoIsVisible, let pane = screen.layout.remoteVideo, pane.width > 0, pane.height > 0 else {
            remoteFrameDrawn = nil
            return
        }
        if remoteFrameDrawn == nil { remoteWriter.invalidate() }
        let overlays = remoteOverlays(paneWidth: pane.width)
        // A new frame, or the same frame with new status text over it.
        guard remoteFrameDrawn != newest.number || overlays != remoteOverlaysDrawn else { return }
        remoteFrameDrawn = newest.number
        remoteOverlaysDrawn = overlays
        remoteWriter.options = videoOptions
        videoBytes.removeAll(keepingCapacity: true)
        remoteWriter.render(.i420(newest.frame), in: CellRect(x: pane.x, y: pane.y, width: pane.width, height: pane.height),
                            overlays: overlays, appendingTo: &videoBytes)
        Self.writeOut(videoBytes)
    }

    private var remoteOverlaysDrawn: [VideoOverlay] = []

    /// Over the peer's picture: their name, and the frame rate or "reconnecting".
    private func remoteOverlays(paneWidth: Int) -> [VideoOverlay] {
        var parts: [String] = []
        if case .inCall(let peer, _) = model.callLine { parts.append(peer.nickname) }
        if peerInterrupted {
            parts.append("reconnecting…")
        } else if let fps = remoteFrameRate.framesPerSecond() {
            parts.append("\(fps) fps")
        }
        var overlays = parts.isEmpty ? [] : [Self.overlay(parts.joined(separator: " · "), paneWidth: paneWidth, placement: .topLeft)]
        for (k, line) in statsLines.enumerated() {
            overlays.append(Self.overlay(line, paneWidth: paneWidth, placement: .top(k + 1)))
        }
        return overlays
    }

    /// Status text padded by a space each side, clipped to the pane.
    static func overlay(_ text: String, paneWidth: Int, placement: VideoOverlay.Placement) -> VideoOverlay {
        let clipped = TextWidth.truncated(" \(text) ", to: max(0, paneWidth - 2))
        return VideoOverlay(text: clipped, width: TextWidth.of(clipped), placement: placement)
    }

    /// Repaints every cell from ncurses (wiping video written outside it), then the video whole.
    private func wipeVideo(on screen: RoomScreen) {
        screen.render(model)
        screen.repaintAll()
        previewWriter.invalidate()
        previewShown = false
        remoteFrameDrawn = nil
    }

    /// Video-range black across a sample of the picture: what a disabled track sends.
    static func isBlack(_ frame: I420Frame) -> Bool {
        guard !frame.y.isEmpty else { return false }
        let step = max(1, frame.y.count / 256)
        return stride(from: 0, to: frame.y.count, by: step).allSatisfy { frame.y[$0] <= 20 }
            && stride(from: 0, to: frame.u.count, by: max(1, frame.u.count / 64)).allSatisfy { (120...136).contains(frame.u[$0]) }
    }

    /// Writes the next local frame into the preview pane, straight to the terminal
    /// after ncurses has flushed (RoomScreen's contract), unless help covers it.
    private func drawPreview(on screen: RoomScreen) {
        guard sendingVideo, screen.videoIsVisible, let pane = screen.layout.localPreview, pane.width > 0, pane.height > 0 else {
            previewShown = false
            return
        }
        if !previewShown {
            // ncurses may have drawn over the pane meanwhile: repaint it whole.
            previewWriter.invalidate()
            previewShown = true
        }
        let overlays = microphoneMuted ? [Self.overlay("muted", paneWidth: pane.width, placement: .bottomLeft)] : []
        // In a call: what we send, when a new frame is there; otherwise the local source
        // on its own, at 30 fps at most (the screen loop turns faster than that).
        let frame: I420Frame
        if let sent = localVideo.newest {
            guard sent.number != previewDrawn || overlays != previewOverlaysDrawn || !previewWriterHasScreen else { return }
            previewDrawn = sent.number
            frame = sent.frame
        } else {
            guard ContinuousClock.now - previewDrawnAt >= .milliseconds(33) || overlays != previewOverlaysDrawn
                    || !previewWriterHasScreen else { return }
            previewDrawnAt = .now
            frame = previewSource.frame(number: previewFrame, captureMilliseconds: UInt64(Date().timeIntervalSince1970 * 1000))
            previewFrame &+= 1
        }
        previewOverlaysDrawn = overlays
        previewWriter.options = videoOptions
        videoBytes.removeAll(keepingCapacity: true)
        previewWriter.render(.i420(frame), in: CellRect(x: pane.x, y: pane.y, width: pane.width, height: pane.height),
                             overlays: overlays, appendingTo: &videoBytes)
        Self.writeOut(videoBytes)
    }

    /// Video escapes go straight to the terminal, after ncurses has flushed.
    static func writeOut(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(1, raw.baseAddress! + offset, raw.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
    }

    /// Returns true when the session is over.
    private func apply(_ update: CallUpdate, screen: RoomScreen) -> Bool {
        switch update {
        case .state(let state):
            // A notice belongs to the moment it was given; a new call state replaces it.
            // Joining the room changes nothing the user sees (idle either way): a notice
            // from a key pressed meanwhile stays.
            let line = callLine(for: state)
            if line != model.callLine { model.notice = nil }
            model.callLine = line
            if case .inCall = state {
                if callStarted == nil { callStarted = .now }
            } else {
                callStarted = nil
                peerInterrupted = false
                remoteFrameRate.reset()
            }
            if case .ended(let peer, let reason) = state {
                model.chat.append(.system(reason.sentence(peer: nickname(peer)), time: Self.clockTime()))
            }
        case .users(let users):
            model.users = users.map { UserRow(id: $0.userId, nickname: $0.nickname) }
            if let selected = model.selectedUserID, !users.contains(where: { $0.userId == selected }) {
                model.selectedUserID = nil
            }
            if model.selectedUserID == nil { model.selectedUserID = model.users.first?.id }
        case .signaling(let status):
            switch status {
            case .connected:
                model.connection = hostingPort.map { .hosting(port: $0) } ?? .connected
            case .reconnecting(let attempt, let delay, let reason):
                model.connection = attempt == 0
                    ? .disconnected(reason: reason)
                    : .reconnecting(attempt: attempt, retryInSeconds: Int(delay.components.seconds))
            case .stopped(let reason):
                model.connection = .disconnected(reason: reason)
            }
        case .incoming:
            break
        case .bell:
            screen.bell()
        case .chat(let from, let text):
            model.chat.append(ChatLine(from: nickname(from), text: text, isSelf: from == endpoint.userId, time: Self.clockTime()))
        case .stats(let stats):
            // Only the overlay asks; an answer after it closed is stale.
            guard statsShown else { break }
            let elapsed = ContinuousClock.now - Self.clockOrigin
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            statsLines = statsSheet.lines(for: stats, atSeconds: seconds)
            // Without a picture to lay the overlay on, the one-line summary says it.
            if !model.remoteVideoLabel.isEmpty { model.notice = stats.summary }
        case .connectionInterrupted(let interrupted):
            peerInterrupted = interrupted
        case .localAudio(let muted):
            microphoneMuted = muted
            let videoLabel = audioOnly ? Self.audioOnlyLabel : (sendingVideo ? "" : "video off")
            model.previewLabel = muted ? (videoLabel.isEmpty ? "" : "\(videoLabel) · muted") : videoLabel
            model.notice = muted ? "microphone muted (m to unmute)" : "microphone on"
        case .localVideo(let enabled):
            guard !audioOnly else { break }
            sendingVideo = enabled
            model.previewLabel = enabled ? "" : "video off"
            wipeVideo(on: screen)
        case .notice(let text):
            model.notice = text
        case .error(let text):
            model.notice = text
            model.chat.append(.system(text, time: Self.clockTime()))
        case .finished:
            return true
        }
        return false
    }

    private func handle(_ command: RoomScreenCommand, screen: RoomScreen) {
        switch command {
        case .selectPrevious: model.moveSelection(by: -1)
        case .selectNext: model.moveSelection(by: 1)
        case .callSelected:
            if let target = model.selectedUserID {
                commands.yield(.call(target))
            } else {
                model.notice = "nobody else is in room \(endpoint.roomId) yet"
            }
        case .accept: commands.yield(.accept)
        case .reject: commands.yield(.reject)
        case .hangup: commands.yield(.hangUp)
        case .quit: commands.yield(.quit)
        case .toggleHelp: model.showHelp.toggle()
        case .dismiss:
            model.showHelp = false
            model.notice = nil
        case .redraw, .resize:
            // ncurses repainted the whole screen: the video panes are repainted whole too.
            previewWriter.invalidate()
            remoteWriter.invalidate()
            remoteFrameDrawn = nil
        case .cycleSymbols:
            let all = SymbolSet.allCases
            videoOptions.symbols = all[((all.firstIndex(of: videoOptions.symbols) ?? 0) + 1) % all.count]
            model.notice = "video: \(Self.describe(videoOptions))"
        case .cycleColors:
            let all = ColorMode.allCases
            videoOptions.colors = all[((all.firstIndex(of: videoOptions.colors) ?? 0) + 1) % all.count]
            model.notice = "video: \(Self.describe(videoOptions))"
        case .toggleFit:
            videoOptions.scaling = videoOptions.scaling == .fit ? .fill : .fit
            model.notice = "video: \(Self.describe(videoOptions))"
        case .sendChat(let text):
            // Sending jumps back to the newest lines, where the answer will appear.
            model.chatScrollBack = 0
            commands.yield(.chat(text))
        case .scrollChat(let direction):
            let page = max(1, (screen.layout.chatHistory?.height ?? 6) - 1)
            model.chatScrollBack = max(0, model.chatScrollBack + (direction == .older ? page : -page))
        case .showStats:
            statsShown.toggle()
            statsRequested = nil
            statsLines = []
            statsSheet = StatsSheet()
            if !statsShown { model.notice = nil }
        case .toggleMute: commands.yield(.mute(on: nil))
        case .toggleVideo: commands.yield(.video(on: nil))
        case .nextVideoSource: commands.yield(.nextVideoSource)
        case .cycleBitrateCap: commands.yield(.bitrateCap(.next))
        case .snapshot: commands.yield(.snapshot)
        }
    }

    /// The wall-clock time of a chat line, as the chat pane shows it.
    static func clockTime() -> String {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        return String(format: "%02d:%02d", parts.tm_hour, parts.tm_min)
    }

    static func describe(_ options: RenderOptions) -> String {
        let symbols = switch options.symbols {
        case .halfBlocks: "half blocks"
        case .quadrants: "quadrants"
        case .sextants: "sextants"
        case .ascii: "ASCII"
        }
        let colors = switch options.colors {
        case .truecolor: "truecolor"
        case .palette256: "256 colours"
        case .palette16: "16 colours"
        }
        return "\(symbols) · \(colors) · \(options.scaling == .fit ? "fit" : "fill")"
    }

    private func nickname(_ userId: String) -> String {
        model.users.first { $0.id == userId }?.nickname ?? userId
    }

    private func row(_ userId: String) -> UserRow {
        model.users.first { $0.id == userId } ?? UserRow(id: userId, nickname: userId)
    }

    private func callLine(for state: CallState) -> CallLine {
        switch state {
        case .idle, .inRoom: return .idle
        case .outgoingRinging(let peer): return .ringingOut(row(peer))
        case .incomingRinging(let peer, _): return .ringingIn(row(peer))
        case .connecting(let peer, _): return .connecting(row(peer))
        case .inCall(let peer, _): return .inCall(row(peer), elapsedSeconds: 0)
        case .ended(let peer, let reason): return .ended(reason: reason.sentence(peer: nickname(peer)))
        }
    }
}
