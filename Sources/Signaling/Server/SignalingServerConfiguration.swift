/// Settings for ``SignalingServer``. Every limit has a default that suits a
/// small deployment; tests shorten the ping timers and shrink the limits.
public struct SignalingServerConfiguration: Sendable {
    /// The address to listen on.
    public var host: String = "127.0.0.1"
    /// The TCP port to listen on; 0 picks a free port (read it back from ``SignalingServer/port``).
    public var port: Int = 18080
    /// The folder with the static web pages (`index.html`, `NAME.html`); `nil` serves no pages.
    public var assetsDirectory: String?
    /// The largest Socket.IO frame accepted from a client, in bytes; also advertised as Engine.IO `maxPayload`.
    /// Frames up to twice this size are answered with a 413 error envelope; larger ones close the connection.
    public var maxFrameBytes: Int = 64 * 1024
    /// Users in one room at once; the next one gets a 503 error envelope and is disconnected.
    public var maxUsersPerRoom: Int = 16
    /// Rooms that exist at once.
    public var maxRooms: Int = 10_000
    /// WebSocket connections open at once.
    public var maxConnections: Int = 20_000
    /// Bytes queued for one client that it has not read yet; a client over this is dropped.
    public var maxQueuedBytesPerClient: Int = 1024 * 1024
    /// How often the server sends an Engine.IO ping.
    public var pingInterval: Duration = .seconds(25)
    /// How long a client has to answer a ping (and to send the Socket.IO connect after opening).
    public var pingTimeout: Duration = .seconds(20)

    public init() {}

    /// Finds `assets/web` for a program at `executablePath`: first under
    /// `currentDirectory`, then in each folder above the executable (a built
    /// binary lives in `<repo>/.build/<config>/call`).
    public static func locateAssetsDirectory(currentDirectory: String, executablePath: String) -> String? {
        AssetsDirectoryLocator.locate(currentDirectory: currentDirectory, executablePath: executablePath)
    }
}
