/// A sound-device failure, told as one sentence a user can act on.
public struct SoundError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One human sentence, e.g. "cannot open the sound device 'X': No such file or directory; ...".
    public let message: String
    /// The errno behind it, when there is one (positive, e.g. ENOENT).
    public let code: Int32?

    public init(_ message: String, code: Int32? = nil) {
        self.message = message
        self.code = code
    }

    public var description: String { message }
}
