// render-bench: terminal video rendering, ours against a naive writer and chafa.
//
//   swift build -c release --product render-bench
//   .build/release/render-bench [--seconds 10] [--fps 30] [--columns 160] [--rows 45]
//                               [--y4m clip.y4m] [--no-chafa] [--chafa-every 10]
//   .build/release/render-bench --pattern [--frames 300]
//
// The clip: the test pattern at 1280x720 (colour bars, a moving zone plate,
// a drifting gradient with moving discs, a clock), and, with --y4m, the first
// half of the frames taken from that file instead. Every frame goes through
// our writer as I420 (what a decoder hands us); bytes and milliseconds are
// per frame over the whole clip; PSNR is measured on every `--chafa-every`th
// frame by applying the bytes to TerminalModel and comparing what it shows
// with the source scaled to the same 6x12-per-cell grid. chafa gets the same
// sampled frames as PPM files, one process per frame (so its time includes
// process start and PPM decoding), and its output is measured the same way.
//
// --pattern measures the test pattern itself instead (PatternBench.swift).
import Foundation
import Media
import TerminalRender

struct Settings {
    var seconds = 10.0
    var fps = 30.0
    var columns = 160
    var rows = 45
    var y4m: String?
    var chafa = true
    var sampleEvery = 10
    var pattern = false
    var patternFrames = 300

    static let usage = """
        usage: render-bench [--seconds S] [--fps F] [--columns C] [--rows R] [--y4m FILE] [--no-chafa]
                            [--chafa-every N] [--pattern [--frames N]]
        """

    init(_ arguments: [String]) {
        var i = 1
        func fail(_ why: String) -> Never {
            FileHandle.standardError.write(Data("render-bench: \(why)\n\(Self.usage)\n".utf8))
            exit(2)
        }
        func value() -> String {
            i += 1
            guard i < arguments.count else { fail("\(arguments[i - 1]) needs a value") }
            return arguments[i]
        }
        func number<T: LosslessStringConvertible>(_ type: T.Type) -> T {
            let text = value()
            guard let parsed = T(text) else { fail("\(arguments[i - 1]) takes a number, not '\(text)'") }
            return parsed
        }
        while i < arguments.count {
            switch arguments[i] {
            case "--seconds": seconds = number(Double.self)
            case "--fps": fps = number(Double.self)
            case "--columns": columns = number(Int.self)
            case "--rows": rows = number(Int.self)
            case "--y4m": y4m = value()
            case "--no-chafa": chafa = false
            case "--chafa-every": sampleEvery = number(Int.self)
            case "--pattern": pattern = true
            case "--frames": patternFrames = number(Int.self)
            case "-h", "--help":
                print(Self.usage)
                exit(0)
            default: fail("unknown argument \(arguments[i])")
            }
            i += 1
        }
    }
}

struct Row {
    var name: String
    var symbols: String
    var colors: String
    var bytes: [Int] = []
    var milliseconds: [Double] = []
    var psnr: [Double] = []
    var note = ""
}

func percentile<T: Comparable>(_ values: [T], _ p: Double) -> T? {
    guard !values.isEmpty else { return nil }
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) * 1000 + Double(t.tv_nsec) / 1e6
}

/// What mpv's `--vo=tct` does: every cell of every frame, the cursor placed
/// at each row's start, and both colours in full before every `▀` (top pixel
/// as foreground, bottom as background).
struct NaiveHalfBlockWriter {
    mutating func render(_ grid: CellGrid, origin: (x: Int, y: Int)) -> [UInt8] {
        var out: [UInt8] = []
        for row in 0..<grid.rows {
            out += Array("\u{1B}[\(origin.y + row + 1);\(origin.x + 1)H".utf8)
            for column in 0..<grid.columns {
                // Canonical half-block cells are `▄` (fg bottom, bg top) or a
                // space (fg == bg): top is the background, bottom the
                // foreground (or the background, for a space).
                let cell = grid[column, row]
                let top = cell.background, bottom = cell.mask == 0 ? cell.background : cell.foreground
                out += Array("\u{1B}[38;2;\(top >> 16 & 0xFF);\(top >> 8 & 0xFF);\(top & 0xFF);48;2;\(bottom >> 16 & 0xFF);\(bottom >> 8 & 0xFF);\(bottom & 0xFF)m\u{2580}".utf8)
            }
        }
        out += Array("\u{1B}[0m".utf8)
        return out
    }
}

let settings = Settings(CommandLine.arguments)
if settings.pattern {
    runPatternBenchmark(frames: settings.patternFrames)
    exit(0)
}
let frameCount = Int(settings.seconds * settings.fps)
let width = 1280, height = 720
let rect = CellRect(x: 0, y: 0, width: settings.columns, height: settings.rows)

// The clip.
var frames: [I420Frame] = []
frames.reserveCapacity(frameCount)
var fileFrames = 0
if let path = settings.y4m {
    var reader = try Y4MReader(contentsOf: path)
    while frames.count < frameCount / 2, let frame = reader.nextFrame() { frames.append(frame) }
    fileFrames = frames.count
}
let pattern = TestPatternSource(width: width, height: height)
while frames.count < frameCount {
    let n = UInt32(frames.count)
    frames.append(pattern.frame(number: n, captureMilliseconds: 45_296_000 + UInt64(Double(n) * 1000 / settings.fps)))
}
let sampled = Array(stride(from: 0, to: frames.count, by: settings.sampleEvery))
FileHandle.standardError.write("clip: \(frames.count) frames (\(fileFrames) from \(settings.y4m ?? "no file")), PSNR on \(sampled.count)\n".data(using: .utf8)!)

let defaults = RenderOptions()
let references: [Int: RGBFrame] = Dictionary(uniqueKeysWithValues: sampled.map {
    ($0, RenderQuality.reference(.i420(frames[$0]), columns: rect.width, rows: rect.height, options: defaults))
})

func measure(_ model: TerminalModel, frame index: Int) -> Double {
    let shown = model.rasterize(rect)
    precondition(shown.unknownGlyphs == 0, "unknown glyphs in the output")
    return RenderQuality.psnr(shown.frame, references[index]!)
}

var rows: [Row] = []

// Ours.
let configurations: [(SymbolSet, ColorMode, Bool, Int, String)] = [
    (.halfBlocks, .truecolor, false, 0, "half"), (.quadrants, .truecolor, false, 0, "quad"),
    (.sextants, .truecolor, false, 0, "sextant"), (.ascii, .truecolor, false, 0, "ascii"),
    (.halfBlocks, .truecolor, false, 4, "half"), (.halfBlocks, .truecolor, false, 8, "half"),
    (.sextants, .truecolor, false, 8, "sextant"), (.quadrants, .truecolor, false, 8, "quad"),
    (.quadrants, .truecolor, false, 12, "quad"), (.quadrants, .truecolor, false, 16, "quad"),
    (.sextants, .truecolor, false, 12, "sextant"), (.sextants, .truecolor, false, 16, "sextant"),
    (.halfBlocks, .palette256, false, 0, "half"), (.halfBlocks, .palette256, true, 0, "half"),
    (.halfBlocks, .palette16, true, 0, "half"), (.sextants, .palette256, false, 0, "sextant"),
]
for (symbols, colors, dithering, tolerance, label) in configurations {
    var row = Row(name: tolerance == 0 ? "ours" : "ours, tolerance \(tolerance)", symbols: label,
                  colors: "\(colors)" + (dithering ? " + Bayer" : ""))
    var writer = TerminalVideoWriter(options: RenderOptions(symbols: symbols, colors: colors, dithering: dithering,
                                                            tolerance: tolerance))
    var model = TerminalModel(columns: rect.width, rows: rect.height)
    var buffer: [UInt8] = []
    buffer.reserveCapacity(1 << 20)
    for (index, frame) in frames.enumerated() {
        buffer.removeAll(keepingCapacity: true)
        let start = now()
        writer.render(.i420(frame), in: rect, appendingTo: &buffer)
        row.milliseconds.append(now() - start)
        row.bytes.append(buffer.count)
        try model.apply(buffer)
        if references[index] != nil { row.psnr.append(measure(model, frame: index)) }
    }
    rows.append(row)
}

// Ours, repainting everything every frame (no damage tracking).
do {
    var row = Row(name: "ours, full repaint each frame", symbols: "half", colors: "truecolor")
    var writer = TerminalVideoWriter()
    for frame in frames {
        writer.invalidate()
        let start = now()
        let out = writer.render(.i420(frame), in: rect)
        row.milliseconds.append(now() - start)
        row.bytes.append(out.count)
    }
    rows.append(row)
}

// The naive writer, from the same fitted cells.
do {
    var row = Row(name: "naive (mpv tct style)", symbols: "half", colors: "truecolor")
    var fitter = CellFitter()
    var naive = NaiveHalfBlockWriter()
    var model = TerminalModel(columns: rect.width, rows: rect.height)
    for (index, frame) in frames.enumerated() {
        let start = now()
        let grid = fitter.fit(.i420(frame), columns: rect.width, rows: rect.height, options: defaults)
        let out = naive.render(grid, origin: (0, 0))
        row.milliseconds.append(now() - start)
        row.bytes.append(out.count)
        if references[index] != nil {
            try model.apply(out)
            row.psnr.append(measure(model, frame: index))
        }
    }
    rows.append(row)
}

// chafa.
if settings.chafa {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("render-bench-\(getpid())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    for index in sampled {
        let rgb = frames[index].rgb()
        let ppm = Array("P6\n\(rgb.width) \(rgb.height)\n255\n".utf8) + rgb.pixels
        try Data(ppm).write(to: directory.appendingPathComponent("\(index).ppm"))
    }
    let chafaSets: [(String, String)] = [("half", "space+solid+vhalf"), ("quad", "space+solid+quad"),
                                         ("sextant", "space+solid+quad+sextant"), ("ascii", "ascii+space")]
    for (label, symbols) in chafaSets {
        var row = Row(name: "chafa 1.12 (-w 9)", symbols: label, colors: "truecolor")
        var unknown = 0
        for index in sampled {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/chafa")
            process.arguments = ["--format", "symbols", "--size", "\(rect.width)x\(rect.height)", "-c", "full",
                                 "--symbols", symbols, "--animate", "off", "--dither", "none", "-w", "9",
                                 directory.appendingPathComponent("\(index).ppm").path]
            let pipe = Pipe()
            process.standardOutput = pipe
            let start = now()
            try process.run()
            let output = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            row.milliseconds.append(now() - start)
            let bytes = Array(output)
            row.bytes.append(bytes.count)
            var model = TerminalModel(columns: rect.width, rows: rect.height)
            model.lineFeedReturnsCarriage = true  // chafa ends rows with a bare \n for the tty to expand
            do {
                try model.apply(bytes)
                let shown = model.rasterize(rect)
                unknown += shown.unknownGlyphs
                row.psnr.append(RenderQuality.psnr(shown.frame, references[index]!))
            } catch {
                row.note = "model: \(error)"
            }
        }
        if unknown > 0 { row.note += "\(unknown) cells with glyphs outside our coverage table (shown as background)" }
        row.note = row.note.isEmpty ? "full frame per process, time includes start-up" : row.note
        rows.append(row)
    }
}

// The table.
func format(_ v: Double?, _ digits: Int = 1) -> String { v.map { String(format: "%.\(digits)f", $0) } ?? "–" }
print("| renderer | symbols | colours | bytes/frame median | bytes/frame p95 | ms/frame median | ms/frame p95 | PSNR dB (mean) | note |")
print("|---|---|---|---|---|---|---|---|---|")
for row in rows {
    let psnr = row.psnr.isEmpty ? nil : row.psnr.reduce(0, +) / Double(row.psnr.count)
    print("| \(row.name) | \(row.symbols) | \(row.colors) | \(percentile(row.bytes, 0.5).map(String.init) ?? "–") | \(percentile(row.bytes, 0.95).map(String.init) ?? "–") | \(format(percentile(row.milliseconds, 0.5), 2)) | \(format(percentile(row.milliseconds, 0.95), 2)) | \(format(psnr, 2)) | \(row.note) |")
}
