import Foundation

/// The boolean/ group of a dump (docs/SCHEMA.md): bit strings [M, n] and what was measured on
/// them. Bits are stored as 0/1 integers; bit i of a row is column i, its ±1 value is
/// xᵢ = (−1)^bitᵢ, and the row's cube index is Σ bitᵢ·2ⁱ.
public struct BooleanDump {
    /// Bits per string: a cube index must fit in 64 bits.
    public static let maxBits = 64
    /// The exact transform keeps 8·2ⁿ bytes per column: 512 MiB at n = 26.
    public static let maxCubeBits = 26

    public enum Design: String, Sendable, Codable {
        /// Every one of the 2ⁿ strings once, in any row order: exact transforms.
        case cube
        /// Strings drawn uniformly at random with replacement: estimates with intervals.
        case sample
    }

    public let file: HDF5File
    public let path: String
    public let n: Int
    public let rows: Int
    public let inputType: ElementType
    public let design: Design
    public let outputs: ColumnSource
    public let activations: [ColumnSource]
    public let hasFlipPairs: Bool

    public init(path: String) throws {
        let file = try HDF5File(readingFrom: path)
        self.file = file
        self.path = path
        guard file.kind(of: BooleanRoles.group) == .group else {
            throw FourierLensError.badInput(file: path, dataset: BooleanRoles.group,
                                            expected: "a boolean/ group with inputs [M, n] and outputs (docs/SCHEMA.md)")
        }
        let inputs = try file.datasetInfo(BooleanRoles.inputsPath)
        guard case .integer = inputs.elementType else {
            throw FourierLensError.badInput(file: path, dataset: inputs.path,
                                            expected: "bits stored as 0/1 integers, found \(inputs.elementType)")
        }
        guard inputs.rank == 2, inputs.shape[0] > 0, inputs.shape[1] > 0 else {
            throw file.badShape(inputs, expected: "a 2-D dataset [M strings × n bits] with M, n ≥ 1")
        }
        rows = inputs.shape[0]
        n = inputs.shape[1]
        inputType = inputs.elementType
        guard n <= Self.maxBits else {
            throw FourierLensError.badInput(file: path, dataset: inputs.path,
                                            expected: "at most \(Self.maxBits) bits per string, found n = \(n)")
        }
        design = try Self.design(of: inputs, rows: rows, n: n, file: path)
        outputs = try ColumnSource(file: file, path: BooleanRoles.outputsPath, rows: rows, namesPath: BooleanRoles.outputNamesPath)
        activations = try Self.activationSources(file: file, rows: rows)
        hasFlipPairs = file.contains(BooleanRoles.flipPairsPath)
    }

    /// The design the inputs' `design` attribute names, else cube when M = 2ⁿ.
    static func design(of inputs: DatasetInfo, rows: Int, n: Int, file: String) throws -> Design {
        let isCubeSize = n <= 62 && rows == 1 << n
        guard let attribute = inputs.attributes["design"] else { return isCubeSize ? .cube : .sample }
        guard let name = attribute.string, let design = Design(rawValue: name) else {
            throw FourierLensError.badInput(file: file, dataset: inputs.path + " attribute design",
                                            expected: "\"cube\" or \"sample\", found \(attribute)")
        }
        if design == .cube, !isCubeSize {
            throw FourierLensError.badInput(file: file, dataset: inputs.path,
                                            expected: "a full cube of 2^\(n) rows (design = \"cube\"), found M = \(rows)")
        }
        return design
    }

    /// Every dataset under boolean/acts, in layer order.
    static func activationSources(file: HDF5File, rows: Int) throws -> [ColumnSource] {
        guard file.kind(of: BooleanRoles.activationsGroup) == .group else { return [] }
        let paths = try file.tree(under: BooleanRoles.activationsGroup).compactMap { node -> String? in
            guard case let .dataset(info) = node, info.path.dropFirst(BooleanRoles.activationsGroup.count + 1).firstIndex(of: "/") == nil else { return nil }
            return info.path
        }
        let sources = try paths.map { try ColumnSource(file: file, path: $0, rows: rows, namesPath: nil) }
        return sources.sorted { ($0.layer ?? -1, $0.path) < ($1.layer ?? -1, $1.path) }
    }

    public func requireCube() throws {
        guard n <= Self.maxCubeBits else {
            throw FourierLensError.badInput(file: path, dataset: BooleanRoles.inputsPath,
                expected: "n ≤ \(Self.maxCubeBits) bits for the exact transform (8·2ⁿ bytes a column), found n = \(n); store a sample (design = \"sample\") instead")
        }
    }
}

/// A dataset of values measured on the strings: [M] (one column) or [M, C]. Read in blocks of rows.
public struct ColumnSource: Sendable {
    public let file: String
    public let path: String
    public let rank: Int
    public let width: Int
    public let names: [String]
    /// The layer of a TransformerLens name (blocks.L.…), if it has one.
    public let layer: Int?

    public var label: String { String(path.split(separator: "/").last ?? Substring(path)) }

    init(file: HDF5File, path: String, rows: Int, namesPath: String?) throws {
        let info = try file.datasetInfo(path)
        guard info.elementType.isNumeric else {
            throw FourierLensError.badInput(file: file.path, dataset: info.path, expected: "numeric values, found \(info.elementType)")
        }
        guard info.rank == 1 || info.rank == 2, info.shape[0] == rows, info.rank == 1 || info.shape[1] > 0 else {
            throw FourierLensError.badInput(file: file.path, dataset: info.path,
                expected: "[M] or [M, C] values for the M = \(rows) strings of \(BooleanRoles.inputsPath), found \(info.shapeDescription)")
        }
        self.file = file.path
        self.path = info.path
        rank = info.rank
        width = info.rank == 1 ? 1 : info.shape[1]
        if let namesPath, file.contains(namesPath) {
            let names = try file.readStrings(namesPath)
            guard names.count == width else {
                throw FourierLensError.badInput(file: file.path, dataset: namesPath,
                                                expected: "one name per column of \(info.path) (\(width)), found \(names.count)")
            }
            self.names = names
        } else {
            names = width == 1 && info.rank == 1 ? [BooleanRoles.lastComponent(info.path)] : (0..<width).map { "\(BooleanRoles.lastComponent(info.path))[\($0)]" }
        }
        layer = BooleanRoles.layer(in: info.path)
    }

    /// Calls `body` with each block of rows: its first row and its values [rows × columns.count]
    /// row-major, as float64. NaN and Inf are refused, naming the row and column.
    public func forEachBlock(_ file: HDF5File, columns: Range<Int>, blockRows: Int, rows: Int,
                             _ body: (Int, [Double]) throws -> Void) throws {
        var first = 0
        var values: [Double] = []  // reused from block to block
        while first < rows {
            let count = min(blockRows, rows - first)
            try readBlock(file, columns: columns, first: first, count: count, into: &values)
            try body(first, values)
            first += count
        }
    }

    /// Rows first..<first + count of `columns`, row-major, as float64. NaN and Inf are refused,
    /// naming the row and column.
    public func readBlock(_ file: HDF5File, columns: Range<Int>, first: Int, count: Int, into values: inout [Double]) throws {
        if rank == 1 {
            try file.readExactDoubles(path, start: [first], count: [count], into: &values)
        } else {
            try file.readExactDoubles(path, start: [first, columns.lowerBound], count: [count, columns.count], into: &values)
        }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw FourierLensError.badInput(file: self.file, dataset: path,
                expected: "finite values, found \(values[bad]) at row \(first + bad / columns.count), column \(columns.lowerBound + bad % columns.count)")
        }
    }
}
