import Foundation
import Glibc
import Testing
import TerminalUI

@Suite struct ScreenWakeTests {
    /// Bounds that hold on a loaded machine: a wake comes long before a 10 s timeout,
    /// and a wait without one lasts at least its timeout.
    @Test func aSignalOrInputEndsTheWaitAndNothingLetsItRunOut() throws {
        let wake = ScreenWake()
        var input: [Int32] = [-1, -1]
        try #require(pipe(&input) == 0)
        defer { input.forEach { close($0) } }

        let clock = ContinuousClock()
        // A signal given before the wait ends it at once, and is used up by it.
        wake.signal()
        wake.signal()
        #expect(clock.measure { wake.wait(orInputOn: input[0], timeoutMilliseconds: 10_000) } < .seconds(5))
        #expect(clock.measure { wake.wait(orInputOn: input[0], timeoutMilliseconds: 60) } >= .milliseconds(55))

        // Readable input ends it too (and stays readable: the wait does not consume it).
        var byte: UInt8 = 0x61
        #expect(write(input[1], &byte, 1) == 1)
        #expect(clock.measure { wake.wait(orInputOn: input[0], timeoutMilliseconds: 10_000) } < .seconds(5))
        #expect(clock.measure { wake.wait(orInputOn: input[0], timeoutMilliseconds: 10_000) } < .seconds(5))
    }

    @Test func aSignalFromAnotherThreadWakesAWaitInProgress() {
        let wake = ScreenWake()
        // A thread of its own, not a task: a task blocked in a wait would hold one of the
        // few threads that every test's tasks share.
        Thread.detachNewThread {
            usleep(50_000)
            wake.signal()
        }
        #expect(ContinuousClock().measure { wake.wait(orInputOn: -1, timeoutMilliseconds: 10_000) } < .seconds(5))
    }
}
