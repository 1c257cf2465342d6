/// NaN and ±Inf in one dataset: how many, and where the first one is.
public struct NonFiniteCount: Equatable, Sendable {
    public var nan = 0
    public var infinite = 0
    /// The multi-index of the first non-finite value, in row-major order.
    public var firstIndex: [Int]? = nil
    public var total: Int { nan + infinite }
}

extension HDF5File {
    /// Scans a numeric dataset for NaN/Inf a block of rows at a time (memory stays bounded).
    public func scanNonFinite(_ info: DatasetInfo, blockBytes: Int = 64 << 20) throws -> NonFiniteCount {
        var count = NonFiniteCount()
        // A dataset that does not store its values (a validation problem) is not scanned:
        // reading 10¹² fill values would take hours.
        guard info.elementType.isFloatingPoint, info.elementCount > 0, info.storesItsValues else { return count }
        if info.rank == 0 {
            let value = try readFloats(info.path)[0]
            if value.isNaN { count.nan = 1 } else if value.isInfinite { count.infinite = 1 }
            if count.total > 0 { count.firstIndex = [] }
            return count
        }
        let rowWidth = info.shape.dropFirst().reduce(1, *)
        let reader = try rowBlocks(info.path, blockRows: max(1, blockBytes / 4 / max(1, rowWidth)))
        while let (firstRow, block) = try reader.next() {
            for (offset, value) in block.values.enumerated() where !value.isFinite {
                if value.isNaN { count.nan += 1 } else { count.infinite += 1 }
                if count.firstIndex == nil {
                    count.firstIndex = unravel(firstRow * rowWidth + offset, shape: info.shape)
                }
            }
        }
        return count
    }
}

/// The multi-index of a flat row-major offset.
func unravel(_ flat: Int, shape: [Int]) -> [Int] {
    var rest = flat
    var index = [Int](repeating: 0, count: shape.count)
    for axis in stride(from: shape.count - 1, through: 0, by: -1) {
        index[axis] = rest % max(shape[axis], 1)
        rest /= max(shape[axis], 1)
    }
    return index
}
