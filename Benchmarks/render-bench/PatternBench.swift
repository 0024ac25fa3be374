import Foundation
import Media

// render-bench --pattern [--frames 300]: what the test pattern costs the
// sender, `TestPatternSource.frame` against the pattern as first written
// (`ReferencePattern`: RGB, then `I420Frame(RGBFrame)`), the two
// interleaved frame by frame so both see the same load. Times are the
// thread's CPU time (on a shared machine wall time also counts waiting for
// a core) with wall time beside; PSNR compares the new frames with the old.

private func threadMilliseconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) * 1000 + Double(t.tv_nsec) / 1e6
}

private func psnr(_ a: [UInt8], _ b: [UInt8]) -> Double {
    var sum = 0.0
    for i in 0..<a.count { let d = Double(a[i]) - Double(b[i]); sum += d * d }
    let mse = sum / Double(a.count)
    return mse == 0 ? .infinity : 10 * log10(255 * 255 / mse)
}

func runPatternBenchmark(frames: Int) {
    struct Sample { var cpu: [Double] = []; var wall: [Double] = []; var stamps = 0 }
    func format(_ v: Double) -> String { v.isInfinite ? "identical" : String(format: "%.2f", v) }
    print("| size | implementation | CPU ms/frame median | CPU ms/frame p95 | wall ms/frame median | median vs old | PSNR vs old, Y / U / V dB (mean) | stamps decoded |")
    print("|---|---|---|---|---|---|---|---|")
    for (width, height) in [(640, 480), (640, 360)] {
        let old = ReferencePattern(width: width, height: height)
        let setUp = threadMilliseconds()
        let pattern = TestPatternSource(width: width, height: height)
        let setUpMilliseconds = threadMilliseconds() - setUp
        var before = Sample(), after = Sample()
        var psnrY = 0.0, psnrU = 0.0, psnrV = 0.0
        for n in 0..<frames {
            let number = UInt32(n), ms = 45_296_000 + UInt64(n) * 33
            var cpu = threadMilliseconds(), wall = now()
            let reference = old.frame(number: number, captureMilliseconds: ms)
            before.cpu.append(threadMilliseconds() - cpu); before.wall.append(now() - wall)
            cpu = threadMilliseconds(); wall = now()
            let frame = pattern.frame(number: number, captureMilliseconds: ms)
            after.cpu.append(threadMilliseconds() - cpu); after.wall.append(now() - wall)
            let stamp = FrameStamp(frameNumber: number, captureMilliseconds: UInt32(ms))
            if FrameStampCode.decode(reference) == stamp { before.stamps += 1 }
            if FrameStampCode.decode(frame) == stamp { after.stamps += 1 }
            psnrY += psnr(frame.y, reference.y); psnrU += psnr(frame.u, reference.u); psnrV += psnr(frame.v, reference.v)
        }
        let oldMedian = percentile(before.cpu, 0.5)!, newMedian = percentile(after.cpu, 0.5)!
        let count = Double(frames)
        print("| \(width)x\(height) | old: RGB, then I420Frame(RGBFrame) | \(format(oldMedian)) | \(format(percentile(before.cpu, 0.95)!)) | \(format(percentile(before.wall, 0.5)!)) | 1.00 | – | \(before.stamps)/\(frames) |")
        print("| \(width)x\(height) | new: TestPatternSource.frame, straight into I420 (set-up \(format(setUpMilliseconds)) ms once) | \(format(newMedian)) | \(format(percentile(after.cpu, 0.95)!)) | \(format(percentile(after.wall, 0.5)!)) | \(String(format: "%.2f", oldMedian / newMedian))x faster | \(format(psnrY / count)) / \(format(psnrU / count)) / \(format(psnrV / count)) | \(after.stamps)/\(frames) |")
    }
}
