/// What the device actually agreed to; it may give the nearest to what was asked.
public struct PCMFormat: Sendable, Equatable {
    public let rate: Int
    public let channels: Int
    public let periodFrames: Int
    public let bufferFrames: Int

    public init(rate: Int, channels: Int, periodFrames: Int, bufferFrames: Int) {
        self.rate = rate
        self.channels = channels
        self.periodFrames = periodFrames
        self.bufferFrames = bufferFrames
    }
}
