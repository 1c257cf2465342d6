/// Reads a dataset a block of rows at a time, so memory stays bounded by the block size
/// however large the dataset is. Rows run along the first dimension (or the second, for one
/// layer of a stacked [L, N, ...] dataset); each row is flattened over the remaining dimensions.
public final class RowBlockReader {
    public let info: DatasetInfo
    public let blockRows: Int
    public let layer: Int?
    public let rowCount: Int
    public let rowWidth: Int
    private let file: HDF5File
    private let dataset: HDF5Handle
    private var nextRow = 0

    init(file: HDF5File, path: String, blockRows: Int, layer: Int?) throws {
        self.file = file
        info = try file.datasetInfo(path)
        dataset = try file.openDataset(path)
        self.blockRows = max(1, blockRows)
        self.layer = layer
        let rowAxis = layer == nil ? 0 : 1
        guard info.rank > rowAxis else {
            throw file.badShape(info, expected: layer == nil ? "a dataset with rows" : "a stacked dataset [layers × rows × ...]")
        }
        if let layer, !(0..<info.shape[0]).contains(layer) {
            throw FourierLensError.badInput(file: file.path, dataset: info.path,
                                            expected: "layer \(layer) within \(indexRange(info.shape[0]))")
        }
        rowCount = info.shape[rowAxis]
        rowWidth = info.shape[(rowAxis + 1)...].reduce(1, *)
    }

    /// The next block: its first row and a [rows × rowWidth] matrix; nil after the last row.
    public func next() throws -> (firstRow: Int, block: Matrix)? {
        guard nextRow < rowCount else { return nil }
        let rows = min(blockRows, rowCount - nextRow)
        var start = info.shape.map { _ in 0 }
        var count = info.shape
        if let layer {
            start[0] = layer; count[0] = 1
            start[1] = nextRow; count[1] = rows
        } else {
            start[0] = nextRow; count[0] = rows
        }
        let values = try file.readFloats(dataset, info, start: start, count: count)
        defer { nextRow += rows }
        return (nextRow, Matrix(rows: rows, cols: rowWidth, values: values))
    }
}

extension HDF5File {
    /// A reader that yields `path` in blocks of `blockRows` rows.
    public func rowBlocks(_ path: String, blockRows: Int, layer: Int? = nil) throws -> RowBlockReader {
        try RowBlockReader(file: self, path: path, blockRows: blockRows, layer: layer)
    }
}
