/// The VP8 payload descriptor at the start of every VP8 RTP payload (RFC 7741 §4.2):
///
///     |X|R|N|S|R| PID |   required
///     |I|L|T|K| RSV   |   if X
///     |M| PictureID   |   if I (second octet of PictureID if M)
///     |   TL0PICIDX   |   if L
///     |TID|Y| KEYIDX  |   if T or K
public struct VP8PayloadDescriptor: Sendable, Hashable {
    public var nonReference: Bool
    /// S: this packet starts a VP8 partition.
    public var startOfPartition: Bool
    public var partitionIndex: UInt8
    /// 7- or 15-bit picture ID when present.
    public var pictureID: UInt16?
    /// Whether the picture ID used the 15-bit (M=1) form.
    public var pictureIDIs15Bit: Bool
    public var tl0PictureIndex: UInt8?
    public var temporalLayerIndex: UInt8?
    public var layerSync: Bool
    public var keyIndex: UInt8?

    public init(nonReference: Bool = false, startOfPartition: Bool, partitionIndex: UInt8 = 0, pictureID: UInt16? = nil,
                pictureIDIs15Bit: Bool = true, tl0PictureIndex: UInt8? = nil, temporalLayerIndex: UInt8? = nil,
                layerSync: Bool = false, keyIndex: UInt8? = nil) {
        self.nonReference = nonReference
        self.startOfPartition = startOfPartition
        self.partitionIndex = partitionIndex & 0x07
        self.pictureID = pictureID.map { $0 & (pictureIDIs15Bit ? 0x7FFF : 0x7F) }
        self.pictureIDIs15Bit = pictureIDIs15Bit
        self.tl0PictureIndex = tl0PictureIndex
        self.temporalLayerIndex = temporalLayerIndex.map { $0 & 0x03 }
        self.layerSync = layerSync
        self.keyIndex = keyIndex.map { $0 & 0x1F }
    }

    /// S=1 and PID=0: the first packet of a frame.
    public var isFrameStart: Bool { startOfPartition && partitionIndex == 0 }

    /// Parses the descriptor at the start of `payload`; returns it and its size in octets.
    /// Nil when truncated.
    public static func parse(_ payload: [UInt8]) -> (descriptor: VP8PayloadDescriptor, size: Int)? {
        var r = ByteReader(payload)
        guard let b0 = r.u8() else { return nil }
        var d = VP8PayloadDescriptor(nonReference: b0 & 0x20 != 0, startOfPartition: b0 & 0x10 != 0, partitionIndex: b0 & 0x07)
        d.pictureIDIs15Bit = false
        if b0 & 0x80 != 0 {
            guard let x = r.u8() else { return nil }
            if x & 0x80 != 0 {
                guard let p0 = r.u8() else { return nil }
                if p0 & 0x80 != 0 {
                    guard let p1 = r.u8() else { return nil }
                    d.pictureID = UInt16(p0 & 0x7F) << 8 | UInt16(p1)
                    d.pictureIDIs15Bit = true
                } else {
                    d.pictureID = UInt16(p0)
                }
            }
            if x & 0x40 != 0 {
                guard let t = r.u8() else { return nil }
                d.tl0PictureIndex = t
            }
            if x & 0x30 != 0 {
                guard let t = r.u8() else { return nil }
                if x & 0x20 != 0 {
                    d.temporalLayerIndex = t >> 6
                    d.layerSync = t & 0x20 != 0
                }
                if x & 0x10 != 0 { d.keyIndex = t & 0x1F }
            }
        }
        return (d, r.offset)
    }

    public func serialized() -> [UInt8] {
        let hasX = pictureID != nil || tl0PictureIndex != nil || temporalLayerIndex != nil || keyIndex != nil
        var out: [UInt8] = [(hasX ? 0x80 : 0) | (nonReference ? 0x20 : 0) | (startOfPartition ? 0x10 : 0) | (partitionIndex & 0x07)]
        guard hasX else { return out }
        var x: UInt8 = 0
        if pictureID != nil { x |= 0x80 }
        if tl0PictureIndex != nil { x |= 0x40 }
        if temporalLayerIndex != nil { x |= 0x20 }
        if keyIndex != nil { x |= 0x10 }
        out.append(x)
        if let id = pictureID {
            if pictureIDIs15Bit {
                out.append(0x80 | UInt8(id >> 8 & 0x7F))
                out.append(UInt8(truncatingIfNeeded: id))
            } else {
                out.append(UInt8(id & 0x7F))
            }
        }
        if let t = tl0PictureIndex { out.append(t) }
        if temporalLayerIndex != nil || keyIndex != nil {
            out.append((temporalLayerIndex ?? 0) << 6 | (layerSync ? 0x20 : 0) | (keyIndex ?? 0) & 0x1F)
        }
        return out
    }
}
