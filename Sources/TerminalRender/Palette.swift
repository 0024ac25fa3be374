/// The xterm palettes, nearest-colour search and ordered dithering. Colours
/// are packed `0xRRGGBB` in a `UInt32`; palette entries are indices.
enum Palette {
    /// xterm's default RGB values for the 16 ANSI colours.
    static let ansi16: [UInt32] = [
        0x000000, 0xCD0000, 0x00CD00, 0xCDCD00, 0x0000EE, 0xCD00CD, 0x00CDCD, 0xE5E5E5,
        0x7F7F7F, 0xFF0000, 0x00FF00, 0xFFFF00, 0x5C5CFF, 0xFF00FF, 0x00FFFF, 0xFFFFFF,
    ]

    static let cubeLevels: [Int] = [0, 95, 135, 175, 215, 255]

    /// The RGB value of xterm colour `index` (0...255).
    static let xterm256: [UInt32] = {
        var table = ansi16
        for r in 0..<6 {
            for g in 0..<6 {
                for b in 0..<6 {
                    table.append(pack(cubeLevels[r], cubeLevels[g], cubeLevels[b]))
                }
            }
        }
        for i in 0..<24 {
            let v = 8 + 10 * i
            table.append(pack(v, v, v))
        }
        return table
    }()

    @inline(__always)
    static func pack(_ r: Int, _ g: Int, _ b: Int) -> UInt32 {
        UInt32(r) << 16 | UInt32(g) << 8 | UInt32(b)
    }

    @inline(__always)
    static func distance(_ a: UInt32, _ r: Int, _ g: Int, _ b: Int) -> Int {
        let dr = Int(a >> 16 & 0xFF) - r, dg = Int(a >> 8 & 0xFF) - g, db = Int(a & 0xFF) - b
        return dr * dr + dg * dg + db * db
    }

    @inline(__always)
    private static func cubeIndex(_ v: Int) -> Int {
        // Midpoints between the levels 0, 95, 135, 175, 215, 255.
        v < 48 ? 0 : (v < 115 ? 1 : min(5, (v - 35) / 40))
    }

    /// The nearest of the 240 cube and grey entries (16...255); the first 16
    /// are left out because users remap them.
    static func nearest256(_ r: Int, _ g: Int, _ b: Int) -> UInt32 {
        let ri = cubeIndex(r), gi = cubeIndex(g), bi = cubeIndex(b)
        let cube = 16 + 36 * ri + 6 * gi + bi
        let grey = min(23, max(0, ((r + g + b) / 3 - 3) / 10))
        let greyIndex = 232 + grey
        let dc = distance(xterm256[cube], r, g, b)
        let dg = distance(xterm256[greyIndex], r, g, b)
        return UInt32(dg < dc ? greyIndex : cube)
    }

    /// The nearest of the 16 ANSI colours (by xterm's default values).
    static func nearest16(_ r: Int, _ g: Int, _ b: Int) -> UInt32 {
        var best = 0, bestDistance = Int.max
        for i in 0..<16 {
            let d = distance(ansi16[i], r, g, b)
            if d < bestDistance { best = i; bestDistance = d }
        }
        return UInt32(best)
    }

    /// 4x4 Bayer matrix, thresholds 0...15.
    static let bayer4: [Int] = [0, 8, 2, 10, 12, 4, 14, 6, 3, 11, 1, 9, 15, 7, 13, 5]

    /// Maps an RGB colour (0xRRGGBB) to the code the mode writes: itself in
    /// truecolor, a palette index otherwise. With `ditherThreshold` (0...15
    /// from `bayer4`) the colour is nudged by up to about half a palette step
    /// first, so neighbouring cells round different ways and gradients come
    /// out as patterns instead of bands.
    static func quantize(_ rgb: UInt32, mode: ColorMode, ditherThreshold: Int?) -> UInt32 {
        if mode == .truecolor { return rgb }
        var r = Int(rgb >> 16 & 0xFF), g = Int(rgb >> 8 & 0xFF), b = Int(rgb & 0xFF)
        if let t = ditherThreshold {
            let step = mode == .palette256 ? 40 : 128
            let offset = (2 * t - 15) * step / 32
            r = min(255, max(0, r + offset)); g = min(255, max(0, g + offset)); b = min(255, max(0, b + offset))
        }
        return mode == .palette256 ? nearest256(r, g, b) : nearest16(r, g, b)
    }

    /// The RGB value a colour code shows as in `mode`.
    @inline(__always)
    static func rgb(of code: UInt32, mode: ColorMode) -> UInt32 {
        switch mode {
        case .truecolor: code
        case .palette256: xterm256[Int(code)]
        case .palette16: ansi16[Int(code)]
        }
    }
}
