// Serial number arithmetic (RFC 1982) for TSNs (32 bit) and SSNs (16 bit),
// RFC 9260 §1.6: comparisons hold across wrap-around.

extension UInt32 {
    /// `self` comes strictly before `other` in serial order.
    func precedes(_ other: UInt32) -> Bool { Int32(bitPattern: self &- other) < 0 }
    func precedesOrEquals(_ other: UInt32) -> Bool { self == other || precedes(other) }
    func follows(_ other: UInt32) -> Bool { other.precedes(self) }
    func followsOrEquals(_ other: UInt32) -> Bool { self == other || other.precedes(self) }
}

extension UInt16 {
    func precedes(_ other: UInt16) -> Bool { Int16(bitPattern: self &- other) < 0 }
    func precedesOrEquals(_ other: UInt16) -> Bool { self == other || precedes(other) }
}
